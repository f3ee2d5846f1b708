package sandboxkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Notification is one request a sandbox sends to the merchant's (our) server: a
// webhook, callback or postback, built in the provider's wire format.
type Notification struct {
	Account   string // the account whose payment it concerns, for fault matching
	Operation string // fault operation name; "" is OpNotify
	Label     string // what it is ("callback", "order_authorized"), for the attempts log
	Method    string // "" is POST
	URL       string
	Header    http.Header
	Body      []byte
}

// Retry is how the Notifier retries a delivery until a 2xx answer.
type Retry struct {
	Initial     time.Duration // first wait; doubles after each failure
	Max         time.Duration // cap of the wait
	MaxAttempts int           // attempts before giving up
}

// DefaultRetry resembles the providers' own schedules, shortened for a demo.
var DefaultRetry = Retry{Initial: time.Second, Max: time.Minute, MaxAttempts: 10}

// TestRetry is short enough for tests.
var TestRetry = Retry{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxAttempts: 8}

// NotifierConfig configures a Notifier. The zero value works: DefaultRetry, a client
// with a 10 s timeout, no faults.
type NotifierConfig struct {
	Client *http.Client
	Faults *Faults
	Retry  Retry
	// HoldFor bounds how long an out_of_order fault holds a notification back when no
	// newer one comes; then it is delivered anyway. Zero means 2 s.
	HoldFor time.Duration
	// Logf, when set, receives one line per failed attempt.
	Logf func(format string, args ...any)
}

// Attempt is one delivery attempt, for the attempts log.
type Attempt struct {
	At        time.Time `json:"at"`
	Account   string    `json:"account,omitempty"`
	Label     string    `json:"label,omitempty"`
	URL       string    `json:"url"`
	Number    int       `json:"attempt"`
	Status    int       `json:"status,omitempty"`
	Error     string    `json:"error,omitempty"`
	Injected  bool      `json:"injected,omitempty"` // failed by a fail_delivery fault, never sent
	Delivered bool      `json:"delivered"`
}

const maxAttemptsLog = 1000

// Notifier delivers notifications in the background, retrying with growing intervals
// until the receiver answers 2xx, and applies the notification faults. It is safe for
// concurrent use; Send never blocks on the network.
type Notifier struct {
	cfg    NotifierConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	held     map[string][]*heldNotification
	chain    map[string]chan struct{} // per account: closed when the latest one's first attempt is done
	attempts []Attempt
}

type heldNotification struct {
	n     Notification
	timer *time.Timer
}

