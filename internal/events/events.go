// Package events owns what a merchant's integration hears of its orders and
// settlements (docs/events.md): the event log (Event, written by the domain services
// in the transaction of each change through Service.Record), the company's webhook
// endpoints, every delivery attempt (EventDelivery) and the client that delivers
// them — to the endpoints and to an order's callbackUrl — signed with
// Backoffice-Signature.
//
// Decisions a reader would otherwise rediscover:
//   - Sequence numbers are gap-free per order because they are counted in the order's
//     own row (Order.event_sequence += 1, an UPDATE that takes the row lock) in the
//     transaction that writes the event: a rolled-back change takes its number with
//     it, and a second writer waits for the first to commit. A unique index on
//     (order_id, sequence) is the database's backstop.
//   - Deliveries are River jobs on their own queue (jobs.QueueCallbacks), inserted in
//     the event's transaction, at most CallbacksPerCompany at once per company per
//     instance, through internal/outbound: a dead endpoint delays no payment.
//   - Every attempt is a row, written by the worker as the system, whatever happened:
//     an answer (its status), a timeout, a DNS or network failure, a refused address.
//   - An endpoint whose every delivery failed for DisableAfter is disabled with the
//     reason, which its company's admins read on WebhookEndpoint.disabledReason.
package events

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/webhookendpoint"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/outbound"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// Type is an event's type (ORDER_CONFIRMED, …).
type Type = event.Type

// DeliveryTimeout bounds one delivery attempt.
const DeliveryTimeout = 10 * time.Second

// DisableAfter is how long an endpoint may fail every delivery before it is disabled.
const DisableAfter = 24 * time.Hour

// RetryPolicy is how deliveries are retried: Backoff × 2^(attempt−1), at most
// MaxBackoff, up to MaxAttempts attempts.
type RetryPolicy struct {
	Backoff     time.Duration
	MaxBackoff  time.Duration
	MaxAttempts int
}

// DefaultRetryPolicy retries for about a day: 10 s, 20 s, 40 s, … capped at 1 h.
var DefaultRetryPolicy = RetryPolicy{Backoff: 10 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 30}

// Delay is the wait after the attempt-th failed attempt.
func (p RetryPolicy) Delay(attempt int) time.Duration {
	d := p.Backoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// Config is what the service is built from.
type Config struct {
	DB *db.DB
	// Secret is BACKOFFICE_SECRET: the callback keys derive from it and the endpoint
	// secrets are sealed under it.
	Secret string
	// Retry: zero is DefaultRetryPolicy.
	Retry RetryPolicy
	// HTTPClient delivers; nil is the outbound client (no internal addresses unless
	// AllowPrivate) with DeliveryTimeout.
	HTTPClient *http.Client
	// AllowPrivate is CALLBACKS_ALLOW_PRIVATE: deliveries may reach loopback and
	// private addresses (local development, tests and the demo only).
	AllowPrivate bool
	Logger       *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Service records events and delivers them. A nil *Service records nothing (services
// built for tests of other concerns).
type Service struct {
	cfg   Config
	box   *secrets.Box
	jobs  *jobs.Client
	log   *slog.Logger
	slots *slots

	outcomes *prometheus.CounterVec
	latency  prometheus.Histogram
}

// New builds the service. Register its worker before the job client is built, then
// hand it the client with UseJobs.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Retry.MaxAttempts == 0 {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = outbound.NewClient(outbound.Options{AllowPrivate: cfg.AllowPrivate, Timeout: DeliveryTimeout})
	}
	box, err := secrets.NewBox(cfg.Secret)
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, box: box, log: cfg.Logger, slots: newSlots(CallbacksPerCompany),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backoffice_event_deliveries_total",
			Help: "Event delivery attempts (webhook endpoints and order callbacks) by outcome.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "backoffice_event_delivery_seconds",
			Help:    "How long one event delivery attempt took, answered or not.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}, nil
}

// Collectors are the service's Prometheus metrics, for the server's registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.outcomes, s.latency}
}

