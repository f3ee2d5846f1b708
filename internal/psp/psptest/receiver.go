package psptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/events"
)

// Receiver is a merchant's callbackUrl or webhook endpoint: it answers 500 to the
// first FailFirst deliveries, then 200, and keeps every delivery it received.
type Receiver struct {
	*httptest.Server
	mu         sync.Mutex
	failFirst  int
	deliveries []Delivery
}

// Delivery is one request a Receiver received and what it answered.
type Delivery struct {
	At        time.Time
	Body      []byte
	Signature string
	Status    int
}

// NewReceiver starts a receiver that fails the first failFirst deliveries.
func NewReceiver(t testing.TB, failFirst int) *Receiver {
	s := &Receiver{failFirst: failFirst}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		status := http.StatusOK
		if len(s.deliveries) < s.failFirst {
			status = http.StatusInternalServerError
		}
		s.deliveries = append(s.deliveries, Delivery{At: time.Now(), Body: body, Signature: r.Header.Get(events.SignatureHeader), Status: status})
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

// All answers the deliveries received so far.
func (s *Receiver) All() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Count is how many deliveries announced an order and were acknowledged.
func (s *Receiver) Count(orderID string) int {
	n := 0
	for _, d := range s.All() {
		var b events.Body
		if json.Unmarshal(d.Body, &b) == nil && b.OrderID == orderID && d.Status == http.StatusOK {
			n++
		}
	}
	return n
}
