package psp

import (
	"fmt"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// The rules of fulfilment and refund (docs/money.md "What an operation may take"), as pure functions over
// the items of one order. They decide what a request does (which quantities, which
// resolved refund types, which amounts) or refuse it, per item, with a code and the
// input field; storage, locking and the provider call are the services' business.
//
// Per item, with ordered, fulfilled, cancelled and returned:
//   - fulfil q:  q ≤ ordered − fulfilled − cancelled
//   - CANCEL q:  q ≤ ordered − fulfilled − cancelled
//   - RETURN q:  q ≤ fulfilled − returned, where fulfilled counts only captures the
//     provider has confirmed: a part whose capture is still PENDING cannot come back
//     yet (if that capture failed, the return would have given back what was never
//     taken)
//   - AUTO: nothing fulfilled → CANCEL; nothing open → RETURN; partially fulfilled →
//     only the whole not-yet-refunded quantity, split into RETURN of the fulfilled
//     part and CANCEL of the open rest; anything less is PARTIAL_AUTO_NOT_ALLOWED.
//   - an omitted quantity is all that the type allows; a given one is positive.
//
// Amounts come from money.Pool: fulfil and CANCEL consume the line (ordered quantity,
// line total), RETURN consumes what was fulfilled (fulfilled quantity and amount).
// A part is a difference of rounded running totals, round_half_up(unit × q_after) −
// what the pool's earlier parts took, and the part that takes a pool's last open
// quantity takes exactly what is left: every prefix of a line is within half a cent
// of exact and the parts add up to the line (README "Settlement": line amounts).

// ItemState is what the rules see of one order item. The fulfilled, cancelled and
// returned quantities and amounts include parts reserved by operations still
// PENDING at the provider; PendingFulfilled says how much of Fulfilled that is.
type ItemState struct {
	SKU             string
	Ordered         money.Quantity
	UnitPrice       money.Money
	Total           money.Money
	Fulfilled       money.Quantity
	Cancelled       money.Quantity
	Returned        money.Quantity
	FulfilledAmount money.Money
	CancelledAmount money.Money
	ReturnedAmount  money.Money
	// The part of Fulfilled / FulfilledAmount whose capture is still PENDING.
	PendingFulfilled       money.Quantity
	PendingFulfilledAmount money.Money
}

// Open is what can still be fulfilled or cancelled.
func (it ItemState) Open() money.Quantity { return it.Ordered - it.Fulfilled - it.Cancelled }

// Returnable is what was fulfilled (and confirmed by the provider) and has not come back.
func (it ItemState) Returnable() money.Quantity {
	return it.Fulfilled - it.PendingFulfilled - it.Returned
}

// NotRefunded is what neither a CANCEL nor a RETURN has taken yet.
func (it ItemState) NotRefunded() money.Quantity { return it.Open() + it.Fulfilled - it.Returned }

// linePool is the line as fulfilments and cancellations consume it.
func (it ItemState) linePool() money.Pool {
	return money.Pool{Quantity: it.Ordered, Amount: it.Total,
		ConsumedQuantity: it.Fulfilled + it.Cancelled, ConsumedAmount: mustAdd(it.FulfilledAmount, it.CancelledAmount)}
}

// returnPool is what was fulfilled and confirmed, as returns consume it.
func (it ItemState) returnPool() money.Pool {
	return money.Pool{Quantity: it.Fulfilled - it.PendingFulfilled, Amount: mustSub(it.FulfilledAmount, it.PendingFulfilledAmount),
		ConsumedQuantity: it.Returned, ConsumedAmount: it.ReturnedAmount}
}

// FulfilRequestItem asks to fulfil a quantity of one item; nil is all that is open.
type FulfilRequestItem struct {
	SKU      string          `json:"sku"`
	Quantity *money.Quantity `json:"quantity,omitempty"`
}

// RefundRequestItem asks to refund a quantity of one item as RETURN, CANCEL or AUTO;
// a nil quantity is all that the type allows.
type RefundRequestItem struct {
	SKU        string            `json:"sku"`
	RefundType domain.RefundType `json:"refundType"`
	Quantity   *money.Quantity   `json:"quantity,omitempty"`
}

// PlannedLine is one line of a planned operation: a quantity of one item and what it
// costs. Type is RETURN or CANCEL for a refund (never AUTO), empty for a fulfilment.
type PlannedLine struct {
	Item     int // index into the items the plan was made from
	SKU      string
	Type     domain.RefundType
	Quantity money.Quantity
	Amount   money.Money
}

// Plan is what an operation does: its lines, its amounts, and the items after it.
type Plan struct {
	Lines        []PlannedLine
	Items        []ItemState
	Amount       money.Money // all lines
	ReturnAmount money.Money // RETURN lines
	CancelAmount money.Money // CANCEL lines
}

// planner applies lines one by one to a copy of the items, collecting every problem,
// so a refused request changes nothing and says everything that is wrong at once.
type planner struct {
	currency string
	items    []ItemState
	index    map[string]int
	lines    []PlannedLine
	refusal  domain.Refusal
}

func newPlanner(currency string, items []ItemState) *planner {
	p := &planner{currency: currency, items: append([]ItemState(nil), items...), index: make(map[string]int, len(items))}
	for i, it := range items {
		p.index[it.SKU] = i
	}
	return p
}

func (p *planner) problem(err *domain.Named, field []string, format string, args ...any) {
	p.refusal.AddErr(err, field, fmt.Sprintf(format, args...))
}

// item finds the item of a request line, or records UNKNOWN_SKU.
func (p *planner) item(n int, sku string) (int, bool) {
	i, ok := p.index[sku]
	if !ok {
		p.problem(ErrUnknownSKU, domain.Field("items", n, "sku"), "the order has no item with sku %q", sku)
	}
	return i, ok
}

// validQuantity refuses a given quantity that is not positive.
// eachRequested calls do for each of the count requested items that names a known
// item (index i) with a valid quantity, recording a problem for the others and for an
// empty request, so fulfilment and refund check their requests the same way.
func (p *planner) eachRequested(count int, verb string, requested func(n int) (sku string, q *money.Quantity), do func(n, i int)) {
	if count == 0 {
		p.problem(ErrInvalidOperation, domain.Field("items"), "name at least one item to %s", verb)
	}
	for n := 0; n < count; n++ {
		sku, q := requested(n)
		i, ok := p.item(n, sku)
		if !ok || !p.validQuantity(n, q) {
			continue
		}
		do(n, i)
	}
}

func (p *planner) validQuantity(n int, q *money.Quantity) bool {
	if q != nil && *q <= 0 {
		p.problem(ErrInvalidOperation, domain.Field("items", n, "quantity"), "quantity must be positive (omit it to take all)")
		return false
	}
	return true
}

// take consumes q of item i as a fulfilment ("") or a CANCEL or RETURN, after
// checking it fits; n is the request line for the field path.
func (p *planner) take(n, i int, kind domain.RefundType, q money.Quantity) {
	it := &p.items[i]
	field := domain.Field("items", n, "quantity")
	var pool money.Pool
	switch kind {
	case "", domain.RefundCancel:
		if q > it.Open() {
			p.problem(ErrQuantityExceedsRemaining, field,
				"%s: only %s of %s is neither fulfilled nor cancelled, %s asked", it.SKU, it.Open(), it.Ordered, q)
			return
		}
		pool = it.linePool()
	case domain.RefundReturn:
		if q > it.Returnable() {
			msg := "%s: only %s is fulfilled and not yet returned, %s asked"
			if it.PendingFulfilled > 0 {
				msg += fmt.Sprintf(" (%s more awaits the provider's capture and can be returned once it succeeds)", it.PendingFulfilled)
			}
			p.problem(ErrQuantityExceedsRemaining, field, msg, it.SKU, it.Returnable(), q)
			return
		}
		pool = it.returnPool()
	default:
		p.problem(ErrInvalidOperation, domain.Field("items", n, "refundType"), "refundType must be RETURN, CANCEL or AUTO")
		return
	}
	amount, err := pool.Take(it.UnitPrice, q)
	if err != nil { // cannot happen after the checks above, but never guess an amount
		p.problem(ErrInvalidOperation, field, "%s: %v", it.SKU, err)
		return
	}
	switch kind {
	case "":
		it.Fulfilled += q
		it.FulfilledAmount = mustAdd(it.FulfilledAmount, amount)
		// A new fulfilment is PENDING until the provider confirms the capture.
		it.PendingFulfilled += q
		it.PendingFulfilledAmount = mustAdd(it.PendingFulfilledAmount, amount)
	case domain.RefundCancel:
		it.Cancelled += q
		it.CancelledAmount = mustAdd(it.CancelledAmount, amount)
	case domain.RefundReturn:
		it.Returned += q
		it.ReturnedAmount = mustAdd(it.ReturnedAmount, amount)
	}
	p.lines = append(p.lines, PlannedLine{Item: i, SKU: it.SKU, Type: kind, Quantity: q, Amount: amount})
}

// plan answers the plan, or the refusal with every problem found.
func (p *planner) plan() (Plan, error) {
	if err := p.refusal.Err(); err != nil {
		return Plan{}, err
	}
	pl := Plan{Lines: p.lines, Items: p.items,
		Amount: money.Zero(p.currency), ReturnAmount: money.Zero(p.currency), CancelAmount: money.Zero(p.currency)}
	for _, l := range p.lines {
		pl.Amount = mustAdd(pl.Amount, l.Amount)
		switch l.Type {
		case domain.RefundReturn:
			pl.ReturnAmount = mustAdd(pl.ReturnAmount, l.Amount)
		case domain.RefundCancel:
			pl.CancelAmount = mustAdd(pl.CancelAmount, l.Amount)
		}
	}
	return pl, nil
}

// PlanFulfilment plans fulfilling the requested items. An item may appear more than
// once; its lines then take from what the earlier ones left.
func PlanFulfilment(currency string, items []ItemState, req []FulfilRequestItem) (Plan, error) {
	p := newPlanner(currency, items)
	p.eachRequested(len(req), "fulfil (or use fulfilAll)", func(n int) (string, *money.Quantity) { return req[n].SKU, req[n].Quantity }, func(n, i int) {
		r := req[n]
		q := p.items[i].Open()
		if r.Quantity != nil {
			q = *r.Quantity
		} else if q == 0 {
			p.problem(ErrQuantityExceedsRemaining, domain.Field("items", n, "quantity"),
				"%s: nothing is left to fulfil (%s fulfilled, %s cancelled of %s)", r.SKU, p.items[i].Fulfilled, p.items[i].Cancelled, p.items[i].Ordered)
			return
		}
		p.take(n, i, "", q)
	})
	return p.plan()
}

// PlanFulfilAll plans fulfilling every open quantity of every item.
func PlanFulfilAll(currency string, items []ItemState) (Plan, error) {
	var req []FulfilRequestItem
	for _, it := range items {
		if it.Open() > 0 {
			req = append(req, FulfilRequestItem{SKU: it.SKU})
		}
	}
	if len(req) == 0 {
		return Plan{}, domain.RefuseErr(ErrQuantityExceedsRemaining, domain.Field("orderId"),
			"nothing is left to fulfil: every item is fulfilled or cancelled")
	}
	return PlanFulfilment(currency, items, req)
}

// PlanRefund plans refunding the requested items, resolving AUTO to RETURN and
// CANCEL lines. An item may appear more than once; later lines take from what the
// earlier ones left.
func PlanRefund(currency string, items []ItemState, req []RefundRequestItem) (Plan, error) {
	p := newPlanner(currency, items)
	p.eachRequested(len(req), "refund (or use refundAll)", func(n int) (string, *money.Quantity) { return req[n].SKU, req[n].Quantity }, func(n, i int) {
		p.refundItem(n, i, req[n])
	})
	return p.plan()
}

// refundItem resolves one refund request line into parts and takes them.
func (p *planner) refundItem(n, i int, r RefundRequestItem) {
	it := p.items[i]
	type part struct {
		kind domain.RefundType
		q    money.Quantity
	}
	var parts []part
	switch r.RefundType {
	case domain.RefundCancel:
		parts = []part{{domain.RefundCancel, it.Open()}}
	case domain.RefundReturn:
		parts = []part{{domain.RefundReturn, it.Returnable()}}
	case domain.RefundAuto:
		switch {
		case it.Fulfilled == 0:
			parts = []part{{domain.RefundCancel, it.Open()}}
		case it.Open() == 0:
			parts = []part{{domain.RefundReturn, it.Returnable()}}
		default:
			whole := it.NotRefunded()
			if r.Quantity != nil && *r.Quantity != whole {
				p.problem(ErrPartialAutoNotAllowed, domain.Field("items", n, "quantity"),
					"%s is partially fulfilled: AUTO refunds only its whole not-refunded quantity %s (RETURN of %s, CANCEL of %s); use RETURN or CANCEL for less",
					it.SKU, whole, it.Fulfilled-it.Returned, it.Open())
				return
			}
			if it.PendingFulfilled > 0 {
				p.problem(ErrQuantityExceedsRemaining, domain.Field("items", n, "quantity"),
					"%s: %s of its fulfilled quantity awaits the provider's capture; AUTO can refund the whole item once it succeeds",
					it.SKU, it.PendingFulfilled)
				return
			}
			// The split takes each part whole.
			parts = []part{{domain.RefundReturn, it.Returnable()}, {domain.RefundCancel, it.Open()}}
			r.Quantity = nil
		}
	default:
		p.problem(ErrInvalidOperation, domain.Field("items", n, "refundType"), "refundType must be RETURN, CANCEL or AUTO")
		return
	}
	if r.Quantity != nil { // one part: the asked quantity, checked by take
		parts[0].q = *r.Quantity
		p.take(n, i, parts[0].kind, parts[0].q)
		return
	}
	taken := false
	for _, pt := range parts {
		if pt.q > 0 {
			p.take(n, i, pt.kind, pt.q)
			taken = true
		}
	}
	if !taken {
		msg := fmt.Sprintf("%s: nothing is left to %s (%s ordered, %s fulfilled, %s cancelled, %s returned)",
			it.SKU, refundVerb(parts[0].kind), it.Ordered, it.Fulfilled, it.Cancelled, it.Returned)
		if it.PendingFulfilled > 0 && parts[0].kind == domain.RefundReturn {
			msg += fmt.Sprintf("; %s awaits the provider's capture and can be returned once it succeeds", it.PendingFulfilled)
		}
		p.problem(ErrQuantityExceedsRemaining, domain.Field("items", n, "quantity"), "%s", msg)
	}
}

func refundVerb(t domain.RefundType) string {
	if t == domain.RefundReturn {
		return "return"
	}
	return "cancel"
}

// PlanRefundAll plans refunding every item: RETURN of what was fulfilled and not
// returned, CANCEL of what is open. Quantities whose capture is still PENDING stay.
func PlanRefundAll(currency string, items []ItemState) (Plan, error) {
	var req []RefundRequestItem
	for _, it := range items {
		if it.Returnable() > 0 {
			req = append(req, RefundRequestItem{SKU: it.SKU, RefundType: domain.RefundReturn})
		}
		if it.Open() > 0 {
			req = append(req, RefundRequestItem{SKU: it.SKU, RefundType: domain.RefundCancel})
		}
	}
	if len(req) == 0 {
		return Plan{}, domain.RefuseErr(ErrQuantityExceedsRemaining, domain.Field("orderId"),
			"nothing is left to refund: every item is returned or cancelled (or its capture is still pending)")
	}
	return PlanRefund(currency, items, req)
}

// mustAdd adds amounts of one currency. The rules only ever add amounts of the
// order's own currency, so an error here is a programming error.
func mustAdd(a, b money.Money) money.Money {
	if a == (money.Money{}) {
		return b
	}
	if b == (money.Money{}) {
		return a
	}
	s, err := a.Add(b)
	if err != nil {
		panic(fmt.Sprintf("psp: %v", err))
	}
	return s
}

func mustSub(a, b money.Money) money.Money {
	if b == (money.Money{}) {
		return a
	}
	return mustAdd(a, b.Neg())
}
