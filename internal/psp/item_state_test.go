package psp

import (
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// TestItemStateIsWhatTheServerAccepts: the open and returnable quantities that
// ItemStateOf answers (GraphQL's OrderItem.openQuantity and returnableQuantity, the
// UI's maximum) are exactly what fulfil, CANCEL and RETURN accept: a thousandth more
// is refused. A fulfilment still PENDING at the provider takes its quantity out of
// both: it is no longer open, and it cannot be returned until its capture succeeds.
func TestItemStateIsWhatTheServerAccepts(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		prov := domain.ProviderPaywerk
		ord := e.confirmedOrder(prov, productTypeOf(prov), testLine{sku: "A", quantity: "5", unit: "50.00"})
		e.mustFulfil(ord.ID, FulfilRequestItem{SKU: "A", Quantity: qty("2")})
		e.fault(prov, sandboxkit.OpCapture, sandboxkit.FaultStatus5xx)
		if f, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}}); err != nil || f.Fulfilment.Status != domain.OperationPending {
			t.Fatalf("the faulted capture: %v, %v; want PENDING", f, err)
		}
		e.sb.Faults[prov].Clear()

		state := func() ItemState {
			t.Helper()
			st, err := ItemStateOf(e.as, e.d.Ent, e.snapshot(ord.ID).items["A"], true)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		st := state()
		if st.Open() != mustQ("2") || st.Returnable() != mustQ("2") {
			t.Fatalf("open %s, returnable %s; want 2 and 2 (5 ordered, 2 captured, 1 pending)", st.Open(), st.Returnable())
		}
		over := func(q money.Quantity) *money.Quantity { q += 1; return &q } // one thousandth more
		if _, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: over(st.Open())}}}); code(err) != domain.CodeQuantityExceedsRemaining {
			t.Errorf("fulfilling more than the open quantity: %v", err)
		}
		for _, tc := range []struct {
			typ domain.RefundType
			max money.Quantity
		}{{domain.RefundReturn, st.Returnable()}, {domain.RefundCancel, st.Open()}} {
			if _, err := e.ops.PreviewRefund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "A", RefundType: tc.typ, Quantity: over(tc.max)}}}); code(err) != domain.CodeQuantityExceedsRemaining {
				t.Errorf("%s of more than %s: %v", tc.typ, tc.max, err)
			}
		}
		max := st.Returnable()
		e.mustRefund(ord.ID, RefundRequestItem{SKU: "A", RefundType: domain.RefundReturn, Quantity: &max})
		max = st.Open()
		e.mustRefund(ord.ID, RefundRequestItem{SKU: "A", RefundType: domain.RefundCancel, Quantity: &max})
		if st := state(); st.Open() != 0 || st.Returnable() != 0 {
			t.Fatalf("after taking all that was offered: open %s, returnable %s", st.Open(), st.Returnable())
		}
	})
}
