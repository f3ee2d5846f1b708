package psp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// callbackServer is a merchant's callbackUrl: it answers 500 to the first failFirst
// deliveries, then 200, and keeps every delivery it received.
type callbackServer struct {
	*httptest.Server
	mu         sync.Mutex
	failFirst  int
	deliveries []delivery
}

type delivery struct {
	at        time.Time
	body      []byte
	signature string
	status    int
}

func newCallbackServer(t *testing.T, failFirst int) *callbackServer {
	s := &callbackServer{failFirst: failFirst}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		status := http.StatusOK
		if len(s.deliveries) < s.failFirst {
			status = http.StatusInternalServerError
		}
		s.deliveries = append(s.deliveries, delivery{at: time.Now(), body: body, signature: r.Header.Get(psp.SignatureHeader), status: status})
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *callbackServer) all() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.deliveries...)
}

// count is how many deliveries announced an order and were acknowledged.
func (s *callbackServer) count(orderID string) int {
	n := 0
	for _, d := range s.all() {
		var b psp.CallbackBody
		if json.Unmarshal(d.body, &b) == nil && b.OrderID == orderID && d.status == http.StatusOK {
			n++
		}
	}
	return n
}

// TestMerchantCallback: the merchant's callbackUrl hears of the status change with
// a body it can verify, again and again until it answers 2xx.
func TestMerchantCallback(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		merchant := newCallbackServer(t, 2)
		in := e.OrderInput(domain.ProviderPaywerk, "CB-1")
		in.CallbackURL = merchant.URL + "/paywerk-callback"
		o := e.ConfirmedOrder(t, in, domain.ProductInvoice)

		deadline := time.Now().Add(15 * time.Second)
		for merchant.count(o.ID) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		got := merchant.all()
		if len(got) != 3 || got[0].status != 500 || got[1].status != 500 || got[2].status != 200 {
			t.Fatalf("want two failed deliveries and one acknowledged, got %+v", got)
		}
		secret := psp.CallbackSecret(psptest.Secret, e.Company.ID)
		for i, dl := range got {
			if err := psp.VerifyCallback(secret, dl.signature, dl.body, time.Now(), 0); err != nil {
				t.Errorf("delivery %d: %v (%s)", i, err, dl.signature)
			}
			var b psp.CallbackBody
			if err := json.Unmarshal(dl.body, &b); err != nil || b.OrderID != o.ID || b.OrderReference != "CB-1" {
				t.Errorf("delivery %d body %s", i, dl.body)
			}
		}
		if got[2].at.Sub(got[0].at) < 100*time.Millisecond {
			t.Errorf("retries came without backoff: %v", got[2].at.Sub(got[0].at))
		}
		if e.Orders.WebhookSigningSecret(e.Company.ID) != secret {
			t.Error("the secret shown to merchants is not the signing key")
		}

		t.Run("a declined payment is announced too", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderBillwerk, "CB-2")
			in.CallbackURL = merchant.URL
			res := e.Create(t, in)
			psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionDecline, "")
			e.WaitStatus(t, res.Order.ID, order.StatusFAILED, 10*time.Second)
			for merchant.count(res.Order.ID) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if merchant.count(res.Order.ID) != 1 {
				t.Error("the merchant did not hear of the failed payment")
			}
		})
	})
}

func TestVerifyCallback(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"orderId":"ord_1","orderReference":"W-1"}`)
	now := time.Unix(1_800_000_000, 0)
	good := psp.SignCallback(secret, now, body)
	cases := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"genuine", good, body, now, nil},
		{"genuine, four minutes later", good, body, now.Add(4 * time.Minute), nil},
		{"replayed after the tolerance", good, body, now.Add(6 * time.Minute), psp.ErrSignatureExpired},
		{"a changed body", good, []byte(`{"orderId":"ord_2","orderReference":"W-1"}`), now, psp.ErrSignatureMismatch},
		{"signed with another key", psp.SignCallback("whsec_other", now, body), body, now, psp.ErrSignatureMismatch},
		{"a second, valid v1 beside a stale one", "t=1800000000,v1=00ff," + good[len("t=1800000000,"):], body, now, nil},
		{"no header", "", body, now, psp.ErrSignatureMissing},
		{"no timestamp", "v1=abc", body, now, psp.ErrSignatureMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := psp.VerifyCallback(secret, c.header, c.body, c.at, 0); err != c.want {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}
