package conformance

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Delivery is one notification the Receiver got, with what ParseWebhook made of it.
type Delivery struct {
	Path   string
	Header http.Header
	Body   []byte
	Event  providers.Event
	Err    error // ParseWebhook's error; the Receiver answered 401 as our server does
	At     time.Time
}

// Receiver stands in for our /webhooks/{provider}: an httptest server that passes
// every request through ParseWebhook, answers 200 (or 401 on a refused one, as our
// server does) and keeps what it got. Build it before the sandbox, point the
// sandbox's notify URL at NotifyURL, and hand it to Run in the Harness.
type Receiver struct {
	// URL is the receiver's base URL (any path is accepted).
	URL string

	mu         sync.Mutex
	parse      func(http.Header, []byte) (providers.Event, error)
	deliveries []Delivery
	changed    chan struct{}
}

// NewReceiver starts a receiver that closes with the test.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{changed: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// NotifyURL is where a sandbox should send this provider's notifications.
func (r *Receiver) NotifyURL(name providers.Name) string {
	return r.URL + "/webhooks/" + string(name)
}

// SetParser sets the function every delivery goes through (Run sets the client's
// ParseWebhook when none was set).
func (r *Receiver) SetParser(parse func(http.Header, []byte) (providers.Event, error)) {
	r.mu.Lock()
	r.parse = parse
	r.mu.Unlock()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	d := Delivery{Path: req.URL.Path, Header: req.Header.Clone(), Body: body, At: time.Now()}
	r.mu.Lock()
	parse := r.parse
	r.mu.Unlock()
	status := http.StatusOK
	if parse != nil {
		d.Event, d.Err = parse(d.Header, d.Body)
		if d.Err != nil {
			status = http.StatusUnauthorized
		}
	}
	r.mu.Lock()
	r.deliveries = append(r.deliveries, d)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(status)
}

// Deliveries answers everything received so far, in arrival order.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// About answers the deliveries that concern one payment: its provider reference or
// order reference appears in the parsed event, or (for refused ones) in the body.
func (r *Receiver) About(providerRef, orderRef string) []Delivery {
	var out []Delivery
	for _, d := range r.Deliveries() {
		if d.concerns(providerRef, orderRef) {
			out = append(out, d)
		}
	}
	return out
}

func (d Delivery) concerns(providerRef, orderRef string) bool {
	if d.Err == nil {
		return (providerRef != "" && d.Event.ProviderReference == providerRef) ||
			(orderRef != "" && d.Event.OrderReference == orderRef)
	}
	b := string(d.Body)
	return (providerRef != "" && strings.Contains(b, providerRef)) || (orderRef != "" && strings.Contains(b, orderRef))
}

// WaitFor waits until at least n deliveries concern the payment and answers them; it
// fails the test after timeout.
func (r *Receiver) WaitFor(t testing.TB, providerRef, orderRef string, n int, timeout time.Duration) []Delivery {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		if got := r.About(providerRef, orderRef); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			got := r.About(providerRef, orderRef)
			t.Fatalf("waited %s for %d notification(s) about %s, got %d (all deliveries: %d)", timeout, n, providerRef, len(got), len(r.Deliveries()))
			return got
		}
	}
}
