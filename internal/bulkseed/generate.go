package bulkseed

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// product is a catalogue line the generated carts pick from.
type product struct {
	sku, name  string
	price      int64 // minor units
	vatBps     int64
	fractional bool // sold by the metre: fractional quantities (Paywerk only)
}

// catalogue is 48 products: 12 kinds in 4 variants, priced from 2.35 to a few hundred.
var catalogue = func() []product {
	kinds := []struct {
		sku, name  string
		price      int64
		fractional bool
	}{
		{"LAMP", "Table lamp", 8990, false}, {"RUG", "Wool rug", 34900, false}, {"MUG", "Stoneware mug set", 3450, false},
		{"PAPER", "A4 paper, box", 2499, false}, {"CHAIR", "Office chair", 42900, false}, {"TONER", "Toner cartridge", 7995, false},
		{"CABLE", "Cable per metre", 235, true}, {"FABRIC", "Linen fabric per metre", 1890, true}, {"DESK", "Standing desk", 61900, false},
		{"PEN", "Fountain pen", 4900, false}, {"BAG", "Leather bag", 15900, false}, {"TEA", "Loose tea, 250 g", 1250, false},
	}
	var out []product
	for v := range 4 {
		for _, k := range kinds {
			out = append(out, product{
				sku: fmt.Sprintf("%s-%d", k.sku, v+1), name: fmt.Sprintf("%s (%c)", k.name, 'A'+v),
				price: k.price + int64(v)*k.price/10, vatBps: []int64{2200, 1900}[v%2], fractional: k.fractional,
			})
		}
	}
	return out
}()

var (
	firstNames = []string{"Mari", "Jaan", "Anna", "Lukas", "Liis", "Karl", "Eva", "Mats", "Sofia", "Jonas", "Laura", "Felix"}
	lastNames  = []string{"Tamm", "Saar", "Schmidt", "Weber", "Mägi", "Müller", "Kask", "Fischer", "Sepp", "Wagner"}
	cities     = []struct{ street, city, postal, country string }{
		{"Narva mnt 5", "Tallinn", "10117", "EE"}, {"Riia 12", "Tartu", "51010", "EE"},
		{"Hauptstraße 8", "Berlin", "10115", "DE"}, {"Marktplatz 3", "München", "80331", "DE"},
	}
)

// generator writes the rows of one order at a time, deciding what happened to it
// (payment, fulfilments, refunds) at random but by the domain's rules: carts and
// totals through internal/money, fulfilment and refund lines through psp.Plan*, so the
// data set holds every invariant the product keeps (parts add up to their lines, an
// order's amount is its initial amount less its refunds).
type generator struct {
	rng   *rand.Rand
	st    *structure
	tag   string
	now   time.Time
	start time.Time
	span  time.Duration
	n     int
}

// batch is the rows of a run of orders, per table.
type batch struct {
	orders, items, fulfilments, fulfilmentLines, refunds, refundLines [][]any
}

func (b *batch) rows(t table) [][]any {
	switch t.name {
	case ordersTable.name:
		return b.orders
	case itemsTable.name:
		return b.items
	case fulfilmentsTable.name:
		return b.fulfilments
	case fulfilmentLinesTable.name:
		return b.fulfilmentLines
	case refundsTable.name:
		return b.refunds
	case refundLinesTable.name:
		return b.refundLines
	}
	return nil
}

// nullable turns a zero value into SQL NULL.
func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// between is a random instant in [a, b).
func (g *generator) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.rng.Int64N(int64(b.Sub(a)))))
}

// orderItem is an item row in the making: its id and the state the rules work on.
type orderItem struct {
	id       string
	position int
	product  product
	state    psp.ItemState
}

