package psp

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxenv"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// opsEnv is a PSP with one merchant, company and shop activated with all four
// provider sandboxes (real HTTP), and the fulfilment service on a real database.
type opsEnv struct {
	t        testing.TB
	d        *db.DB
	sb       *sandboxenv.Env
	ops      *Operations
	jobs     *jobs.Client
	workers  *river.Workers
	reg      providers.Registry
	pspID    string
	merchant *ent.Merchant
	company  *ent.Company
	shop     *ent.Shop
	// as is the merchant's MERCHANT_ADMIN; every operation in the tests acts as them.
	as context.Context
}

// envOptions tune the environment.
type envOptions struct {
	reconcileAfter time.Duration // zero: an hour, so only the tests run the reconcile job
	clientTimeout  time.Duration // the provider clients' HTTP timeout; zero is 2 s
}

// eachOpsEnv runs fn on an operations environment on each test database (testdb.Each).
func eachOpsEnv(t *testing.T, opts envOptions, fn func(t *testing.T, e *opsEnv)) {
	testdb.Each(t, func(t *testing.T, d *db.DB) { fn(t, newOpsEnv(t, d, opts)) })
}

func newOpsEnv(t testing.TB, d *db.DB, opts envOptions) *opsEnv {
	t.Helper()
	if opts.reconcileAfter == 0 {
		opts.reconcileAfter = time.Hour
	}
	if opts.clientTimeout == 0 {
		opts.clientTimeout = 2 * time.Second
	}
	sb := sandboxenv.Start(t, sandboxenv.Options{})
	for _, f := range sb.Faults {
		// A timeout fault holds its handler until the client's connection is seen to
		// close, which an unread request body hides: bound it, or closing the test
		// server waits a minute.
		f.MaxHang = time.Second
	}
	hc := &http.Client{Timeout: opts.clientTimeout}
	reg := providers.RegistryFunc(func(_ context.Context, pspID string, p domain.Provider) (providers.Provider, error) {
		return catalog.Client(p, sb.Account(pspID, p), hc)
	})
	e := &opsEnv{t: t, d: d, sb: sb, reg: reg}
	e.ops = NewOperations(OperationsConfig{DB: d, Registry: reg, ReconcileAfter: opts.reconcileAfter})
	e.workers = river.NewWorkers()
	e.ops.Register(e.workers)
	jc, err := jobs.New(d, jobs.Config{Workers: e.workers})
	if err != nil {
		t.Fatal(err)
	}
	e.jobs = jc
	e.ops.UseJobs(jc)
	e.seedTenant()
	return e
}

func (e *opsEnv) sys() context.Context { return auth.System(context.Background()) }

// seedTenant writes the PSP, merchant, company and shop, and activates the company
// with every provider through the provider's own API.
func (e *opsEnv) seedTenant() {
	ctx, c := e.sys(), e.d.Ent
	p := c.PSP.Create().SetName("Test PSP").SaveX(ctx)
	e.pspID = p.ID
	e.merchant = c.Merchant.Create().SetPspID(p.ID).SetName("Werkzeug Handel").SetCountry("EE").
		SetStatus("ACTIVE").SaveX(ctx)
	e.company = c.Company.Create().SetPspID(p.ID).SetMerchantID(e.merchant.ID).SetLegalName("Werkzeug Handel OÜ").
		SetCountry("EE").SetIban("EE382200221020145685").SetPayoutSchedule(domain.PayoutDaily).
		SetPayNowDelayDays(3).SetPayLaterDelayDays(14).SaveX(ctx)
	e.shop = c.Shop.Create().SetPspID(p.ID).SetMerchantID(e.merchant.ID).SetName("Werkzeug Shop").SaveX(ctx)
	for _, prov := range catalog.All {
		client := e.client(prov)
		m := providers.Merchant{CompanyID: e.company.ID, LegalName: e.company.LegalName, Country: "EE",
			IBAN: e.company.Iban, Email: "finance@werkzeug.example"}
		if prov == domain.ProviderBillie {
			m.Country, m.IBAN = "DE", "DE89370400440532013000"
		}
		act, err := client.ActivateMerchant(ctx, m)
		if err != nil || act.Status != providers.ActivationActive {
			e.t.Fatalf("activate with %s: %+v, %v", prov, act, err)
		}
		c.ProviderActivation.Create().SetCompanyID(e.company.ID).SetProvider(prov).
			SetStatus(domain.ActivationActive).SetExternalMerchantID(act.ExternalMerchantID).ExecX(ctx)
	}
	e.as = auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_merchant_admin",
		Label: "admin@werkzeug.example", PSPID: p.ID, MerchantID: e.merchant.ID, Role: domain.RoleMerchantAdmin})
}

