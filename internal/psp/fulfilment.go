package psp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/idempotency"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Fulfilments and refunds (fulfilment*.go, refund*.go, reconcile.go) move money on a
// confirmed order in two steps, never holding a transaction across a provider call:
//
//  1. One transaction locks the order and its items, checks the rules (rules.go),
//     reserves the quantities and amounts on the items, records the operation
//     PENDING with its lines and its planned provider calls (steps.go), claims the
//     idempotency key, and inserts the reconcile job. Then it commits.
//  2. The provider calls, exactly as planned (reconcile.go); then SUCCEEDED (and
//     the order's money totals) or FAILED (and the reservation given back), or
//     still PENDING when an answer is open or money moved before a refusal — the
//     reconcile job finishes it.
//
// The order's totals follow docs/money.md "Order totals": amount = initialAmount − every SUCCEEDED
// refund (CANCEL and RETURN), refundedAmount their sum, fulfilledAmount the sum of
// SUCCEEDED fulfilments. The item quantities include reservations, so a concurrent
// request can never take them twice.

// DefaultReconcileAfter is how long after its creation an operation still PENDING is
// handed to the reconcile job.
const DefaultReconcileAfter = time.Minute

// DefaultProviderTimeout bounds one provider call with its bookkeeping. It stays
// below ReconcileAfter (at most half of it), so the job never repeats a call that is
// still under way (a provider without idempotency keys would act twice).
const DefaultProviderTimeout = 30 * time.Second

// OperationsConfig is what the fulfilment and refund service is built from.
type OperationsConfig struct {
	DB       *db.DB
	Registry providers.Registry
	Logger   *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// ReconcileAfter: zero is DefaultReconcileAfter.
	ReconcileAfter time.Duration
	// ProviderTimeout: zero is DefaultProviderTimeout.
	ProviderTimeout time.Duration
	// Events records the operations' outcomes (internal/events); nil records none
	// (tests of other concerns).
	Events *events.Service
	// Capabilities of each provider; nil is providers.CapabilitiesOf.
	Capabilities func(domain.Provider) providers.Capabilities
}

// Operations fulfils and refunds confirmed orders (fulfilOrder, fulfilAll,
// refundOrder, refundAll, previewRefund) and reconciles what the provider left open.
type Operations struct {
	cfg  OperationsConfig
	jobs *jobs.Client
	log  *slog.Logger
	// mismatches counts operations whose provider reported another amount than planned.
	mismatches *prometheus.CounterVec
}

// NewOperations builds the service. Register its worker before the job client is
// built, then hand it the client with UseJobs.
func NewOperations(cfg OperationsConfig) *Operations {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ReconcileAfter == 0 {
		cfg.ReconcileAfter = DefaultReconcileAfter
	}
	if cfg.ProviderTimeout == 0 {
		cfg.ProviderTimeout = min(DefaultProviderTimeout, cfg.ReconcileAfter/2)
	}
	if cfg.Capabilities == nil {
		cfg.Capabilities = providers.CapabilitiesOf
	}
	return &Operations{cfg: cfg, log: cfg.Logger, mismatches: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "backoffice_provider_amount_mismatches_total",
		Help: "Provider calls whose reported amount differs from the planned one (recorded as reported).",
	}, []string{"provider", "operation"})}
}

// Collectors are the service's Prometheus metrics, for the server's registry.
func (s *Operations) Collectors() []prometheus.Collector { return []prometheus.Collector{s.mismatches} }

// UseJobs gives the service the job client it inserts reconcile jobs with.
func (s *Operations) UseJobs(c *jobs.Client) { s.jobs = c }

// Register adds the reconcile and sweep workers.
func (s *Operations) Register(w *river.Workers) {
	river.AddWorker(w, &reconcileWorker{s: s})
	river.AddWorker(w, &sweepWorker{s: s})
}

// FulfilInput is fulfilOrder's input.
type FulfilInput struct {
	OrderID        string
	Items          []FulfilRequestItem
	IdempotencyKey string
}

// FulfilAllInput is fulfilAll's input.
type FulfilAllInput struct {
	OrderID        string
	IdempotencyKey string
}

// FulfilResult is a fulfilment and its order after the provider's answer (or its
// current state, for a replay).
type FulfilResult struct {
	Fulfilment *ent.Fulfilment
	Order      *ent.Order
	// Replayed: the idempotency key was seen before; nothing was done again.
	Replayed bool
}

// opRef is what an idempotency record stores for a fulfilment or refund: the
// operation's id; a replay re-reads it.
type opRef struct {
	ID string `json:"id"`
}

// Fulfil fulfils quantities of items (captures them at the provider). A refusal is a
// *domain.Refusal; when the provider refuses the capture the result carries the
// FAILED fulfilment beside a PROVIDER_ERROR refusal.
func (s *Operations) Fulfil(ctx context.Context, in FulfilInput) (*FulfilResult, error) {
	if err := refuseTooManyItems(len(in.Items)); err != nil {
		return nil, err
	}
	req := idempotency.Request{Operation: "fulfilOrder", Key: in.IdempotencyKey,
		Input: struct {
			OrderID string              `json:"orderId"`
			Items   []FulfilRequestItem `json:"items"`
		}{in.OrderID, in.Items}}
	return s.fulfil(ctx, req, in.OrderID, func(currency string, items []ItemState) (Plan, error) {
		return PlanFulfilment(currency, items, in.Items)
	})
}

// FulfilAll fulfils every open quantity of the order.
func (s *Operations) FulfilAll(ctx context.Context, in FulfilAllInput) (*FulfilResult, error) {
	req := idempotency.Request{Operation: "fulfilAll", Key: in.IdempotencyKey,
		Input: struct {
			OrderID string `json:"orderId"`
		}{in.OrderID}}
	return s.fulfil(ctx, req, in.OrderID, PlanFulfilAll)
}

func (s *Operations) fulfil(ctx context.Context, req idempotency.Request, orderID string, plan planFunc) (*FulfilResult, error) {
	id, replayed, err := s.operate(ctx, req, opFulfilment, orderID, "", plan)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.DB.Ent.Fulfilment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ord, err := s.orderOf(ctx, f.OrderID)
	if err != nil {
		return nil, err
	}
	return &FulfilResult{Fulfilment: f, Order: ord, Replayed: replayed}, refusedIf(ord, f.Status, "capture", f.FailureReason)
}

// auditInput summarises an operation for the audit trail.
func auditInput(pl Plan, reason string) map[string]any {
	lines := make([]map[string]any, len(pl.Lines))
	for i, l := range pl.Lines {
		lines[i] = map[string]any{"sku": l.SKU, "quantity": l.Quantity.String(), "amount": l.Amount.Amount()}
		if l.Type != "" {
			lines[i]["refundType"] = string(l.Type)
		}
	}
	in := map[string]any{"amount": pl.Amount.Amount(), "currency": pl.Amount.Currency(), "lines": lines}
	if reason != "" {
		in["reason"] = reason
	}
	return in
}

// providerRefused is the refusal beside an operation the provider refused.
func providerRefused(ord *ent.Order, what, reason string) error {
	return domain.RefuseErr(ErrProviderRefused, nil,
		fmt.Sprintf("%s refused the %s: %s. Nothing was %s; the quantities are open again", ord.Provider, what, reason,
			map[string]string{"capture": "fulfilled", "refund": "refunded"}[what]))
}
