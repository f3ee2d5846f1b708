package psp_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/webhookevent"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/billwerk"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// noPolling leaves the notifications as the only way an order learns its status.
var noPolling = psptest.Options{Poll: psp.PollSchedule{Steps: []psp.PollStep{{Every: time.Hour}}, StopAfter: 2 * time.Hour}}

// TestPaymentEndToEnd: for every provider, createOrder, the shopper on the sandbox
// page over HTTP, the provider's notification to /webhooks/{provider}, and the order
// CONFIRMED (approve) or FAILED (decline), the shopper sent to successUrl or failedUrl.
func TestPaymentEndToEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		cases := []struct {
			provider    domain.Provider
			choose      domain.ProductType // what the shopper picks on the page (Paywerk)
			productType domain.ProductType // what the order records
		}{
			{domain.ProviderPaywerk, domain.ProductSlice, domain.ProductSlice},
			{domain.ProviderBillie, "", domain.ProductInvoice},
			{domain.ProviderBillwerk, "", domain.ProductPayNowCard},
			{domain.ProviderBetterPayment, "", domain.ProductPayNowCard},
		}
		for _, c := range cases {
			t.Run(string(c.provider)+" approved", func(t *testing.T) {
				res := e.Create(t, e.OrderInput(c.provider, "E2E-OK-"+c.provider.Slug()))
				if !strings.HasPrefix(res.PaymentURL, e.Sandboxes.URL+"/"+c.provider.Slug()+"/") {
					t.Errorf("payment URL %s is not the %s sandbox's", res.PaymentURL, c.provider)
				}
				loc := psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, string(c.choose))
				if !strings.HasPrefix(loc, "https://shop.example/paid") {
					t.Errorf("approved shopper sent to %s", loc)
				}
				o := e.WaitStatus(t, res.Order.ID, order.StatusCONFIRMED, 10*time.Second)
				if o.ProductType == nil || *o.ProductType != c.productType {
					t.Errorf("product type %v, want %s", o.ProductType, c.productType)
				}
				if o.ConfirmedAt == nil || !o.ShopperContinued {
					t.Errorf("confirmed at %v, continued %v", o.ConfirmedAt, o.ShopperContinued)
				}
				// Paid at confirmation (Paywerk's card) has the order's payout date;
				// authorise-then-capture cards are paid per capture.
				wantPayout := settlement.TimingOf(c.provider, c.productType) == settlement.AtConfirmation
				if wantPayout != (o.PayoutDate != nil) {
					t.Errorf("payout date %v for %s", o.PayoutDate, c.productType)
				} else if wantPayout && *o.PayoutDate != domain.DateOf(*o.ConfirmedAt).AddDays(e.Company.PayNowDelayDays) {
					t.Errorf("payout date %s, want confirmation + %d days", *o.PayoutDate, e.Company.PayNowDelayDays)
				}
				waitJobsIdle(t, e)
				evs := e.DB.Ent.WebhookEvent.Query().Where(webhookevent.ProviderEQ(c.provider),
					webhookevent.ProviderReference(o.ProviderReference)).AllX(systemCtx)
				if len(evs) == 0 || evs[0].ProcessedAt == nil || evs[0].Error != "" {
					t.Errorf("webhook events %+v", evs)
				}
			})
			t.Run(string(c.provider)+" declined", func(t *testing.T) {
				res := e.Create(t, e.OrderInput(c.provider, "E2E-NO-"+c.provider.Slug()))
				loc := psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionDecline, "")
				if !strings.HasPrefix(loc, "https://shop.example/failed") {
					t.Errorf("declined shopper sent to %s", loc)
				}
				o := e.WaitStatus(t, res.Order.ID, order.StatusFAILED, 10*time.Second)
				if o.ConfirmedAt != nil || o.PayoutDate != nil || !o.ShopperContinued {
					t.Errorf("failed order %+v", o)
				}
			})
		}
	})
}