// NewNotifier answers a running Notifier.
func NewNotifier(cfg NotifierConfig) *Notifier {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Retry.MaxAttempts <= 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.Retry.Initial <= 0 {
		cfg.Retry.Initial = DefaultRetry.Initial
	}
	if cfg.Retry.Max < cfg.Retry.Initial {
		cfg.Retry.Max = cfg.Retry.Initial
	}
	if cfg.HoldFor <= 0 {
		cfg.HoldFor = 2 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Notifier{cfg: cfg, ctx: ctx, cancel: cancel, held: map[string][]*heldNotification{}, chain: map[string]chan struct{}{}}
}

// Send queues a notification and returns at once. An account's notifications make
// their first attempts in the order they were sent, so without faults they arrive
// in order; retries do not hold later ones up (a receiver that is down for one is
// not made to wait for all). A duplicate_webhook fault delivers it twice; an
// out_of_order fault holds it back until the account's next notification has been
// delivered (or HoldFor has passed).
func (nf *Notifier) Send(n Notification) {
	if n.Operation == "" {
		n.Operation = OpNotify
	}
	if n.Method == "" {
		n.Method = http.MethodPost
	}
	nf.mu.Lock()
	defer nf.mu.Unlock()
	if nf.closed {
		nf.logAttempt(Attempt{At: time.Now(), Account: n.Account, Label: n.Label, URL: n.URL, Error: "notifier closed: dropped"})
		return
	}
	nf.wg.Add(1)
	if _, ok := nf.cfg.Faults.Take(n.Account, n.Operation, FaultOutOfOrder); ok {
		h := &heldNotification{n: n}
		h.timer = time.AfterFunc(nf.cfg.HoldFor, func() { nf.releaseHeld(n.Account, h) })
		nf.held[n.Account] = append(nf.held[n.Account], h)
		return
	}
	older := nf.held[n.Account]
	delete(nf.held, n.Account)
	for _, h := range older {
		h.timer.Stop() // removed under the lock, so its timer finds nothing to release
	}
	prev, done := nf.chain[n.Account], make(chan struct{})
	nf.chain[n.Account] = done
	var once sync.Once
	firstDone := func() {
		once.Do(func() {
			close(done)
			nf.mu.Lock()
			if nf.chain[n.Account] == done {
				delete(nf.chain, n.Account)
			}
			nf.mu.Unlock()
		})
	}
	go func() {
		defer nf.wg.Done()
		defer firstDone()
		if prev != nil {
			select {
			case <-prev:
			case <-nf.ctx.Done(): // deliveries below give up at once
			}
		}
		nf.deliver(n, firstDone)
		// The older ones go after the newer one, in the order they were held.
		for _, h := range older {
			nf.deliver(h.n, nil)
			nf.wg.Done()
		}
	}()
}

// releaseHeld delivers a held notification when no newer one came in time.
func (nf *Notifier) releaseHeld(account string, h *heldNotification) {
	nf.mu.Lock()
	list := nf.held[account]
	found := false
	for i, x := range list {
		if x == h {
			nf.held[account] = append(list[:i:i], list[i+1:]...)
			found = true
			break
		}
	}
	if len(nf.held[account]) == 0 {
		delete(nf.held, account)
	}
	nf.mu.Unlock()
	if !found {
		return
	}
	go func() {
		defer nf.wg.Done()
		nf.deliver(h.n, nil)
	}()
}

// deliver sends one notification (twice under a duplicate_webhook fault);
// afterFirst, when set, runs once its first attempt is over.
func (nf *Notifier) deliver(n Notification, afterFirst func()) {
	_, dup := nf.cfg.Faults.Take(n.Account, n.Operation, FaultDuplicateWebhook)
	nf.deliverWithRetry(n, afterFirst)
	if dup {
		nf.deliverWithRetry(n, nil)
	}
}

func (nf *Notifier) deliverWithRetry(n Notification, afterFirst func()) {
	wait := nf.cfg.Retry.Initial
	for attempt := 1; attempt <= nf.cfg.Retry.MaxAttempts; attempt++ {
		if nf.ctx.Err() != nil {
			return
		}
		a := Attempt{At: time.Now(), Account: n.Account, Label: n.Label, URL: n.URL, Number: attempt}
		if _, ok := nf.cfg.Faults.Take(n.Account, n.Operation, FaultFailDelivery); ok {
			a.Injected = true
			a.Error = "injected fail_delivery: receiver unreachable"
		} else {
			a.Status, a.Error = nf.post(n)
			a.Delivered = a.Error == "" && a.Status >= 200 && a.Status < 300
		}
		nf.mu.Lock()
		nf.logAttempt(a)
		nf.mu.Unlock()
		if attempt == 1 && afterFirst != nil {
			afterFirst()
		}
		if a.Delivered {
			return
		}
		if nf.cfg.Logf != nil {
			nf.cfg.Logf("sandbox notify %s %s attempt %d: status %d %s", n.Label, n.URL, attempt, a.Status, a.Error)
		}
		if attempt == nf.cfg.Retry.MaxAttempts {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-nf.ctx.Done():
			t.Stop()
			return
		}
		wait *= 2
		if wait > nf.cfg.Retry.Max {
			wait = nf.cfg.Retry.Max
		}
	}
}

func (nf *Notifier) post(n Notification) (status int, errText string) {
	req, err := http.NewRequestWithContext(nf.ctx, n.Method, n.URL, bytes.NewReader(n.Body))
	if err != nil {
		return 0, err.Error()
	}
	for k, vs := range n.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := nf.cfg.Client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "receiver answered " + resp.Status
	}
	return resp.StatusCode, ""
}

// logAttempt appends to the attempts log; the caller holds nf.mu.
func (nf *Notifier) logAttempt(a Attempt) {
	nf.attempts = append(nf.attempts, a)
	if len(nf.attempts) > maxAttemptsLog {
		nf.attempts = append([]Attempt(nil), nf.attempts[len(nf.attempts)-maxAttemptsLog:]...)
	}
}

// Attempts answers the logged delivery attempts, oldest first.
func (nf *Notifier) Attempts() []Attempt {
	nf.mu.Lock()
	defer nf.mu.Unlock()
	return append([]Attempt(nil), nf.attempts...)
}

// Wait blocks until every queued notification has been delivered or given up,
// including held ones.
func (nf *Notifier) Wait() { nf.wg.Wait() }

// Close stops retrying, drops held notifications, refuses new ones and waits for the
// deliveries in flight to end.
func (nf *Notifier) Close() {
	nf.mu.Lock()
	if nf.closed {
		nf.mu.Unlock()
		nf.wg.Wait()
		return
	}
	nf.closed = true
	nf.cancel()
	for acct, list := range nf.held {
		for _, h := range list {
			h.timer.Stop() // removed under the lock: a fired timer finds nothing
			nf.wg.Done()
		}
		delete(nf.held, acct)
	}
	nf.mu.Unlock()
	nf.wg.Wait()
}