// order appends the rows of the i-th order to b.
func (g *generator) order(i int, b *batch) error {
	created := g.start.Add(time.Duration((float64(i) + g.rng.Float64()) / float64(g.n) * float64(g.span)))
	m := g.st.pick(g.rng.Float64())
	co := m.companies[g.rng.IntN(len(m.companies))]
	sh := m.shops[g.rng.IntN(len(m.shops))]
	cur := co.currency
	provider := co.providers[g.rng.IntN(len(co.providers))]
	orderID := ids.At("ord", created)

	items, total, err := g.cart(provider, cur, created)
	if err != nil {
		return err
	}

	status := "CONFIRMED"
	switch r := g.rng.Float64(); {
	case r >= 0.94:
		status = "CANCELLED"
	case r >= 0.86:
		status = "FAILED"
	case r >= 0.78:
		status = "PENDING"
	}
	var productType domain.ProductType
	var confirmedAt time.Time
	var payout domain.Date
	if status == "CONFIRMED" {
		productType = g.productType(provider, sh, total)
		confirmedAt = created.Add(time.Duration(1+g.rng.IntN(15)) * time.Minute)
		payout, _ = settlement.OrderPayableDate(provider, &productType, confirmedAt, co.delays)
	}

	fulfilled, refunded := money.Zero(cur), money.Zero(cur)
	if status == "CONFIRMED" && confirmedAt.Before(g.now) {
		last := confirmedAt
		if fulfilled, last, err = g.fulfil(b, orderID, co, provider, productType, items, confirmedAt); err != nil {
			return err
		}
		if refunded, err = g.refund(b, orderID, co.id, items, last); err != nil {
			return err
		}
	}

	for _, it := range items {
		s := it.state
		b.items = append(b.items, []any{it.id, created.UTC(), created.UTC(), orderID, it.position, s.SKU, it.product.name,
			int64(s.Ordered), cur, s.UnitPrice.Minor(), it.product.vatBps, s.Total.Minor(),
			int64(s.Fulfilled), int64(s.Cancelled), int64(s.Returned),
			s.FulfilledAmount.Minor(), s.CancelledAmount.Minor(), s.ReturnedAmount.Minor()})
	}

	first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
	place := cities[g.rng.IntN(len(cities))]
	addr, err := json.Marshal(domain.Address{Street: place.street, City: place.city, PostalCode: place.postal, Country: place.country})
	if err != nil {
		return err
	}
	var companyName string
	if provider == domain.ProviderBillie {
		companyName = last + " Handel GmbH"
	}
	var paymentURL string
	if status == "PENDING" {
		paymentURL = fmt.Sprintf("http://localhost/sandbox/%s/pay/%s", provider.Slug(), orderID)
	}
	amount, err := total.Sub(refunded)
	if err != nil {
		return err
	}
	ref := fmt.Sprintf("%s-%07d", g.tag, i+1)
	updated := created
	if !confirmedAt.IsZero() {
		updated = confirmedAt
	}
	b.orders = append(b.orders, []any{orderID, created.UTC(), updated.UTC(), g.st.pspID, m.id, co.id, sh.id,
		string(provider), nullable(string(productType)), ref, status, string(psp.FulfilmentStatusOf(states(items))), cur,
		total.Minor(), amount.Minor(), fulfilled.Minor(), refunded.Minor(),
		fmt.Sprintf("bench_%s_%s", provider.Slug(), orderID[4:]), nullable(paymentURL), sh.lang, first, last,
		fmt.Sprintf("%s.%s.%d@example.com", first, last, i), nullable(fmt.Sprintf("+3725%07d", i%10000000)),
		nullable(companyName), string(addr), nil,
		"https://shop.bench.example/thanks", "https://shop.bench.example/failed", nil,
		status != "PENDING", 1, nullTime(confirmedAt), nullable(string(payout))})
	return nil
}

// cart picks 1–5 distinct products with their quantities; fractional quantities only
// where the provider takes them.
func (g *generator) cart(provider domain.Provider, cur string, created time.Time) ([]*orderItem, money.Money, error) {
	n := 1
	switch r := g.rng.Float64(); {
	case r >= 0.93:
		n = 5
	case r >= 0.83:
		n = 4
	case r >= 0.65:
		n = 3
	case r >= 0.35:
		n = 2
	}
	total := money.Zero(cur)
	var items []*orderItem
	used := map[int]bool{}
	for len(items) < n {
		k := g.rng.IntN(len(catalogue))
		if used[k] {
			continue
		}
		used[k] = true
		p := catalogue[k]
		q := money.Units(int64(1 + g.rng.IntN(3)))
		if p.fractional && provider == domain.ProviderPaywerk {
			q = money.Quantity(250 * (1 + g.rng.IntN(16))) // 0.25 m to 4 m
		}
		unit := money.New(p.price, cur)
		line, err := unit.Times(q)
		if err != nil {
			return nil, money.Money{}, err
		}
		if total, err = total.Add(line); err != nil {
			return nil, money.Money{}, err
		}
		items = append(items, &orderItem{id: ids.At("itm", created), position: len(items), product: p,
			state: psp.ItemState{SKU: p.sku, Ordered: q, UnitPrice: unit, Total: line,
				FulfilledAmount: money.Zero(cur), CancelledAmount: money.Zero(cur), ReturnedAmount: money.Zero(cur),
				PendingFulfilledAmount: money.Zero(cur)}})
	}
	return items, total, nil
}