// TestForgedWebhooks: a notification no account verifies is answered 401, one that
// is verified but unreadable 400, and nothing is stored.
func TestForgedWebhooks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		ts := billwerk.Timestamp(time.Now())
		cases := []struct {
			name, provider string
			header         http.Header
			body           string
			want           int
		}{
			{"Billwerk+ with a wrong signature", "billwerk", jsonHeader(),
				`{"id":"wh_1","event_id":"ev_1","event_type":"invoice_authorized","timestamp":"` + ts + `","signature":"` +
					billwerk.Sign("not-the-secret", ts, "wh_1") + `","invoice":"ord_x"}`, http.StatusUnauthorized},
			{"Billie without its key", "billie", jsonHeader(), `{"order_id":"0b6c","success":true}`, http.StatusUnauthorized},
			{"Billie with a wrong key", "billie", http.Header{"Content-Type": {"application/json"}, "X-Api-Key": {"guess"}},
				`{"order_id":"0b6c","success":true}`, http.StatusUnauthorized},
			{"Better Payment with a wrong signature", "betterpayment",
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Gateway-Webhook-Signature": {"c2lnbmF0dXJl"}},
				"transaction_id=tx1&order_id=ord_x&status_code=3&status=completed&amount=10.00", http.StatusUnauthorized},
			{"Paywerk with a status it never sends", "paywerk", jsonHeader(), `{"paywerkId":"p1","orderReference":"o1","status":"CONFIRMED"}`,
				http.StatusUnauthorized},
			{"an unknown provider", "stripe", jsonHeader(), `{}`, http.StatusNotFound},
		}
		billieKey := e.Sandboxes.Account(e.PSP.ID, domain.ProviderBillie).WebhookSecret
		cases = append(cases, struct {
			name, provider string
			header         http.Header
			body           string
			want           int
		}{"Billie with its key but no order: verified, unreadable", "billie",
			http.Header{"Content-Type": {"application/json"}, "X-Api-Key": {billieKey}}, `{"success":true}`, http.StatusBadRequest})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if got := post(t, e.URL+"/webhooks/"+c.provider, c.header, c.body); got != c.want {
					t.Errorf("answered %d, want %d", got, c.want)
				}
			})
		}
		if n := e.DB.Ent.WebhookEvent.Query().CountX(systemCtx); n != 0 {
			t.Errorf("forged notifications stored %d events", n)
		}
		t.Run("a genuine one delivered twice is stored once", func(t *testing.T) {
			res := e.Create(t, e.OrderInput(domain.ProviderPaywerk, "FORGE-GENUINE"))
			body := `{"paywerkId":"` + res.Order.ProviderReference + `","orderReference":"` + res.Order.ID + `"}`
			for range 2 {
				if got := post(t, e.URL+"/webhooks/paywerk", jsonHeader(), body); got != http.StatusOK {
					t.Fatalf("answered %d", got)
				}
			}
			if n := e.DB.Ent.WebhookEvent.Query().CountX(systemCtx); n != 1 {
				t.Errorf("%d events stored", n)
			}
			// It only made us ask: Paywerk says PENDING, so the order stays PENDING.
			time.Sleep(300 * time.Millisecond)
			if o := e.DB.Ent.Order.GetX(systemCtx, res.Order.ID); o.Status != order.StatusPENDING {
				t.Errorf("a callback without a status change moved the order to %s", o.Status)
			}
		})
	})
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func post(t *testing.T, u string, h http.Header, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestDuplicateAndLateWebhooks: duplicated and out-of-order notifications change
// nothing beyond the one forward step; the merchant hears of it once.
func TestDuplicateAndLateWebhooks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		hooks := psptest.NewReceiver(t, 0)
		fault := func(p domain.Provider, kind sandboxkit.FaultKind) {
			t.Helper()
			if _, err := e.Sandboxes.Faults[p].Add(sandboxkit.Fault{Account: e.FaultAccount(p), Operation: sandboxkit.OpNotify,
				Kind: kind, Count: 1}); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("duplicated", func(t *testing.T) {
			for _, p := range []domain.Provider{domain.ProviderBillwerk, domain.ProviderBetterPayment, domain.ProviderBillie, domain.ProviderPaywerk} {
				fault(p, sandboxkit.FaultDuplicateWebhook)
				in := e.OrderInput(p, "DUP-"+p.Slug())
				in.CallbackURL = hooks.URL
				o := e.ConfirmedOrder(t, in, domain.ProductPayNowCard)
				e.Sandboxes.Notifiers[p].Wait()
				waitJobsIdle(t, e)
				evs := e.DB.Ent.WebhookEvent.Query().Where(webhookevent.ProviderReference(o.ProviderReference)).AllX(systemCtx)
				if len(evs) != 1 {
					t.Errorf("%s: %d events stored for one notification sent twice", p, len(evs))
				}
				if n := hooks.Count(o.ID); n != 1 {
					t.Errorf("%s: the merchant heard %d times", p, n)
				}
			}
		})
		t.Run("an older notification after a newer one", func(t *testing.T) {
			// Billwerk+: the invoice_authorized webhook is held back until the
			// invoice_settled one (a capture) has been delivered.
			fault(domain.ProviderBillwerk, sandboxkit.FaultOutOfOrder)
			in := e.OrderInput(domain.ProviderBillwerk, "LATE-1")
			in.CallbackURL = hooks.URL
			res := e.Create(t, in)
			psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, "")
			client, err := e.Sandboxes.For(context.Background(), e.PSP.ID, domain.ProviderBillwerk)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Capture(context.Background(), providers.CaptureRequest{ProviderReference: res.Order.ProviderReference,
				OperationID: "ful_late_1", Amount: money.MustParse("150.00", "EUR")}); err != nil {
				t.Fatal(err)
			}
			e.Sandboxes.Notifiers[domain.ProviderBillwerk].Wait()
			o := e.WaitStatus(t, res.Order.ID, order.StatusCONFIRMED, 10*time.Second)
			waitJobsIdle(t, e)
			evs := e.DB.Ent.WebhookEvent.Query().Where(webhookevent.ProviderReference(o.ProviderReference)).
				Order(webhookevent.ByCreatedAt()).AllX(systemCtx)
			if len(evs) != 2 || !bytes.Contains(evs[0].Payload, []byte("invoice_settled")) {
				t.Fatalf("want invoice_settled then invoice_authorized, got %d events", len(evs))
			}
			if o := e.DB.Ent.Order.GetX(systemCtx, o.ID); o.Status != order.StatusCONFIRMED {
				t.Errorf("order %s after the late notification", o.Status)
			}
			if n := hooks.Count(o.ID); n != 1 {
				t.Errorf("the merchant heard %d times", n)
			}
		})
	})
}

