package events_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// noPolling leaves the payment status to the provider's notifications.
var noPolling = psptest.Options{Poll: psp.PollSchedule{Steps: []psp.PollStep{{Every: time.Hour}}, StopAfter: 2 * time.Hour}}

// TestMerchantCallback: the merchant's callbackUrl hears of the status change with
// a body it can verify, again and again until it answers 2xx.
func TestMerchantCallback(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		merchant := psptest.NewReceiver(t, 2)
		in := e.OrderInput(domain.ProviderPaywerk, "CB-1")
		in.CallbackURL = merchant.URL + "/paywerk-callback"
		o := e.ConfirmedOrder(t, in, domain.ProductInvoice)

		deadline := time.Now().Add(15 * time.Second)
		for merchant.Count(o.ID) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		got := merchant.All()
		if len(got) != 3 || got[0].Status != 500 || got[1].Status != 500 || got[2].Status != 200 {
			t.Fatalf("want two failed deliveries and one acknowledged, got %+v", got)
		}
		secret := events.CallbackSecret(psptest.Secret, e.Company.ID)
		for i, dl := range got {
			if err := events.Verify(secret, dl.Signature, dl.Body, time.Now(), 0); err != nil {
				t.Errorf("delivery %d: %v (%s)", i, err, dl.Signature)
			}
			var b events.Body
			if err := json.Unmarshal(dl.Body, &b); err != nil || b.OrderID != o.ID || b.OrderReference != "CB-1" {
				t.Errorf("delivery %d body %s", i, dl.Body)
			}
		}
		if got[2].At.Sub(got[0].At) < 100*time.Millisecond {
			t.Errorf("retries came without backoff: %v", got[2].At.Sub(got[0].At))
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
			for merchant.Count(res.Order.ID) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if merchant.Count(res.Order.ID) != 1 {
				t.Error("the merchant did not hear of the failed payment")
			}
		})
	})
}

func TestRetryBackoffIsCapped(t *testing.T) {
	p := events.RetryPolicy{Backoff: 10 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 30}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	for i, w := range want {
		if got := p.Delay(i + 1); got != w {
			t.Errorf("after attempt %d: %s, want %s", i+1, got, w)
		}
	}
	if got := p.Delay(29); got != time.Hour {
		t.Errorf("after attempt 29: %s, want the cap of 1h", got)
	}
}

func TestVerifyCallback(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"orderId":"ord_1","orderReference":"W-1"}`)
	now := time.Unix(1_800_000_000, 0)
	good := events.Sign(now, body, secret)
	cases := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"genuine", good, body, now, nil},
		{"genuine, four minutes later", good, body, now.Add(4 * time.Minute), nil},
		{"replayed after the tolerance", good, body, now.Add(6 * time.Minute), events.ErrSignatureExpired},
		{"a changed body", good, []byte(`{"orderId":"ord_2","orderReference":"W-1"}`), now, events.ErrSignatureMismatch},
		{"signed with another key", events.Sign(now, body, "whsec_other"), body, now, events.ErrSignatureMismatch},
		{"a second, valid v1 beside a stale one", "t=1800000000,v1=00ff," + good[len("t=1800000000,"):], body, now, nil},
		{"no header", "", body, now, events.ErrSignatureMissing},
		{"no timestamp", "v1=abc", body, now, events.ErrSignatureMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := events.Verify(secret, c.header, c.body, c.at, 0); err != c.want {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

// legacyCallback is a callback job as the release before events queued it.
type legacyCallback struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

func (legacyCallback) Kind() string { return "psp_merchant_callback" }

// TestLegacyCallbackJobBecomesAnEvent: a callback job queued before the upgrade is
// delivered as the event of the status it announced, with the order's next sequence.
func TestLegacyCallbackJobBecomesAnEvent(t *testing.T) {
	d := testdb.SQLite(t)
	e := psptest.Start(t, d, noPolling)
	merchant := psptest.NewReceiver(t, 0)
	o := newOrder(t, e, "LEGACY-1", merchant.URL)
	if _, err := e.Jobs.Insert(context.Background(), legacyCallback{OrderID: o.ID, Status: "CONFIRMED"}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for merchant.Count(o.ID) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := merchant.All()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	var b events.Body
	if err := json.Unmarshal(got[0].Body, &b); err != nil || b.Type != "ORDER_CONFIRMED" || b.Sequence == nil || *b.Sequence != 1 {
		t.Errorf("the legacy callback arrived as %s", got[0].Body)
	}
}
