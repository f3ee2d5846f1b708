package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/eventdelivery"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/outbound"
)

// errNoJobs: the service was not given its job client (UseJobs).
var errNoJobs = errors.New("events: no job client (UseJobs)")

// The outcomes of a delivery attempt (EventDelivery.outcome, the metrics' label).
const (
	OutcomeSucceeded        = "SUCCEEDED"
	OutcomeHTTPError        = "HTTP_ERROR"
	OutcomeTimeout          = "TIMEOUT"
	OutcomeDNSError         = "DNS_ERROR"
	OutcomeNetworkError     = "NETWORK_ERROR"
	OutcomeForbiddenAddress = "FORBIDDEN_ADDRESS"
)

// Body is what a delivery carries: the event, and the order (or settlement) it is
// about. Like Paywerk's callback it carries no status: the receiver reads the order.
type Body struct {
	EventID        string    `json:"eventId"`
	Type           string    `json:"type"`
	Sequence       *int      `json:"sequence"`
	OrderID        string    `json:"orderId,omitempty"`
	OrderReference string    `json:"orderReference,omitempty"`
	SettlementID   string    `json:"settlementId,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
}

type deliveryArgs struct {
	EventID string `json:"event_id"`
	// EndpointID is the webhook endpoint; empty: the order's callbackUrl.
	EndpointID string `json:"endpoint_id,omitempty"`
	Type       string `json:"type"` // for the job list
}

func (deliveryArgs) Kind() string { return "event_delivery" }

// InsertOpts puts every delivery on its own queue (jobs.QueueCallbacks).
func (deliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueCallbacks}
}

// CallbacksPerCompany is how many deliveries of one company an instance makes at
// once; the company's others wait (snoozed, not failed), so forty deliveries to one
// merchant's slow server hold two workers, never the queue.
const CallbacksPerCompany = 2

// slotSnooze is how long a delivery waits when its company's slots are full.
const slotSnooze = time.Second

// slots are counting semaphores per key that never block: take answers false when
// the key's slots are all taken.
type slots struct {
	mu   sync.Mutex
	max  int
	used map[string]int
}

func newSlots(max int) *slots { return &slots{max: max, used: map[string]int{}} }

func (s *slots) take(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used[key] >= s.max {
		return false
	}
	s.used[key]++
	return true
}

func (s *slots) give(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used[key]--; s.used[key] <= 0 {
		delete(s.used, key)
	}
}

type deliveryWorker struct {
	river.WorkerDefaults[deliveryArgs]
	s *Service
}

// NextRetry is the capped exponential backoff of RetryPolicy.
func (w *deliveryWorker) NextRetry(job *river.Job[deliveryArgs]) time.Time {
	return time.Now().Add(w.s.cfg.Retry.Delay(job.Attempt))
}

// Timeout bounds one attempt a little above the HTTP client's own timeout.
func (w *deliveryWorker) Timeout(*river.Job[deliveryArgs]) time.Duration {
	return DeliveryTimeout + 5*time.Second
}

// target is where one delivery goes and the keys that sign it.
type target struct {
	url      string
	keys     []string
	endpoint *ent.WebhookEndpoint
}

// targetOf answers where a delivery goes; nil when it no longer goes anywhere (the
// endpoint was deleted or disabled, the order has no callbackUrl).
func (s *Service) targetOf(ctx context.Context, ev *ent.Event, endpointID string) (*target, error) {
	if endpointID == "" {
		if ev.OrderID == nil {
			return nil, nil
		}
		o, err := s.cfg.DB.Ent.Order.Get(ctx, *ev.OrderID)
		if ent.IsNotFound(err) || (err == nil && o.CallbackURL == "") {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		return &target{url: o.CallbackURL, keys: []string{s.CallbackSecret(ev.CompanyID)}}, nil
	}
	ep, err := s.cfg.DB.Ent.WebhookEndpoint.Get(ctx, endpointID)
	if ent.IsNotFound(err) || (err == nil && ep.Disabled) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	keys, err := s.keysOf(ep)
	if err != nil {
		return nil, err
	}
	return &target{url: ep.URL, keys: keys, endpoint: ep}, nil
}

// keysOf opens an endpoint's signing keys: the current one, and the previous one
// while the roll's overlap lasts.
func (s *Service) keysOf(ep *ent.WebhookEndpoint) ([]string, error) {
	cur, err := s.box.Open(ep.SecretSealed)
	if err != nil {
		return nil, err
	}
	keys := []string{string(cur)}
	if ep.PreviousSecretSealed != nil && ep.PreviousSecretExpiresAt != nil && s.cfg.Now().Before(*ep.PreviousSecretExpiresAt) {
		prev, err := s.box.Open(*ep.PreviousSecretSealed)
		if err != nil {
			return nil, err
		}
		keys = append(keys, string(prev))
	}
	return keys, nil
}

// bodyOf is the JSON an event's deliveries carry.
func (s *Service) bodyOf(ctx context.Context, ev *ent.Event) ([]byte, error) {
	b := Body{EventID: ev.ID, Type: string(ev.Type), Sequence: ev.Sequence, CreatedAt: ev.CreatedAt.UTC()}
	if ev.OrderID != nil {
		o, err := s.cfg.DB.Ent.Order.Get(ctx, *ev.OrderID)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		b.OrderID = *ev.OrderID
		if o != nil {
			b.OrderReference = o.Reference
		}
	} else {
		b.SettlementID = ev.SubjectID
	}
	return json.Marshal(b)
}

// Work makes one delivery attempt and records it; anything but a 2xx answer is an
// error River retries, except an address that leads inside our network.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[deliveryArgs]) error {
	s := w.s
	sys := auth.System(ctx)
	ev, err := s.cfg.DB.Ent.Event.Get(sys, job.Args.EventID)
	if ent.IsNotFound(err) {
		return nil // purged
	} else if err != nil {
		return err
	}
	tg, err := s.targetOf(sys, ev, job.Args.EndpointID)
	if err != nil || tg == nil {
		return err
	}
	if !s.slots.take(ev.CompanyID) {
		return river.JobSnooze(slotSnooze)
	}
	defer s.slots.give(ev.CompanyID)
	body, err := s.bodyOf(sys, ev)
	if err != nil {
		return err
	}
	a := s.attempt(ctx, tg, body)
	if err := s.record(sys, ev, tg, a); err != nil {
		return err
	}
	switch a.outcome {
	case OutcomeSucceeded:
		return nil
	case OutcomeForbiddenAddress:
		// The URL leads inside our network: no retry will change that.
		return river.JobCancel(fmt.Errorf("delivery to %s: %s", tg.url, a.err))
	}
	return fmt.Errorf("delivery to %s: %s", tg.url, a.err)
}

// attemptResult is what one HTTP attempt came to.
type attemptResult struct {
	at       time.Time
	status   int // 0: no answer
	err      string
	outcome  string
	duration time.Duration
}

// attempt sends one signed delivery and classifies what happened.
func (s *Service) attempt(ctx context.Context, tg *target, body []byte) attemptResult {
	a := attemptResult{at: s.cfg.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.url, bytes.NewReader(body))
	if err != nil {
		a.outcome, a.err = OutcomeNetworkError, "invalid URL: "+err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "psp-backoffice-events/1")
	req.Header.Set(SignatureHeader, Sign(a.at, body, tg.keys...))
	start := time.Now()
	resp, err := s.cfg.HTTPClient.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
	}
	a.duration = time.Since(start)
	s.latency.Observe(a.duration.Seconds())
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case err == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299:
		a.status, a.outcome = resp.StatusCode, OutcomeSucceeded
	case err == nil:
		a.status, a.outcome, a.err = resp.StatusCode, OutcomeHTTPError, "answered "+resp.Status
	case errors.Is(err, outbound.ErrForbiddenAddress):
		a.outcome, a.err = OutcomeForbiddenAddress, err.Error()
	case errors.As(err, &dnsErr):
		a.outcome, a.err = OutcomeDNSError, err.Error()
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		a.outcome, a.err = OutcomeTimeout, err.Error()
	default:
		a.outcome, a.err = OutcomeNetworkError, err.Error()
	}
	s.outcomes.WithLabelValues(a.outcome).Inc()
	return a
}

// maxErrorLen bounds a recorded error.
const maxErrorLen = 500

// record writes the attempt and, in the same transaction, keeps the endpoint's
// failure bookkeeping: a success clears failing_since; a failure sets it, and
// disables the endpoint once it is DisableAfter old.
func (s *Service) record(ctx context.Context, ev *ent.Event, tg *target, a attemptResult) error {
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		prior := tx.Ent.EventDelivery.Query().Where(eventdelivery.EventID(ev.ID))
		if tg.endpoint != nil {
			prior.Where(eventdelivery.EndpointID(tg.endpoint.ID))
		} else {
			prior.Where(eventdelivery.EndpointIDIsNil())
		}
		n, err := prior.Count(ctx)
		if err != nil {
			return err
		}
		c := tx.Ent.EventDelivery.Create().SetEventID(ev.ID).SetPspID(ev.PspID).SetMerchantID(ev.MerchantID).
			SetCompanyID(ev.CompanyID).SetShopID(ev.ShopID).SetAttempt(n + 1).SetURL(tg.url).SetAt(a.at).
			SetDurationMs(int(a.duration.Milliseconds())).SetOutcome(a.outcome)
		if a.status != 0 {
			c.SetResponseStatus(a.status)
		}
		if a.err != "" {
			c.SetError(truncate(a.err, maxErrorLen))
		}
		if tg.endpoint != nil {
			c.SetEndpointID(tg.endpoint.ID)
		}
		if err := c.Exec(ctx); err != nil || tg.endpoint == nil {
			return err
		}
		return s.trackFailures(ctx, tx, tg.endpoint.ID, a)
	})
}

// trackFailures keeps an endpoint's failure streak (failing_since) and disables it
// after DisableAfter of failures, with the reason.
func (s *Service) trackFailures(ctx context.Context, tx *db.Tx, endpointID string, a attemptResult) error {
	ep, err := tx.Ent.WebhookEndpoint.Get(ctx, endpointID)
	if ent.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	upd := ep.Update()
	switch {
	case a.outcome == OutcomeSucceeded:
		if ep.FailingSince == nil {
			return nil
		}
		upd.ClearFailingSince()
	case ep.FailingSince == nil:
		upd.SetFailingSince(a.at)
	case a.at.Sub(*ep.FailingSince) >= DisableAfter:
		upd.SetDisabled(true).SetDisabledReason(truncate(fmt.Sprintf("every delivery failed since %s; the last: %s",
			ep.FailingSince.UTC().Format(time.RFC3339), a.err), maxErrorLen))
	default:
		return nil
	}
	return upd.Exec(ctx)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
