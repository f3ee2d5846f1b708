package app

import (
	"context"
	"fmt"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/server"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// assembleSettlements builds the settlement service, registers its daily River run
// and mounts the CSV export, authorised by the same function as /graphql (so it comes
// after assembleAuth). It answers the daily run's schedule for the job client.
func (a *App) assembleSettlements() []*river.PeriodicJob {
	a.Settlements = settlement.NewSettlements(a.DB)
	a.Settlements.SMTPURL = a.Config.SMTPURL
	a.Settlements.Events = a.Events
	export := server.SettlementExport(a.Settlements, a.authenticate, a.Logger)
	a.mounts = append(a.mounts, func(r chi.Router) { r.Get(server.SettlementExportRoute, export) })
	return a.Settlements.SettlementJobs(a.workers, a.Logger)
}

// DemoSettlementDays is how many past days the demo data set is settled for.
const DemoSettlementDays = 60

// settleDemo runs the settlements of the demo data set's last DemoSettlementDays
// days, oldest first, as the daily job would have, so the demo shows two months of
// settlements (one of them negative, seed/demo_settlements.go).
func (a *App) settleDemo(ctx context.Context, now time.Time) error {
	s := settlement.NewSettlements(a.DB)
	s.Now = func() time.Time { return now }
	today := domain.DateOf(now)
	n, err := s.RunDays(auth.System(ctx), today.AddDays(-DemoSettlementDays), today)
	if err != nil {
		return fmt.Errorf("demo settlements: %w", err)
	}
	a.Logger.Info("demo settlements", "days", DemoSettlementDays+1, "settlements", n)
	return nil
}