func (e *opsEnv) client(p domain.Provider) providers.Provider {
	e.t.Helper()
	c, err := e.reg.For(e.sys(), e.pspID, p)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// testLine is an order line: sku, quantity and unit price; the total is unit × quantity
// unless given.
type testLine struct {
	sku, quantity, unit, total string
	vat                        *int64 // basis points; nil is 22 %
}

// confirmedOrder creates a payment session at the provider, approves it on the
// sandbox's payment page over HTTP as a shopper would, and stores the order
// CONFIRMED with the provider's reference.
func (e *opsEnv) confirmedOrder(prov domain.Provider, pt domain.ProductType, lines ...testLine) *ent.Order {
	e.t.Helper()
	ctx := e.sys()
	id := ids.New("ord")
	total := money.Zero("EUR")
	var pl []providers.Line
	for _, l := range lines {
		q := money.MustQuantity(l.quantity)
		unit := money.MustParse(l.unit, "EUR")
		lt, _ := unit.Times(q)
		if l.total != "" {
			lt = money.MustParse(l.total, "EUR")
		}
		total = mustAdd(total, lt)
		vat := int64(2200)
		if l.vat != nil {
			vat = *l.vat
		}
		pl = append(pl, providers.Line{SKU: l.sku, Name: "Item " + l.sku, Quantity: q, UnitPrice: unit, VATRateBps: vat, Total: lt})
	}
	client := e.client(prov)
	act := e.d.Ent.ProviderActivation.Query().AllX(ctx)
	var merchantID string
	for _, a := range act {
		if a.Provider == prov {
			merchantID = a.ExternalMerchantID
		}
	}
	billing := providers.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"}
	if prov == domain.ProviderBillie {
		billing = providers.Address{Street: "Charlottenstr. 4", City: "Berlin", PostalCode: "10969", Country: "DE"}
	}
	req := providers.SessionRequest{OrderID: id, Reference: id, ExternalMerchantID: merchantID,
		ProductType: domain.ProductType(pt), Amount: total, Lines: pl,
		Shopper: providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com",
			Phone: "+37255555555", CompanyName: "Jane's Workshop GmbH", Lang: "en"},
		Billing: billing, SuccessURL: "https://shop.example/success", FailedURL: "https://shop.example/failed",
		NotifyURL: "https://backoffice.example/webhooks/" + prov.Slug()}
	if prov == domain.ProviderPaywerk {
		req.ProductType = "" // the shopper chooses on the page
		req.ProductTypes = []domain.ProductType{domain.ProductType(pt)}
	}
	sess, err := client.CreateSession(ctx, req)
	if err != nil {
		e.t.Fatalf("%s session: %v", prov, err)
	}
	form := sandboxkit.PageForm{Action: sandboxkit.ActionApprove}
	if prov == domain.ProviderPaywerk {
		form.ProductType = string(pt)
	}
	if _, _, err := conformance.CompletePage(ctx, sess.RedirectURL, form); err != nil {
		e.t.Fatalf("%s payment page: %v", prov, err)
	}
	if st, err := client.FetchStatus(ctx, sess.ProviderReference); err != nil || st.State != providers.PaymentAuthorized {
		e.t.Fatalf("%s payment after approval: %+v, %v", prov, st, err)
	}
	ord := e.d.Ent.Order.Create().SetID(id).SetPspID(e.pspID).SetMerchantID(e.merchant.ID).SetCompanyID(e.company.ID).
		SetShopID(e.shop.ID).SetProvider(prov).SetProductType(pt).SetReference("REF-" + id).
		SetStatus(order.StatusCONFIRMED).SetCurrency("EUR").SetInitialAmountMinor(total.Minor()).
		SetAmountMinor(total.Minor()).SetProviderReference(sess.ProviderReference).
		SetBillingAddress(domain.Address{Country: billing.Country}).SetConfirmedAt(time.Now()).SaveX(ctx)
	for i, l := range pl {
		e.d.Ent.OrderItem.Create().SetOrderID(id).SetPosition(i).SetSku(l.SKU).SetName(l.Name).SetQuantity(l.Quantity).
			SetCurrency("EUR").SetUnitPriceMinor(l.UnitPrice.Minor()).SetVatRateBps(l.VATRateBps).
			SetTotalMinor(l.Total.Minor()).ExecX(ctx)
	}
	return ord
}

