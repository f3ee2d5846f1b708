package psp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func qty(s string) *money.Quantity {
	q := money.MustQuantity(s)
	return &q
}

// item is an order item of `ordered` units at `unit`, its total unit × ordered.
func item(sku, ordered, unit string) ItemState {
	q := money.MustQuantity(ordered)
	total, err := eur(unit).Times(q)
	if err != nil {
		panic(err)
	}
	zero := money.Zero("EUR")
	return ItemState{SKU: sku, Ordered: q, UnitPrice: eur(unit), Total: total,
		FulfilledAmount: zero, CancelledAmount: zero, ReturnedAmount: zero, PendingFulfilledAmount: zero}
}

// after applies confirmed operations to an item through the rules themselves, so
// the amounts in the state are the ones the rules would have computed.
type step struct {
	kind domain.RefundType // "" fulfil
	q    string
}

func fulfilled(q string) step { return step{"", q} }
func cancelled(q string) step { return step{domain.RefundCancel, q} }
func returned(q string) step  { return step{domain.RefundReturn, q} }

func after(it ItemState, steps ...step) ItemState {
	items := []ItemState{it}
	for _, s := range steps {
		var (
			pl  Plan
			err error
		)
		if s.kind == "" {
			pl, err = PlanFulfilment("EUR", items, []FulfilRequestItem{{SKU: it.SKU, Quantity: qty(s.q)}})
		} else {
			pl, err = PlanRefund("EUR", items, []RefundRequestItem{{SKU: it.SKU, RefundType: s.kind, Quantity: qty(s.q)}})
		}
		if err != nil {
			panic(fmt.Sprintf("setting up %v: %v", s, err))
		}
		items = confirm(pl.Items)
	}
	return items[0]
}

// confirm marks every pending capture as succeeded.
func confirm(items []ItemState) []ItemState {
	out := slices.Clone(items)
	for i := range out {
		out[i].PendingFulfilled = 0
		out[i].PendingFulfilledAmount = money.Zero("EUR")
	}
	return out
}

// line is a planned line in short: "RETURN A 2 = 20.00", "fulfil A 1 = 10.00".
func line(l PlannedLine) string {
	kind := string(l.Type)
	if kind == "" {
		kind = "fulfil"
	}
	return fmt.Sprintf("%s %s %s = %s", kind, l.SKU, l.Quantity, l.Amount.Amount())
}

func lines(pl Plan) []string {
	out := make([]string, len(pl.Lines))
	for i, l := range pl.Lines {
		out[i] = line(l)
	}
	return out
}

// problems in short: "QUANTITY_EXCEEDS_REMAINING items.0.quantity".
func problems(err error) []string {
	r, ok := domain.AsRefusal(err)
	if !ok {
		return []string{"not a refusal: " + fmt.Sprint(err)}
	}
	out := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		out[i] = p.Code + " " + strings.Join(p.Field, ".")
	}
	return out
}

