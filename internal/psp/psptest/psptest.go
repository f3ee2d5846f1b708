// Package psptest runs the order side of the product for tests: a migrated database,
// the four provider sandboxes over real HTTP, our /webhooks/{provider} endpoint on a
// test server, a River client working the psp jobs, and one active merchant with a
// company activated at every provider and a shop that sells every product type.
//
// Tests of fulfilment and refunds get CONFIRMED orders from it the way production
// does: createOrder, the shopper approving on the sandbox page, the provider's
// notification, the status fetched and applied (Env.ConfirmedOrder).
package psptest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxenv"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/webhooks"
)

// Secret is the server secret of the test environment.
const Secret = "psptest-server-secret-0123456789abcdef"

// Options tune the environment; the zero value is fast polling and fast callback retries.
type Options struct {
	// Poll is the status polling schedule; zero polls every 100 ms for 20 s.
	Poll psp.PollSchedule
	// Callbacks is the merchant callback retry policy; zero retries after 50 ms, 100 ms, …
	Callbacks psp.CallbackPolicy
	// Register adds further workers (fulfilment and refund reconciliation).
	Register func(*river.Workers)
	// CallbacksPublicOnly sends callbacks as production does: never to loopback or
	// private addresses. By default tests' merchant servers on 127.0.0.1 are allowed.
	CallbacksPublicOnly bool
}

// Env is the running environment.
type Env struct {
	DB        *db.DB
	Orders    *psp.Orders
	Sandboxes *sandboxenv.Env
	Jobs      *jobs.Client
	// URL is our test server (PublicURL): /webhooks/{provider}.
	URL string

	PSP         *ent.PSP
	Merchant    *ent.Merchant
	Company     *ent.Company
	Shop        *ent.Shop
	Activations map[domain.Provider]*ent.ProviderActivation
	// MerchantUser acts as the merchant's admin; APIKey as a key of Company and Shop.
	MerchantUser, APIKey *auth.Principal
}

// Start builds the environment on d; everything stops when the test ends.
func Start(t testing.TB, d *db.DB, opts Options) *Env {
	t.Helper()
	if opts.Poll.StopAfter == 0 {
		opts.Poll = psp.PollSchedule{Steps: []psp.PollStep{{Every: 100 * time.Millisecond}}, StopAfter: 20 * time.Second}
	}
	if opts.Callbacks.MaxAttempts == 0 {
		opts.Callbacks = psp.CallbackPolicy{Backoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond, MaxAttempts: 10}
	}
	var handler http.Handler = http.NotFoundHandler()
	var mu sync.RWMutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		h := handler
		mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e := &Env{DB: d, URL: srv.URL, Activations: map[domain.Provider]*ent.ProviderActivation{}}
	// The sandbox controls (faults, simulate) answer over HTTP as the test's PSP.
	sb := sandboxenv.Start(t, sandboxenv.Options{WebhookBaseURL: srv.URL + "/webhooks",
		GuardControls: func(http.ResponseWriter, *http.Request) (string, bool) { return e.PSP.ID, true }})
	e.Sandboxes = sb
	e.seed(t)
	e.Orders = psp.NewOrders(psp.OrdersConfig{DB: d, Registry: sb, PublicURL: srv.URL, Secret: Secret,
		Poll: opts.Poll, Callbacks: opts.Callbacks, CallbacksAllowPrivate: !opts.CallbacksPublicOnly})
	hooks := webhooks.Handler(webhooks.VerifiersFunc(func(ctx context.Context, p domain.Provider) ([]providers.Provider, error) {
		c, err := sb.For(ctx, e.PSP.ID, p)
		return []providers.Provider{c}, err
	}), e.Orders, nil)
	mu.Lock()
	handler = hooks
	mu.Unlock()

	workers := river.NewWorkers()
	e.Orders.Register(workers)
	if opts.Register != nil {
		opts.Register(workers)
	}
	jc, err := jobs.New(d, jobs.Config{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.Orders.UseJobs(jc)
	e.Jobs = jc
	ctx, cancel := context.WithCancel(context.Background())
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = jc.Stop(stop)
		cancel()
		for _, n := range sb.Notifiers {
			n.Close() // no delivery may outlive the database
		}
	})
	return e
}

