// Package reconciliation compares, for one provider and one day, every order,
// capture and refund the backoffice recorded with what the provider's own read API
// reports, and keeps the differences as a report (docs/reconciliation.md).
//
// The decisions a reader would otherwise rediscover:
//   - The day's orders are those of the provider created that day or with a
//     fulfilment or refund created that day (UTC); each is compared whole (its
//     status, its totals or operations, its item quantities), since providers report
//     payments, not days.
//   - A provider with a listing (providers.Lister: Billwerk+) is paged through for
//     the day; only orders of ours the listing did not include (older payments with
//     activity today) are read one by one. Other providers are read one payment at
//     a time, at most Concurrency at once.
//   - A rerun of the same PSP, provider and day replaces the report's content in
//     one transaction: the report row stays (its id too); differences found again
//     stay with their resolution, others go or come. Two runs at once: the first
//     to update the report row holds it until it commits; two first runs both
//     inserting meet the unique (psp, provider, date) index, and the loser retries
//     once as a rerun.
//   - Reads go through Source (today the serving database); the read replica is to
//     be plugged in there, the one place reconciliation reads our records.
package reconciliation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/psp"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// MaxDaysBack is how far back a day may be reconciled.
const MaxDaysBack = 366

// DefaultConcurrency is how many payments are read from a provider at once.
const DefaultConcurrency = 8

// Clients answers a PSP's client at a provider (providers/registry.Registry).
type Clients interface {
	For(ctx context.Context, pspID string, p domain.Provider) (providers.Provider, error)
}

// Config wires the service.
type Config struct {
	DB      *db.DB
	Clients Clients
	// Source is where our records are read; nil reads DB's client. The read
	// replica belongs here (package doc).
	Source      *ent.Client
	Concurrency int
	Logger      *slog.Logger
	Now         func() time.Time
}

// Service runs reconciliations and records what staff did about their findings.
type Service struct {
	cfg        Config
	mismatches *prometheus.GaugeVec
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Source == nil {
		cfg.Source = cfg.DB.Ent
	}
	return &Service{cfg: cfg, mismatches: prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "backoffice_reconciliation_mismatches",
		Help: "Unresolved differences the latest reconciliation of a day found, by provider and kind.",
	}, []string{"provider", "kind"})}
}

// Collectors are the service's Prometheus metrics, for the server's registry.
func (s *Service) Collectors() []prometheus.Collector { return []prometheus.Collector{s.mismatches} }

// Today is the current UTC day.
func (s *Service) Today() domain.Date { return domain.DateOf(s.cfg.Now()) }

// RunInput is runReconciliation's input: nil date is today, nil provider every one.
type RunInput struct {
	Date     *domain.Date
	Provider *domain.Provider
}

// Run reconciles a day for one provider or all of them: for PSP staff their PSP, for
// the system (the daily job) every PSP. It answers the reports written.
func (s *Service) Run(ctx context.Context, in RunInput) ([]*ent.ReconciliationReport, error) {
	p := auth.From(ctx)
	if p == nil || !(p.IsSystem() || (p.IsPSPStaff() && p.MerchantID == "")) {
		return nil, refuse(ErrForbidden, nil, "only PSP staff reconcile with the providers")
	}
	day := s.Today()
	if in.Date != nil {
		day = *in.Date
	}
	if day.After(s.Today()) || day.Before(s.Today().AddDays(-MaxDaysBack)) {
		return nil, refuse(ErrInvalidDate, domain.Field("date"),
			fmt.Sprintf("%s is not a day that can be reconciled: from %d days back to today", day, MaxDaysBack))
	}
	provs := []domain.Provider{domain.ProviderBillie, domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBetterPayment}
	if in.Provider != nil {
		provs = []domain.Provider{*in.Provider}
	}
	pspIDs := []string{p.PSPID}
	if p.IsSystem() {
		var err error
		if pspIDs, err = s.cfg.DB.Ent.PSP.Query().IDs(ctx); err != nil {
			return nil, err
		}
	}
	var out []*ent.ReconciliationReport
	var errs []error
	for _, pspID := range pspIDs {
		for _, pr := range provs {
			rep, err := s.RunOne(ctx, pspID, pr, day)
			if errors.Is(err, errNoAccount) {
				if in.Provider != nil && !p.IsSystem() {
					return nil, refuse(ErrNoAccount, domain.Field("provider"), fmt.Sprintf("the PSP has no %s account to reconcile with", pr))
				}
				continue // nothing to reconcile with this provider
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("reconcile %s %s: %w", pr, day, err))
				continue
			}
			out = append(out, rep)
		}
	}
	return out, errors.Join(errs...)
}

// RunOne reconciles one PSP's day at one provider and replaces that day's report.
func (s *Service) RunOne(ctx context.Context, pspID string, pr domain.Provider, day domain.Date) (*ent.ReconciliationReport, error) {
	exists, err := s.cfg.DB.Ent.PSP.Query().Where(psp.ID(pspID)).Exist(ctx)
	if err != nil || !exists {
		return nil, errors.Join(err, errors.New("no such PSP"))
	}
	client, err := s.cfg.Clients.For(ctx, pspID, pr)
	if ent.IsNotFound(err) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, fmt.Errorf("provider client: %w", err)
	}
	ours, err := s.loadOurs(ctx, pspID, pr, day)
	if err != nil {
		return nil, fmt.Errorf("our records: %w", err)
	}
	findings, checked, err := s.compareDay(ctx, client, ours, day)
	if err != nil {
		return nil, err
	}
	rep, err := s.write(ctx, pspID, pr, day, checked, findings)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, pr)
	return rep, nil
}

// errNoAccount: the PSP has no account at the provider.
var errNoAccount = errors.New("reconciliation: no provider account")

func refuse(n *domain.Named, field []string, msg string) error {
	var r domain.Refusal
	r.AddErr(n, field, msg)
	return r.Err()
}