// providerFor is a product type each provider offers.
func productTypeOf(p domain.Provider) domain.ProductType {
	switch p {
	case domain.ProviderBillie:
		return domain.ProductInvoice
	case domain.ProviderPaywerk:
		return domain.ProductInvoice
	}
	return domain.ProductPayNowCard
}

// snapshot is an order with its items, fulfilments and refunds as stored.
type snapshot struct {
	order       *ent.Order
	items       map[string]*ent.OrderItem
	fulfilments []*ent.Fulfilment
	refunds     []*ent.Refund
}

func (e *opsEnv) snapshot(orderID string) snapshot {
	e.t.Helper()
	ctx, c := e.sys(), e.d.Ent
	s := snapshot{order: c.Order.GetX(ctx, orderID), items: map[string]*ent.OrderItem{}}
	for _, it := range c.OrderItem.Query().Where(orderitem.OrderID(orderID)).AllX(ctx) {
		s.items[it.Sku] = it
	}
	s.fulfilments = c.Fulfilment.Query().Where(fulfilment.OrderID(orderID)).WithLines().
		Order(ent.Asc(fulfilment.FieldCreatedAt), ent.Asc(fulfilment.FieldID)).AllX(ctx)
	s.refunds = c.Refund.Query().Where(refund.OrderID(orderID)).WithLines().
		Order(ent.Asc(refund.FieldCreatedAt), ent.Asc(refund.FieldID)).AllX(ctx)
	return s
}

// checkInvariants checks what must hold of an order whatever happened to it: the
// rules' inequalities per item, item quantities and amounts equal to the lines of
// the operations that are not FAILED, parts adding up to the line, and the order's
// totals equal to its SUCCEEDED operations.
func (e *opsEnv) checkInvariants(orderID string) snapshot {
	e.t.Helper()
	s := e.snapshot(orderID)
	// The operations booked what they left unsettled (docs/settlement.md "Unsettled totals").
	if err := settlement.NewSettlements(e.d).CheckUnsettled(e.sys()); err != nil {
		e.t.Fatal(err)
	}
	type sums struct {
		fq, cq, rq money.Quantity
		fa, ca, ra int64
	}
	got := map[string]*sums{}
	byID := map[string]string{}
	for sku, it := range s.items {
		got[sku] = &sums{}
		byID[it.ID] = sku
	}
	var fulfilled, refunded int64
	for _, f := range s.fulfilments {
		if f.Status == domain.OperationSucceeded {
			fulfilled += f.AmountMinor
		}
		var sum int64
		for _, l := range f.Edges.Lines {
			sum += l.AmountMinor
			if f.Status != domain.OperationFailed {
				g := got[byID[l.OrderItemID]]
				g.fq += l.Quantity
				g.fa += l.AmountMinor
			}
		}
		if sum != f.AmountMinor {
			e.t.Fatalf("fulfilment %s amount %d, its lines add up to %d", f.ID, f.AmountMinor, sum)
		}
	}
	for _, r := range s.refunds {
		if r.Status == domain.OperationSucceeded {
			refunded += r.AmountMinor
		}
		var sum, ret, cnl int64
		for _, l := range r.Edges.Lines {
			sum += l.AmountMinor
			g := got[byID[l.OrderItemID]]
			switch l.RefundType {
			case domain.RefundReturn:
				ret += l.AmountMinor
				if r.Status != domain.OperationFailed {
					g.rq += l.Quantity
					g.ra += l.AmountMinor
				}
			case domain.RefundCancel:
				cnl += l.AmountMinor
				if r.Status != domain.OperationFailed {
					g.cq += l.Quantity
					g.ca += l.AmountMinor
				}
			default:
				e.t.Fatalf("refund line %s has type %q", l.ID, l.RefundType)
			}
		}
		if sum != r.AmountMinor || ret != r.ReturnAmountMinor || cnl != r.CancelAmountMinor {
			e.t.Fatalf("refund %s amounts %d (%d + %d), its lines %d (%d + %d)", r.ID, r.AmountMinor,
				r.ReturnAmountMinor, r.CancelAmountMinor, sum, ret, cnl)
		}
	}
	for sku, it := range s.items {
		g := got[sku]
		if g.fq != it.FulfilledQuantity || g.cq != it.CancelledQuantity || g.rq != it.ReturnedQuantity ||
			g.fa != it.FulfilledAmountMinor || g.ca != it.CancelledAmountMinor || g.ra != it.ReturnedAmountMinor {
			e.t.Fatalf("item %s holds fulfilled %s/%d cancelled %s/%d returned %s/%d, its operations %s/%d %s/%d %s/%d", sku,
				it.FulfilledQuantity, it.FulfilledAmountMinor, it.CancelledQuantity, it.CancelledAmountMinor,
				it.ReturnedQuantity, it.ReturnedAmountMinor, g.fq, g.fa, g.cq, g.ca, g.rq, g.ra)
		}
		if it.FulfilledQuantity+it.CancelledQuantity > it.Quantity || it.ReturnedQuantity > it.FulfilledQuantity || it.FulfilledQuantity < 0 || it.CancelledQuantity < 0 || it.ReturnedQuantity < 0 {
			e.t.Fatalf("item %s breaks the rules: ordered %s fulfilled %s cancelled %s returned %s", sku,
				it.Quantity, it.FulfilledQuantity, it.CancelledQuantity, it.ReturnedQuantity)
		}
		used := it.FulfilledAmountMinor + it.CancelledAmountMinor
		if used > it.TotalMinor || used < 0 || (it.FulfilledQuantity+it.CancelledQuantity == it.Quantity && used != it.TotalMinor) {
			e.t.Fatalf("item %s: fulfilled %d + cancelled %d against a line of %d", sku, it.FulfilledAmountMinor, it.CancelledAmountMinor, it.TotalMinor)
		}
	}
	o := s.order
	if o.FulfilledAmountMinor != fulfilled || o.RefundedAmountMinor != refunded || o.AmountMinor != o.InitialAmountMinor-refunded {
		e.t.Fatalf("order totals: amount %d, initial %d, fulfilled %d, refunded %d; operations say fulfilled %d, refunded %d",
			o.AmountMinor, o.InitialAmountMinor, o.FulfilledAmountMinor, o.RefundedAmountMinor, fulfilled, refunded)
	}
	states := make([]ItemState, 0, len(s.items))
	for _, it := range s.items {
		states = append(states, itemStateOf(it))
	}
	if st := FulfilmentStatusOf(states); st != o.FulfilmentStatus {
		e.t.Fatalf("order fulfilment status %s, its items say %s", o.FulfilmentStatus, st)
	}
	return s
}

