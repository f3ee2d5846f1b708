package psp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/outbound"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// Merchant callbacks: when an order's status changes, the merchant's callbackUrl
// receives {"orderId","orderReference"} — like Paywerk's callback it carries no
// status; the merchant reads the order — signed the way Stripe signs webhooks:
//
//	Backoffice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>
//
// The key is the company's webhook signing secret, derived from BACKOFFICE_SECRET and
// the company id (CallbackSecret), which merchant admins read as
// Company.webhookSigningSecret. Being derived, it is stable across restarts and
// instances and needs no storage; rotating it means rotating BACKOFFICE_SECRET.
// A delivery counts when the merchant answers 2xx; otherwise River retries it with
// exponential backoff capped at CallbackPolicy.MaxBackoff, MaxAttempts times.
// Deliveries go through internal/outbound (no internal addresses, no redirects,
// bounded time and answer) on their own queue, at most CallbacksPerCompany at once
// per company, so a merchant's slow server delays nobody else and no payment.

// SignatureHeader is the header carrying a callback's signature.
const SignatureHeader = "Backoffice-Signature"

// CallbackTimeout bounds one delivery attempt.
const CallbackTimeout = 10 * time.Second

// DefaultSignatureTolerance is how old a signed callback VerifyCallback accepts.
const DefaultSignatureTolerance = 5 * time.Minute

// CallbackPolicy is how merchant callbacks are retried: Backoff × 2^(attempt−1),
// at most MaxBackoff, up to MaxAttempts attempts.
type CallbackPolicy struct {
	Backoff     time.Duration
	MaxBackoff  time.Duration
	MaxAttempts int
}

// DefaultCallbackPolicy retries for about a day: 10 s, 20 s, 40 s, … capped at 1 h.
var DefaultCallbackPolicy = CallbackPolicy{Backoff: 10 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 30}

// Delay is the wait after the attempt-th failed attempt.
func (p CallbackPolicy) Delay(attempt int) time.Duration {
	d := p.Backoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// CallbackSecret is a company's callback signing key, derived from the server secret.
func CallbackSecret(serverSecret, companyID string) string {
	return "whsec_" + hex.EncodeToString(secrets.Derive(serverSecret, "merchant-callbacks/"+companyID))
}

// WebhookSigningSecret is CallbackSecret for this server.
func (o *Orders) WebhookSigningSecret(companyID string) string {
	return CallbackSecret(o.cfg.Secret, companyID)
}

// CallbackBody is what a merchant callback carries.
type CallbackBody struct {
	OrderID        string `json:"orderId"`
	OrderReference string `json:"orderReference"`
}

// SignCallback answers the Backoffice-Signature header value of body at time t.
func SignCallback(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + callbackMAC(secret, ts, body)
}

func callbackMAC(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Callback signature errors.
var (
	// ErrSignatureMissing: no t= or no v1= in the header.
	ErrSignatureMissing = errors.New("callback signature: header missing or malformed")
	// ErrSignatureMismatch: no v1 signature matches the body.
	ErrSignatureMismatch = errors.New("callback signature: no signature matches the body")
	// ErrSignatureExpired: the timestamp is outside the tolerance (a replay).
	ErrSignatureExpired = errors.New("callback signature: timestamp outside the tolerance")
)

// VerifyCallback checks a callback as a merchant's server should: the raw body, the
// Backoffice-Signature header, the company's secret, and a tolerance against
// replays (0 is DefaultSignatureTolerance). Any v1 entry may match, so a future key
// rotation can send two.
func VerifyCallback(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance == 0 {
		tolerance = DefaultSignatureTolerance
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMissing
	}
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return ErrSignatureExpired
	}
	want := []byte(callbackMAC(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

type callbackArgs struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"` // the status it announces, for the job list
}

func (callbackArgs) Kind() string { return "psp_merchant_callback" }

// InsertOpts puts every callback on its own queue (jobs.QueueCallbacks).
func (callbackArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueCallbacks}
}

// CallbacksPerCompany is how many callbacks of one company an instance delivers at
// once; the company's others wait (snoozed, not failed), so forty callbacks to one
// merchant's slow server hold two workers, never the queue.
const CallbacksPerCompany = 2

// callbackSnooze is how long a callback waits when its company's slots are full.
const callbackSnooze = time.Second

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

// queueCallback queues the merchant callback of an order's status change, in the
// transaction that made the change.
func (o *Orders) queueCallback(ctx context.Context, tx *db.Tx, ord *ent.Order) error {
	if ord.CallbackURL == "" {
		return nil
	}
	_, err := o.jobs.InsertTx(ctx, tx.SQL, callbackArgs{OrderID: ord.ID, Status: string(ord.Status)},
		&river.InsertOpts{MaxAttempts: o.cfg.Callbacks.MaxAttempts, Queue: jobs.QueueCallbacks})
	return err
}

type callbackWorker struct {
	river.WorkerDefaults[callbackArgs]
	o *Orders
}

// NextRetry is the capped exponential backoff of CallbackPolicy.
func (w *callbackWorker) NextRetry(job *river.Job[callbackArgs]) time.Time {
	return time.Now().Add(w.o.cfg.Callbacks.Delay(job.Attempt))
}

// Timeout bounds one attempt a little above the HTTP client's own timeout.
func (w *callbackWorker) Timeout(*river.Job[callbackArgs]) time.Duration {
	return CallbackTimeout + 5*time.Second
}

// Work delivers one callback; anything but a 2xx answer is an error River retries.
func (w *callbackWorker) Work(ctx context.Context, job *river.Job[callbackArgs]) error {
	o := w.o
	ord, err := o.cfg.DB.Ent.Order.Get(auth.System(ctx), job.Args.OrderID)
	if ent.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if ord.CallbackURL == "" {
		return nil
	}
	if !o.callbackSlots.take(ord.CompanyID) {
		return river.JobSnooze(callbackSnooze)
	}
	defer o.callbackSlots.give(ord.CompanyID)
	body, err := json.Marshal(CallbackBody{OrderID: ord.ID, OrderReference: ord.Reference})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ord.CallbackURL, bytes.NewReader(body))
	if err != nil {
		return river.JobCancel(fmt.Errorf("callback URL: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "psp-backoffice-callbacks/1")
	req.Header.Set(SignatureHeader, SignCallback(o.WebhookSigningSecret(ord.CompanyID), o.cfg.Now(), body))
	resp, err := o.cfg.HTTPClient.Do(req)
	if errors.Is(err, outbound.ErrForbiddenAddress) {
		// The URL leads inside our network: no retry will change that.
		return river.JobCancel(fmt.Errorf("callback to %s: %w", ord.CallbackURL, err))
	}
	if err != nil {
		return fmt.Errorf("callback to %s: %w", ord.CallbackURL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("callback to %s answered %s", ord.CallbackURL, resp.Status)
	}
	return nil
}