func TestFulfilmentRules(t *testing.T) {
	a := item("A", "3", "10.00")
	b := item("B", "1.125", "9.99") // total 11.24
	tests := []ruleCase[FulfilRequestItem]{
		{name: "fulfil part of an untouched item", items: []ItemState{a},
			req: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}, want: []string{"fulfil A 1 = 10.00"}},
		{name: "an omitted quantity fulfils all that is open", items: []ItemState{after(a, fulfilled("1"), cancelled("1"))},
			req: []FulfilRequestItem{{SKU: "A"}}, want: []string{"fulfil A 1 = 10.00"}},
		{name: "exactly what is open is allowed", items: []ItemState{after(a, cancelled("1"))},
			req: []FulfilRequestItem{{SKU: "A", Quantity: qty("2")}}, want: []string{"fulfil A 2 = 20.00"}},
		{name: "more than ordered minus fulfilled minus cancelled is refused", items: []ItemState{after(a, fulfilled("1"), cancelled("1"))},
			req: []FulfilRequestItem{{SKU: "A", Quantity: qty("1.001")}}, refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "returned quantities do not reopen an item", items: []ItemState{after(a, fulfilled("3"), returned("2"))},
			req: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}, refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "an omitted quantity on a closed item is refused", items: []ItemState{after(a, fulfilled("3"))},
			req: []FulfilRequestItem{{SKU: "A"}}, refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		// Running totals: 0.5 → 5.00 before, 1.0 → 9.99, 1.125 → 11.24.
		{name: "fractional parts are differences of rounded running totals", items: []ItemState{after(b, fulfilled("0.5"))},
			req:  []FulfilRequestItem{{SKU: "B", Quantity: qty("0.5")}, {SKU: "B", Quantity: qty("0.125")}},
			want: []string{"fulfil B 0.5 = 4.99", "fulfil B 0.125 = 1.25"}},
		{name: "the same sku twice takes from what the first line left", items: []ItemState{a},
			req:     []FulfilRequestItem{{SKU: "A", Quantity: qty("2")}, {SKU: "A", Quantity: qty("2")}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.1.quantity"}},
		{name: "every problem is reported at once", items: []ItemState{a, b},
			req:     []FulfilRequestItem{{SKU: "X", Quantity: qty("1")}, {SKU: "A", Quantity: qty("0")}, {SKU: "B", Quantity: qty("2")}},
			refused: []string{"UNKNOWN_SKU items.0.sku", "VALIDATION items.1.quantity", "QUANTITY_EXCEEDS_REMAINING items.2.quantity"}},
		{name: "a negative quantity is a validation error", items: []ItemState{a},
			req: []FulfilRequestItem{{SKU: "A", Quantity: qty("-1")}}, refused: []string{"VALIDATION items.0.quantity"}},
		{name: "no items is a validation error", items: []ItemState{a}, refused: []string{"VALIDATION items"}},
		{name: "fulfil all takes every open quantity", all: true,
			items: []ItemState{after(a, fulfilled("1"), cancelled("1")), after(b, fulfilled("0.5")), after(item("C", "1", "5.00"), cancelled("1"))},
			want:  []string{"fulfil A 1 = 10.00", "fulfil B 0.625 = 6.24"}},
		{name: "fulfil all with nothing open is refused", all: true,
			items: []ItemState{after(a, fulfilled("2"), cancelled("1"))}, refused: []string{"QUANTITY_EXCEEDS_REMAINING orderId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := planAllOr(tt.all, func() (Plan, error) { return PlanFulfilAll("EUR", tt.items) },
				func() (Plan, error) { return PlanFulfilment("EUR", tt.items, tt.req) })
			check(t, pl, err, tt.want, tt.refused)
			if err == nil {
				for _, l := range pl.Lines {
					it := pl.Items[l.Item]
					if it.PendingFulfilled < l.Quantity {
						t.Errorf("the fulfilled %s of %s is not marked pending", l.Quantity, l.SKU)
					}
				}
			}
		})
	}
}

func check(t *testing.T, pl Plan, err error, want, refused []string) {
	t.Helper()
	if refused != nil {
		if got := problems(err); !slices.Equal(got, refused) {
			t.Fatalf("refusal = %q, want %q", got, refused)
		}
		return
	}
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if got := lines(pl); !slices.Equal(got, want) {
		t.Fatalf("lines =\n  %q\nwant\n  %q", got, want)
	}
}