// UseJobs gives the service the job client it inserts deliveries with.
func (s *Service) UseJobs(c *jobs.Client) { s.jobs = c }

// Register adds the delivery worker.
func (s *Service) Register(w *river.Workers) { river.AddWorker(w, &deliveryWorker{s: s}) }

// CallbackSecret is the company's key for its orders' callbackUrl deliveries.
func (s *Service) CallbackSecret(companyID string) string {
	return CallbackSecret(s.cfg.Secret, companyID)
}

// Change is what happened, for Record: an order's change (Order set; SubjectID the
// fulfilment or refund, if any) or a settlement's (Settlement set).
type Change struct {
	Type       Type
	Order      *ent.Order
	Settlement *ent.Settlement
	SubjectID  string
}

// Record writes the event of a change in the change's own transaction, with the
// order's next sequence number, and queues its deliveries: to the order's
// callbackUrl and to every enabled endpoint of the company that subscribes to its
// type.
func (s *Service) Record(ctx context.Context, tx *db.Tx, c Change) (*ent.Event, error) {
	if s == nil {
		return nil, nil
	}
	sys := auth.System(ctx)
	create := tx.Ent.Event.Create().SetType(c.Type).SetSubjectID(c.SubjectID)
	callbackURL := ""
	switch {
	case c.Order != nil:
		// The UPDATE takes the order's row lock until the transaction ends: the next
		// writer reads this number plus one, and a rollback returns it (package doc).
		o, err := tx.Ent.Order.UpdateOneID(c.Order.ID).AddEventSequence(1).Save(sys)
		if err != nil {
			return nil, err
		}
		create.SetPspID(o.PspID).SetMerchantID(o.MerchantID).SetCompanyID(o.CompanyID).SetShopID(o.ShopID).
			SetOrderID(o.ID).SetSequence(o.EventSequence)
		callbackURL = o.CallbackURL
	case c.Settlement != nil:
		st := c.Settlement
		create.SetPspID(st.PspID).SetMerchantID(st.MerchantID).SetCompanyID(st.CompanyID).SetSubjectID(st.ID)
	default:
		return nil, nil
	}
	now := s.cfg.Now()
	ev, err := create.SetCreatedAt(now).SetUpdatedAt(now).Save(sys)
	if err != nil {
		return nil, err
	}
	return ev, s.queue(ctx, tx, ev, callbackURL)
}

// queue inserts the deliveries of an event in tx: the order's callbackUrl (when
// given) and the subscribing enabled endpoints.
func (s *Service) queue(ctx context.Context, tx *db.Tx, ev *ent.Event, callbackURL string) error {
	eps, err := tx.Ent.WebhookEndpoint.Query().
		Where(webhookendpoint.CompanyID(ev.CompanyID), webhookendpoint.Disabled(false)).All(auth.System(ctx))
	if err != nil {
		return err
	}
	var params []river.InsertManyParams
	opts := &river.InsertOpts{MaxAttempts: s.cfg.Retry.MaxAttempts, Queue: jobs.QueueCallbacks}
	if callbackURL != "" {
		params = append(params, river.InsertManyParams{Args: deliveryArgs{EventID: ev.ID, Type: string(ev.Type)}, InsertOpts: opts})
	}
	for _, ep := range eps {
		if subscribes(ep, ev.Type) {
			params = append(params, river.InsertManyParams{
				Args: deliveryArgs{EventID: ev.ID, EndpointID: ep.ID, Type: string(ev.Type)}, InsertOpts: opts})
		}
	}
	if len(params) == 0 {
		return nil
	}
	if s.jobs == nil {
		return errNoJobs
	}
	_, err = s.jobs.InsertManyTx(ctx, tx.SQL, params)
	return err
}

// subscribes answers whether an endpoint takes events of type t (no types: all).
func subscribes(ep *ent.WebhookEndpoint, t Type) bool {
	return len(ep.EventTypes) == 0 || slices.Contains(ep.EventTypes, string(t))
}