// productType is what the shopper chose: Billie sells invoices; Paywerk's pay-later
// products need 100–2000 EUR (docs/providers/paywerk.md "Products and limits"), pay now otherwise.
func (g *generator) productType(provider domain.Provider, sh *shopNode, total money.Money) domain.ProductType {
	if provider == domain.ProviderBillie {
		return domain.ProductInvoice
	}
	pt := domain.ProductPayNowCard
	switch r := g.rng.Float64(); {
	case r >= 0.85:
		pt = domain.ProductSlice
	case r >= 0.5:
		pt = domain.ProductInvoice
	}
	allowed := false
	for _, p := range sh.products {
		allowed = allowed || p == pt
	}
	if !allowed || (pt.PayLater() && !domain.InPayLaterLimit(total)) {
		return domain.ProductPayNowCard
	}
	return pt
}

// fulfil ships all of an order at once (55 %), part of it with perhaps the rest later
// (20 %), or nothing yet; 1 % of the orders see a failed capture before the good one.
// It answers the succeeded amount and the time of the last operation.
func (g *generator) fulfil(b *batch, orderID string, co *companyNode, provider domain.Provider, pt domain.ProductType,
	items []*orderItem, confirmed time.Time) (money.Money, time.Time, error) {
	cur := items[0].state.Total.Currency()
	done, last := money.Zero(cur), confirmed
	r := g.rng.Float64()
	if r >= 0.75 {
		return done, last, nil
	}
	var plans [][]psp.FulfilRequestItem
	if r < 0.55 {
		plans = append(plans, nil) // everything
	} else {
		var req []psp.FulfilRequestItem
		for k, it := range items {
			if k == len(items)-1 && len(req) > 0 {
				break
			}
			q := it.state.Ordered
			if q > money.Units(1) && g.rng.IntN(2) == 0 {
				q = money.Units(1)
			} else if !q.IsWhole() && q > 250 && g.rng.IntN(2) == 0 {
				q = 250
			}
			req = append(req, psp.FulfilRequestItem{SKU: it.state.SKU, Quantity: &q})
		}
		plans = append(plans, req)
		if g.rng.IntN(2) == 0 {
			plans = append(plans, nil)
		}
	}
	for _, req := range plans {
		at := g.between(last.Add(2*time.Hour), last.Add(5*24*time.Hour))
		if !at.Before(g.now) {
			break
		}
		state := states(items)
		var plan psp.Plan
		var err error
		if req == nil {
			plan, err = psp.PlanFulfilAll(cur, state)
		} else {
			plan, err = psp.PlanFulfilment(cur, state, req)
		}
		if _, refused := domain.AsRefusal(err); refused && req == nil {
			break // the first part took everything
		}
		if err != nil {
			return done, last, fmt.Errorf("bulkseed: plan a fulfilment of %s: %w", orderID, err)
		}
		if g.rng.IntN(100) == 0 {
			g.fulfilmentRows(b, orderID, co, provider, pt, items, plan, at.Add(-time.Hour), domain.OperationFailed)
		}
		g.fulfilmentRows(b, orderID, co, provider, pt, items, plan, at, domain.OperationSucceeded)
		for k := range items {
			s := plan.Items[k]
			// The capture succeeded: nothing of it is pending any more.
			s.PendingFulfilled, s.PendingFulfilledAmount = 0, money.Zero(cur)
			items[k].state = s
		}
		if done, err = done.Add(plan.Amount); err != nil {
			return done, last, err
		}
		last = at
	}
	return done, last, nil
}