// seed writes the PSP, an ACTIVE merchant with an Estonian company activated at all
// four providers (Billie through its sandbox, for the merchant ID), and a shop.
func (e *Env) seed(t testing.TB) {
	t.Helper()
	ctx := auth.System(context.Background())
	c := e.DB.Ent
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e.PSP, err = c.PSP.Create().SetName("Test PSP").Save(ctx)
	must(err)
	e.Merchant, err = c.Merchant.Create().SetPspID(e.PSP.ID).SetName("Kask & Kivi").SetCountry("EE").
		SetStatus(merchant.StatusACTIVE).Save(ctx)
	must(err)
	e.Company, err = c.Company.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetLegalName("Kask & Kivi OÜ").
		SetCountry("EE").SetRegistrationNumber("14412345").SetIban("EE382200221020145685").
		SetPayoutSchedule(domain.PayoutDaily).SetPayNowDelayDays(2).SetPayLaterDelayDays(7).Save(ctx)
	must(err)
	e.Shop, err = c.Shop.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetName("Kask & Kivi Home").
		SetDefaultLang("et").Save(ctx)
	must(err)
	for _, p := range catalog.All {
		act := c.ProviderActivation.Create().SetCompanyID(e.Company.ID).SetProvider(p).
			SetStatus(domain.ActivationActive).SetActivatedAt(time.Now())
		if p == domain.ProviderBillie {
			client, err := e.Sandboxes.For(ctx, e.PSP.ID, p)
			must(err)
			a, err := client.ActivateMerchant(ctx, providers.Merchant{CompanyID: e.Company.ID, LegalName: e.Company.LegalName,
				Country: "EE", RegistrationNumber: "14412345", IBAN: e.Company.Iban})
			must(err)
			act.SetExternalMerchantID(a.ExternalMerchantID)
		}
		e.Activations[p], err = act.Save(ctx)
		must(err)
	}
	e.MerchantUser = &auth.Principal{Kind: auth.KindUser, ID: "usr_test_owner", Label: "owner@kaskkivi.ee",
		PSPID: e.PSP.ID, MerchantID: e.Merchant.ID, Role: domain.RoleMerchantAdmin}
	e.APIKey = &auth.Principal{Kind: auth.KindAPIKey, ID: "key_test", Label: "shop key", PSPID: e.PSP.ID,
		MerchantID: e.Merchant.ID, CompanyID: e.Company.ID, ShopID: e.Shop.ID, Scopes: []string{auth.ScopeOrdersWrite}}
}

// As is a context acting as p.
func As(p *auth.Principal) context.Context { return auth.With(context.Background(), p) }

// OrderInput is a valid order request of 150.00 EUR for a provider (two items,
// an Estonian shopper), to adjust per test.
func (e *Env) OrderInput(p domain.Provider, reference string) psp.CreateOrderInput {
	return psp.CreateOrderInput{
		Reference: reference, Lang: "en", FirstName: "Mari", LastName: "Tamm", Email: "mari.tamm@example.com",
		Phone: "+37255555555", CompanyName: "Tamm Consulting OÜ",
		BillingAddress: &domain.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"},
		Amount:         "150.00", Currency: "EUR", Provider: p,
		Items: []psp.OrderItemInput{
			{SKU: "LAMP-OAK", Name: "Oak table lamp", Quantity: money.Units(1), UnitPrice: "90.00", VATRate: "22"},
			{SKU: "MUG-SET", Name: "Stoneware mug set", Quantity: money.Units(2), UnitPrice: "30.00", VATRate: "22"},
		},
		SuccessURL: "https://shop.example/paid", FailedURL: "https://shop.example/failed",
	}
}

// Create creates an order as the merchant's API key and fails the test on any refusal.
func (e *Env) Create(t testing.TB, in psp.CreateOrderInput) *psp.CreateOrderResult {
	t.Helper()
	res, err := e.Orders.CreateOrder(As(e.APIKey), in)
	if err != nil {
		t.Fatalf("createOrder %s: %v", in.Reference, err)
	}
	if res.PaymentURL == "" {
		t.Fatalf("createOrder %s answered no payment URL", in.Reference)
	}
	return res
}

// Shopper completes a sandbox payment page the way a browser does: GET shows it, the
// form POST approves or declines it, and the answer is the redirect's Location.
func Shopper(t testing.TB, paymentURL, action, productType string) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Get(paymentURL)
	if err != nil {
		t.Fatalf("open the payment page: %v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<form") {
		t.Fatalf("payment page %s answered %s without a form", paymentURL, resp.Status)
	}
	form := sandboxkit.PageForm{Action: action, ProductType: productType}
	resp, err = client.Post(paymentURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("submit the payment page: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("payment page POST answered %s, want 303", resp.Status)
	}
	loc := resp.Header.Get("Location")
	if _, err := url.Parse(loc); err != nil || loc == "" {
		t.Fatalf("payment page redirected to %q", loc)
	}
	return loc
}

// WaitStatus waits until the order has the status (its notification or a poll
// arrived), failing the test after timeout.
func (e *Env) WaitStatus(t testing.TB, orderID string, want order.Status, timeout time.Duration) *ent.Order {
	t.Helper()
	ctx := auth.System(context.Background())
	deadline := time.Now().Add(timeout)
	for {
		o, err := e.DB.Ent.Order.Get(ctx, orderID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == want {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s after %s, want %s", orderID, o.Status, timeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ConfirmedOrder creates an order at a provider and has the shopper approve it (with
// productType for Paywerk), then waits for CONFIRMED.
func (e *Env) ConfirmedOrder(t testing.TB, in psp.CreateOrderInput, productType domain.ProductType) *ent.Order {
	t.Helper()
	res := e.Create(t, in)
	Shopper(t, res.PaymentURL, sandboxkit.ActionApprove, string(productType))
	return e.WaitStatus(t, res.Order.ID, order.StatusCONFIRMED, 15*time.Second)
}

// FaultAccount is the sandbox account id faults are aimed at (the same at every provider).
func (e *Env) FaultAccount(domain.Provider) string {
	return catalog.SandboxAccountID(e.PSP.ID)
}
