package security_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestCallbacksCannotBeAimedInward reproduces finding 3 (SSRF through callbackUrl):
// the server POSTed the signed callback to loopback and private addresses. Now the
// callback to a server on 127.0.0.1 never arrives and its job is cancelled, not
// retried; a public-looking name that resolves to loopback is refused the same way.
func TestCallbacksCannotBeAimedInward(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{CallbacksPublicOnly: true})
		var hits atomic.Int32
		internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer internal.Close()
		_, port, _ := net.SplitHostPort(internal.Listener.Addr().String())
		for i, u := range []string{internal.URL + "/admin", "http://localhost:" + port + "/x"} {
			in := e.OrderInput(domain.ProviderPaywerk, "SSRF-"+string(rune('A'+i)))
			in.CallbackURL = u
			o := e.ConfirmedOrder(t, in, domain.ProductPayNowCard)
			job := waitCallbackJob(t, e, o.ID)
			if job.State != rivertype.JobStateCancelled {
				t.Errorf("callback to %s: job %s (%v), want cancelled", u, job.State, job.Errors)
			}
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the internal server was reached %d times", n)
		}
	})
}

// TestSlowMerchantDelaysNobody reproduces the rest of finding 3: forty callbacks to
// an 11 s tarpit slowed another merchant's payment confirmation from 0.5 s to 18 s,
// because callbacks shared one queue with payment processing. Now callbacks have
// their own queue and each company at most events.CallbacksPerCompany in flight: with
// forty callbacks hanging, a new payment is confirmed and another company's
// callback delivered within seconds.
func TestSlowMerchantDelaysNobody(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{})
		release := make(chan struct{})
		var tarpitHits atomic.Int32
		tarpit := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tarpitHits.Add(1)
			select {
			case <-time.After(11 * time.Second):
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer tarpit.Close()
		defer close(release)

		var ids []string
		for i := range 40 {
			in := e.OrderInput(domain.ProviderPaywerk, "TARPIT-"+strconv.Itoa(i))
			in.CallbackURL = tarpit.URL
			res := e.Create(t, in)
			psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, string(domain.ProductPayNowCard))
			ids = append(ids, res.Order.ID)
		}
		for _, id := range ids {
			e.WaitStatus(t, id, order.StatusCONFIRMED, 30*time.Second)
		}
		deadline := time.Now().Add(5 * time.Second)
		for tarpitHits.Load() < 2 && time.Now().Before(deadline) { // the tarpit holds some
			time.Sleep(20 * time.Millisecond)
		}
		if n := tarpitHits.Load(); n < 2 {
			t.Fatalf("only %d callbacks reached the tarpit", n)
		}

		// Another company of the PSP, with a merchant server that answers at once.
		other := otherCompany(t, e)
		got := make(chan time.Time, 4)
		fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			got <- time.Now()
		}))
		defer fast.Close()
		in := e.OrderInput(domain.ProviderPaywerk, "FAST-1")
		in.CallbackURL = fast.URL
		res, err := e.Orders.CreateOrder(psptest.As(other), in)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		psptest.Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, string(domain.ProductPayNowCard))
		e.WaitStatus(t, res.Order.ID, order.StatusCONFIRMED, 20*time.Second)
		confirmed := time.Since(start)
		var delivered time.Duration
		select {
		case at := <-got:
			delivered = at.Sub(start)
		case <-time.After(20 * time.Second):
			t.Fatal("the other company's callback never arrived")
		}
		t.Logf("with 40 callbacks in a tarpit (%d reached it): payment confirmed after %s, other company's callback after %s",
			tarpitHits.Load(), confirmed.Round(time.Millisecond), delivered.Round(time.Millisecond))
		if confirmed > 3*time.Second || delivered > 4*time.Second {
			t.Errorf("a slow merchant delays others: confirmed after %s, callback after %s", confirmed, delivered)
		}
		if n := tarpitHits.Load(); n > int32(events.CallbacksPerCompany) {
			t.Errorf("%d of one company's callbacks were in flight at once, want at most %d", n, events.CallbacksPerCompany)
		}
	})
}

// otherCompany adds a second company and shop to the environment's merchant, active
// at Paywerk, and answers an API key principal of it.
func otherCompany(t *testing.T, e *psptest.Env) *auth.Principal {
	t.Helper()
	ctx := auth.System(context.Background())
	c := e.DB.Ent
	co := c.Company.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetLegalName("Teine OÜ").
		SetCountry("EE").SetRegistrationNumber("14412346").SetIban("EE382200221020145685").
		SetPayoutSchedule(domain.PayoutDaily).SaveX(ctx)
	sh := c.Shop.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetName("Teine pood").SetDefaultLang("et").SaveX(ctx)
	c.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(domain.ProviderPaywerk).
		SetStatus(domain.ActivationActive).SetActivatedAt(time.Now()).SaveX(ctx)
	return &auth.Principal{Kind: auth.KindAPIKey, ID: "key_test_other", Label: "other key", PSPID: e.PSP.ID,
		MerchantID: e.Merchant.ID, CompanyID: co.ID, ShopID: sh.ID, Scopes: []string{auth.ScopeOrdersWrite}}
}

// waitCallbackJob waits until the order's callback job is finished one way or another.
func waitCallbackJob(t *testing.T, e *psptest.Env, orderID string) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs, err := e.DB.Ent.Event.Query().Where(event.OrderID(orderID)).IDs(auth.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Jobs.JobList(context.Background(), river.NewJobListParams().Kinds("event_delivery").First(1000))
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range res.Jobs {
			var args struct {
				EventID string `json:"event_id"`
			}
			if json.Unmarshal(j.EncodedArgs, &args) == nil && slices.Contains(evs, args.EventID) &&
				(j.State == rivertype.JobStateCancelled || j.State == rivertype.JobStateCompleted || j.State == rivertype.JobStateDiscarded) {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished callback job for %s", orderID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