// fulfilmentRows writes a fulfilment and its lines. A part credited on its own (pay
// later) becomes payable when settlement.PartPayableDate says, counted from when it
// succeeded; a failed one reserved nothing in the end.
func (g *generator) fulfilmentRows(b *batch, orderID string, co *companyNode, provider domain.Provider, pt domain.ProductType,
	items []*orderItem, plan psp.Plan, at time.Time, status domain.OperationStatus) {
	id := ids.At("ful", at)
	var payout, failure any
	if d, ok := settlement.PartPayableDate(provider, &pt, at, co.delays); ok && status == domain.OperationSucceeded {
		payout = string(d)
	}
	if status == domain.OperationFailed {
		failure = "the provider declined the capture (bench data)"
	}
	b.fulfilments = append(b.fulfilments, []any{id, at.UTC(), at.UTC(), orderID, co.id, string(status), plan.Amount.Currency(),
		plan.Amount.Minor(), payout, "bench_cap_" + id[4:], failure, 1, at.UTC()})
	for _, l := range plan.Lines {
		b.fulfilmentLines = append(b.fulfilmentLines, []any{ids.At("fln", at), at.UTC(), at.UTC(), id, items[l.Item].id,
			int64(l.Quantity), l.Amount.Currency(), l.Amount.Minor()})
	}
}

// refund gives something back on 12 % of the confirmed orders, some days after the
// last operation: everything that is left (refundAll), one item by AUTO, or part of
// one fulfilled item by RETURN. 2 % of the refunds fail at the provider.
func (g *generator) refund(b *batch, orderID, companyID string, items []*orderItem, after time.Time) (money.Money, error) {
	cur := items[0].state.Total.Currency()
	if g.rng.Float64() >= 0.12 {
		return money.Zero(cur), nil
	}
	at := g.between(after.Add(time.Hour), after.Add(14*24*time.Hour))
	if !at.Before(g.now) {
		return money.Zero(cur), nil
	}
	state := states(items)
	var plan psp.Plan
	var err error
	it := items[g.rng.IntN(len(items))].state
	switch r := g.rng.Float64(); {
	case r < 0.4:
		plan, err = psp.PlanRefundAll(cur, state)
	case it.Returnable() > 0 && r < 0.7:
		q := it.Returnable()
		if q > money.Units(1) {
			q = money.Units(1)
		}
		plan, err = psp.PlanRefund(cur, state, []psp.RefundRequestItem{{SKU: it.SKU, RefundType: domain.RefundReturn, Quantity: &q}})
	default:
		if it.NotRefunded() == 0 {
			return money.Zero(cur), nil
		}
		plan, err = psp.PlanRefund(cur, state, []psp.RefundRequestItem{{SKU: it.SKU, RefundType: domain.RefundAuto}})
	}
	if err != nil {
		if _, refused := domain.AsRefusal(err); refused {
			return money.Zero(cur), nil // nothing left to give back
		}
		return money.Zero(cur), fmt.Errorf("bulkseed: plan a refund of %s: %w", orderID, err)
	}
	status := domain.OperationSucceeded
	var failure any
	if g.rng.IntN(50) == 0 {
		status, failure = domain.OperationFailed, "the provider refused the refund (bench data)"
	}
	id := ids.At("ref", at)
	reason := []string{"customer returned the goods", "out of stock", "damaged in transit", "changed their mind"}[g.rng.IntN(4)]
	b.refunds = append(b.refunds, []any{id, at.UTC(), at.UTC(), orderID, companyID, string(status), cur, plan.Amount.Minor(),
		plan.ReturnAmount.Minor(), plan.CancelAmount.Minor(), reason, "bench_rfd_" + id[4:], failure, 1, at.UTC()})
	for _, l := range plan.Lines {
		b.refundLines = append(b.refundLines, []any{ids.At("rfl", at), at.UTC(), at.UTC(), id, items[l.Item].id,
			string(l.Type), int64(l.Quantity), cur, l.Amount.Minor()})
	}
	if status != domain.OperationSucceeded {
		return money.Zero(cur), nil
	}
	for k := range items {
		items[k].state = plan.Items[k]
	}
	return plan.Amount, nil
}

func states(items []*orderItem) []psp.ItemState {
	out := make([]psp.ItemState, len(items))
	for k, it := range items {
		out[k] = it.state
	}
	return out
}