func TestRefundRules(t *testing.T) {
	a := item("A", "3", "10.00")
	b := item("B", "1.125", "9.99") // total 11.24
	tests := []ruleCase[RefundRequestItem]{
		// CANCEL: what cannot be sent out.
		{name: "cancel part of an open item", items: []ItemState{a},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel, Quantity: qty("1")}}, want: []string{"CANCEL A 1 = 10.00"}},
		{name: "cancel with no quantity cancels all that is open", items: []ItemState{after(a, fulfilled("1"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel}}, want: []string{"CANCEL A 2 = 20.00"}},
		{name: "cancelling more than is open is refused", items: []ItemState{after(a, fulfilled("2"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel, Quantity: qty("2")}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "cancelling a fully fulfilled item is refused", items: []ItemState{after(a, fulfilled("3"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},

		// RETURN: what came back.
		{name: "return part of what was fulfilled", items: []ItemState{after(a, fulfilled("2"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}}, want: []string{"RETURN A 1 = 10.00"}},
		{name: "return with no quantity returns all fulfilled and not returned", items: []ItemState{after(a, fulfilled("2"), returned("0.5"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn}}, want: []string{"RETURN A 1.5 = 15.00"}},
		{name: "returning more than fulfilled minus returned is refused", items: []ItemState{after(a, fulfilled("2"), returned("1"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1.5")}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "returning an unfulfilled item is refused", items: []ItemState{a},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "a fulfilment still pending at the provider cannot be returned yet",
			items: []ItemState{func() ItemState {
				pl, _ := PlanFulfilment("EUR", []ItemState{a}, []FulfilRequestItem{{SKU: "A"}})
				return pl.Items[0]
			}()},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},
		{name: "returns of fractional parts add up to what was fulfilled", items: []ItemState{after(b, fulfilled("1.125"), returned("0.5"))},
			req:  []RefundRequestItem{{SKU: "B", RefundType: domain.RefundReturn, Quantity: qty("0.5")}, {SKU: "B", RefundType: domain.RefundReturn}},
			want: []string{"RETURN B 0.5 = 4.99", "RETURN B 0.125 = 1.25"}},

		// AUTO, docs/providers/paywerk.md "Refunds": "For fully fulfilled items refund type RETURN is actually applied."
		{name: "auto on a fully fulfilled item returns it", items: []ItemState{after(a, fulfilled("3"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}}, want: []string{"RETURN A 3 = 30.00"}},
		{name: "auto on a fully fulfilled item may return part of it", items: []ItemState{after(a, fulfilled("3"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("1")}}, want: []string{"RETURN A 1 = 10.00"}},
		{name: "auto on an item fulfilled except what was cancelled returns it", items: []ItemState{after(a, cancelled("1"), fulfilled("2"))},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}}, want: []string{"RETURN A 2 = 20.00"}},
		// "For items not fulfilled at all refund type CANCEL is actually applied."
		{name: "auto on an unfulfilled item cancels it", items: []ItemState{a},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}}, want: []string{"CANCEL A 3 = 30.00"}},
		{name: "auto on an unfulfilled item may cancel part of it", items: []ItemState{a},
			req: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("0.5")}}, want: []string{"CANCEL A 0.5 = 5.00"}},
		// "Partially fulfilled items support only full refund. It can be requested either
		// by specifying quantity equal to not refunded items or by omitting quantity."
		{name: "auto on a partially fulfilled item without quantity returns the fulfilled part and cancels the rest",
			items: []ItemState{after(a, fulfilled("1"))},
			req:   []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}}, want: []string{"RETURN A 1 = 10.00", "CANCEL A 2 = 20.00"}},
		{name: "auto on a partially fulfilled item with the whole not-refunded quantity splits it",
			items: []ItemState{after(a, fulfilled("1"), returned("0.5"), cancelled("0.5"))},
			req:   []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("2")}},
			want:  []string{"RETURN A 0.5 = 5.00", "CANCEL A 1.5 = 15.00"}},
		// "Partially fulfilled items do not support partial refund and type AUTO."
		{name: "a partial auto on a partially fulfilled item is refused", items: []ItemState{after(a, fulfilled("1"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("1")}},
			refused: []string{"PARTIAL_AUTO_NOT_ALLOWED items.0.quantity"}},
		{name: "auto for more than the not-refunded quantity of a partially fulfilled item is refused", items: []ItemState{after(a, fulfilled("1"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("4")}},
			refused: []string{"PARTIAL_AUTO_NOT_ALLOWED items.0.quantity"}},
		{name: "auto on a partially fulfilled item whose fulfilled part came back cancels the rest",
			items: []ItemState{after(a, fulfilled("1"), returned("1"))},
			req:   []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}}, want: []string{"CANCEL A 2 = 20.00"}},
		{name: "auto on an item with nothing left is refused", items: []ItemState{after(a, cancelled("3"))},
			req:     []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}},
			refused: []string{"QUANTITY_EXCEEDS_REMAINING items.0.quantity"}},

		// Amounts: the parts of a line add up to it.
		{name: "cancelling the last open part takes exactly what is left of the line", items: []ItemState{after(b, fulfilled("0.5"), cancelled("0.5"))},
			req: []RefundRequestItem{{SKU: "B", RefundType: domain.RefundCancel}}, want: []string{"CANCEL B 0.125 = 1.25"}},

		// Refusals collect per item, and nothing is planned.
		{name: "every problem is reported at once", items: []ItemState{after(a, fulfilled("1")), b},
			req: []RefundRequestItem{
				{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("1")},
				{SKU: "Z", RefundType: domain.RefundCancel},
				{SKU: "B", RefundType: domain.RefundReturn},
				{SKU: "B", RefundType: domain.RefundCancel, Quantity: qty("0")},
			},
			refused: []string{"PARTIAL_AUTO_NOT_ALLOWED items.0.quantity", "UNKNOWN_SKU items.1.sku",
				"QUANTITY_EXCEEDS_REMAINING items.2.quantity", "VALIDATION items.3.quantity"}},
		{name: "an unknown refund type is a validation error", items: []ItemState{a},
			req: []RefundRequestItem{{SKU: "A", RefundType: "LOST"}}, refused: []string{"VALIDATION items.0.refundType"}},

		// Refund all: RETURN what was fulfilled, CANCEL what is open.
		{name: "refund all returns what was fulfilled and cancels the rest", all: true,
			items: []ItemState{after(a, fulfilled("2"), returned("1")), after(b, fulfilled("0.5")), item("C", "2", "1.00")},
			want:  []string{"RETURN A 1 = 10.00", "CANCEL A 1 = 10.00", "RETURN B 0.5 = 5.00", "CANCEL B 0.625 = 6.24", "CANCEL C 2 = 2.00"}},
		{name: "refund all of a refunded order is refused", all: true,
			items: []ItemState{after(a, fulfilled("2"), returned("2"), cancelled("1"))}, refused: []string{"QUANTITY_EXCEEDS_REMAINING orderId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := planAllOr(tt.all, func() (Plan, error) { return PlanRefundAll("EUR", tt.items) },
				func() (Plan, error) { return PlanRefund("EUR", tt.items, tt.req) })
			check(t, pl, err, tt.want, tt.refused)
			if err == nil {
				ret, cnl := money.Zero("EUR"), money.Zero("EUR")
				for _, l := range pl.Lines {
					if l.Type == domain.RefundReturn {
						ret = mustAdd(ret, l.Amount)
					} else {
						cnl = mustAdd(cnl, l.Amount)
					}
				}
				if ret != pl.ReturnAmount || cnl != pl.CancelAmount || mustAdd(ret, cnl) != pl.Amount {
					t.Errorf("amounts %s = %s + %s, lines say %s + %s", pl.Amount, pl.ReturnAmount, pl.CancelAmount, ret, cnl)
				}
			}
		})
	}
}

func TestRefusedPlanLeavesItemsUntouched(t *testing.T) {
	items := []ItemState{after(item("A", "3", "10.00"), fulfilled("1"))}
	before := slices.Clone(items)
	_, err := PlanRefund("EUR", items, []RefundRequestItem{
		{SKU: "A", RefundType: domain.RefundCancel, Quantity: qty("1")},
		{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("5")},
	})
	if err == nil {
		t.Fatal("refund of 5 returned of 1 fulfilled was not refused")
	}
	if !slices.Equal(items, before) {
		t.Fatalf("a refused plan changed the items: %+v", items)
	}
}

// planAllOr plans with all (fulfilAll, refundAll) or with the named items.
func planAllOr(all bool, every, named func() (Plan, error)) (Plan, error) {
	if all {
		return every()
	}
	return named()
}

// ruleCase is one case of the fulfilment or refund rules: the order's items, the
// request (or all), and the planned lines or the refused problems.
type ruleCase[R any] struct {
	name    string
	items   []ItemState
	req     []R
	all     bool
	want    []string
	refused []string
}