// checkProviderAgrees compares the provider's view of the payment with ours.
func (e *opsEnv) checkProviderAgrees(orderID string) {
	e.t.Helper()
	s := e.snapshot(orderID)
	st, err := e.client(s.order.Provider).FetchStatus(e.sys(), s.order.ProviderReference)
	if err != nil {
		e.t.Fatal(err)
	}
	var returned int64
	for _, r := range s.refunds {
		if r.Status == domain.OperationSucceeded {
			returned += r.ReturnAmountMinor
		}
	}
	if st.Captured.Minor() != s.order.FulfilledAmountMinor || st.Refunded.Minor() != returned {
		e.t.Fatalf("%s says captured %s, refunded %s; we say fulfilled %d, returned %d", s.order.Provider,
			st.Captured, st.Refunded, s.order.FulfilledAmountMinor, returned)
	}
	if st.Amount.Minor() != s.order.AmountMinor {
		e.t.Fatalf("%s says the shopper owes %s; we say %d", s.order.Provider, st.Amount, s.order.AmountMinor)
	}
}

// checkProviderItemsAgree compares the per-line quantities the provider reports
// with ours, as the crash test does. Not part of checkProviderAgrees: a whole
// Billie line fulfilled in fractional parts goes by amount, and Billie then counts
// fewer shipped than we do (TestIssue14BillieLastFractionalCapture: 9 of our 10).
func (e *opsEnv) checkProviderItemsAgree(orderID string) {
	e.t.Helper()
	s := e.snapshot(orderID)
	st, err := e.client(s.order.Provider).FetchStatus(e.sys(), s.order.ProviderReference)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, is := range st.Items {
		for _, it := range s.items {
			if it.Sku == is.SKU && (it.FulfilledQuantity != is.Fulfilled || it.CancelledQuantity != is.Cancelled || it.ReturnedQuantity != is.Returned) {
				e.t.Fatalf("%s says item %s fulfilled %s cancelled %s returned %s; we say %s %s %s", s.order.Provider, it.Sku,
					is.Fulfilled, is.Cancelled, is.Returned, it.FulfilledQuantity, it.CancelledQuantity, it.ReturnedQuantity)
			}
		}
	}
}

func mustQ(s string) money.Quantity { return money.MustQuantity(s) }
