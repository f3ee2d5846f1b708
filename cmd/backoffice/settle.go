package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// settle runs the settlements of one day (`backoffice settle --date 2026-11-21`, today
// in UTC by default) for every company of every PSP, as the daily job does, and
// prints what it created. Running a day again creates nothing.
func settle(ctx context.Context, cfg config.Config, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("settle", flag.ContinueOnError)
	date := fs.String("date", "", "the day to settle, YYYY-MM-DD (default: today, UTC)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d := domain.Today()
	if *date != "" {
		var err error
		if d, err = domain.ParseDate(*date); err != nil {
			return err
		}
	}
	database, err := app.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()
	res, err := settlement.NewSettlements(database).Run(auth.System(ctx), d)
	if err != nil {
		return err
	}
	printSettlements(os.Stdout, res)
	logger.Info("settled", "date", string(d), "settlements", len(res.Settlements))
	return nil
}

func printSettlements(w io.Writer, res *settlement.RunResult) {
	if len(res.Settlements) == 0 {
		fmt.Fprintf(w, "%s: nothing to settle (already settled, or nothing payable)\n", res.Date)
		return
	}
	fmt.Fprintf(w, "%-32s %-32s %-14s %12s %12s %12s %12s\n", "settlement", "company", "status", "gross", "refunds", "fees", "net")
	for _, st := range res.Settlements {
		m := func(minor int64) string { return money.New(minor, st.Currency).Amount() }
		fmt.Fprintf(w, "%-32s %-32s %-14s %12s %12s %12s %12s\n", st.ID, st.CompanyID, st.Status,
			m(st.GrossMinor), m(st.RefundsMinor), m(st.FeesMinor), m(st.NetMinor))
	}
}