// TestLostWebhookRecoveredByPolling: the provider cannot reach us at all, and status
// polling still confirms (or fails) the order.
func TestLostWebhookRecoveredByPolling(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{}) // polls every 100 ms
		for _, p := range []domain.Provider{domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBillie, domain.ProviderBetterPayment} {
			t.Run(string(p), func(t *testing.T) {
				if _, err := e.Sandboxes.Faults[p].Add(sandboxkit.Fault{Account: e.FaultAccount(p), Operation: sandboxkit.OpNotify,
					Kind: sandboxkit.FaultFailDelivery}); err != nil {
					t.Fatal(err)
				}
				defer e.Sandboxes.Faults[p].Clear()
				res := e.Create(t, e.OrderInput(p, "LOST-"+p.Slug()))
				psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, string(domain.ProductPayNowCard))
				o := e.WaitStatus(t, res.Order.ID, order.StatusCONFIRMED, 10*time.Second)
				if n := e.DB.Ent.WebhookEvent.Query().Where(webhookevent.ProviderReference(o.ProviderReference)).CountX(systemCtx); n != 0 {
					t.Errorf("%d notifications arrived although delivery failed", n)
				}
			})
		}
	})
}

// waitJobsIdle waits until no psp job is left to run now (scheduled polls aside).
func waitJobsIdle(t *testing.T, e *psptest.Env) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := e.DB.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
			AND kind IN ('psp_process_webhook', 'event_delivery')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatal("jobs still running after 10 s")
}
