package reconciliation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Finding is one difference between our records and the provider's.
type Finding struct {
	Kind              domain.MismatchKind
	OrderID           string // "" for a payment only the provider knows
	OperationID       string // our fulfilment or refund, or the provider's operation
	ProviderReference string
	Currency          string
	Ours, Theirs      *int64 // minor units, when the difference is an amount
	Detail            string
}

// key identifies a finding across reruns, so a resolution carries over to the same
// difference found again (write.go).
func (f Finding) key() string {
	return string(f.Kind) + "\x00" + f.OrderID + "\x00" + f.OperationID + "\x00" + f.ProviderReference
}

// exactKey is key with the amounts and the detail: the same difference, unchanged.
func (f Finding) exactKey() string {
	amount := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return f.key() + "\x00" + amount(f.Ours) + "\x00" + amount(f.Theirs) + "\x00" + truncate(f.Detail, 500)
}

// ourOrder is an order with everything compared: its items and every fulfilment and
// refund (all days: the provider reports totals).
type ourOrder struct {
	order       *ent.Order
	items       []*ent.OrderItem
	fulfilments []*ent.Fulfilment
	refunds     []*ent.Refund
}

// operations counts what one order contributes to operationsChecked: the order
// and each of its fulfilments and refunds.
func (o ourOrder) operations() int { return 1 + len(o.fulfilments) + len(o.refunds) }

func ptr(v int64) *int64 { return &v }

// authorised tells whether a state means the shopper's money is (or was) taken.
func ourAuthorised(status string) bool { return status == "CONFIRMED" }

// compareOrder compares one of our orders with what the provider reports of it
// (docs/reconciliation.md "What is compared"). caps decides whether quantities can
// be compared (lines sent as lines).
//
// listed are the refunds of the payment the provider's refund listing showed for the
// day (Billwerk+), nil without one: one it lists that we never recorded is reported
// by its id, instead of as a difference of totals.
func compareOrder(o ourOrder, st providers.PaymentStatus, caps providers.Capabilities, listed []providers.OperationRecord) []Finding {
	ord := o.order
	cur := ord.Currency
	base := Finding{OrderID: ord.ID, ProviderReference: ord.ProviderReference, Currency: cur}
	with := func(k domain.MismatchKind, op string, ours, theirs *int64, detail string, args ...any) Finding {
		f := base
		f.Kind, f.OperationID, f.Ours, f.Theirs, f.Detail = k, op, ours, theirs, fmt.Sprintf(detail, args...)
		return f
	}
	var out []Finding
	theirsAuth := st.State == providers.PaymentAuthorized
	if ourAuthorised(ord.Status.String()) != theirsAuth && !fullyCancelled(o, st) {
		return append(out, with(domain.MismatchStatus, "", nil, nil, "the order is %s here, the provider says %s", ord.Status, st.State))
	}
	if !ourAuthorised(ord.Status.String()) {
		return nil
	}
	for _, f := range o.fulfilments {
		if f.Status == domain.OperationPending {
			return nil // the operation's own reconcile job finishes it (docs/provider-operations.md)
		}
	}
	for _, r := range o.refunds {
		if r.Status == domain.OperationPending {
			return nil
		}
	}
	captured, returned := sumSucceeded(o)
	if st.Operations != nil {
		out = append(out, compareOperations(o, st, with)...)
	} else {
		out = append(out, compareTotal(with, "captures", captured, st.Captured.Minor())...)
		unknown := unknownRefunds(o, listed, with)
		if len(unknown) == 0 {
			unknown = compareTotal(with, "refunds", returned, st.Refunded.Minor())
		}
		out = append(out, unknown...)
	}
	if len(out) == 0 && ord.AmountMinor != st.Amount.Minor() {
		out = append(out, with(domain.MismatchAmount, "", ptr(ord.AmountMinor), ptr(st.Amount.Minor()),
			"the shopper owes %s here, %s at the provider", money.New(ord.AmountMinor, cur).Amount(), st.Amount.Amount()))
	}
	if st.Items != nil && quantitiesComparable(o, caps) {
		out = append(out, compareQuantities(o, st, with)...)
	}
	return out
}

// fullyCancelled: an order cancelled to nothing by our refunds stays CONFIRMED here
// while some providers call the payment cancelled.
func fullyCancelled(o ourOrder, st providers.PaymentStatus) bool {
	captured, _ := sumSucceeded(o)
	return ourAuthorised(o.order.Status.String()) && st.State == providers.PaymentCancelled &&
		o.order.AmountMinor == 0 && captured == 0
}

func sumSucceeded(o ourOrder) (captured, returned int64) {
	for _, f := range o.fulfilments {
		if f.Status == domain.OperationSucceeded {
			captured += f.AmountMinor
		}
	}
	for _, r := range o.refunds {
		if r.Status == domain.OperationSucceeded {
			returned += r.ReturnAmountMinor
		}
	}
	return captured, returned
}

type findingFunc func(k domain.MismatchKind, op string, ours, theirs *int64, detail string, args ...any) Finding

// compareTotal compares the sum of one kind of operation, for a provider that
// reports totals only: nothing on one side is MISSING, different sums AMOUNT.
func compareTotal(with findingFunc, what string, ours, theirs int64) []Finding {
	switch {
	case ours == theirs:
		return nil
	case ours == 0:
		return []Finding{with(domain.MismatchMissingHere, "", ptr(0), ptr(theirs), "the provider has %s of %d (minor units) we never recorded", what, theirs)}
	case theirs == 0:
		return []Finding{with(domain.MismatchMissingAtProvider, "", ptr(ours), ptr(0), "we recorded %s of %d (minor units) the provider does not have", what, ours)}
	}
	return []Finding{with(domain.MismatchAmount, "", ptr(ours), ptr(theirs), "%s total %d here, %d at the provider (minor units)", what, ours, theirs)}
}

// compareOperations matches our fulfilments and refunds to the provider's captures
// and refunds one by one, by the number we gave (our operation id) or the
// provider's id we recorded.
func compareOperations(o ourOrder, st providers.PaymentStatus, with findingFunc) []Finding {
	var out []Finding
	used := make([]bool, len(st.Operations))
	match := func(kind providers.OperationKind, ourID, provID string) (int64, bool) {
		var sum int64
		found := false
		for i, op := range st.Operations {
			if used[i] || op.Kind != kind {
				continue
			}
			if (op.Reference != "" && (op.Reference == ourID || strings.HasPrefix(op.Reference, ourID+"-"))) ||
				(provID != "" && op.ProviderOperationID == provID) {
				used[i], found = true, true
				sum += op.Amount.Minor()
			}
		}
		return sum, found
	}
	check := func(kind providers.OperationKind, id, provID string, ours int64) {
		theirs, found := match(kind, id, provID)
		switch {
		case !found:
			out = append(out, with(domain.MismatchMissingAtProvider, id, ptr(ours), nil, "%s %s is not at the provider", strings.ToLower(string(kind)), id))
		case theirs != ours:
			out = append(out, with(domain.MismatchAmount, id, ptr(ours), ptr(theirs), "%s %s moved %d here, %d at the provider (minor units)", strings.ToLower(string(kind)), id, ours, theirs))
		}
	}
	for _, f := range o.fulfilments {
		if f.Status == domain.OperationSucceeded && f.AmountMinor > 0 {
			check(providers.OperationCapture, f.ID, f.ProviderOperationID, f.AmountMinor)
		}
	}
	for _, r := range o.refunds {
		if r.Status == domain.OperationSucceeded && r.ReturnAmountMinor > 0 {
			check(providers.OperationRefund, r.ID, r.ProviderOperationID, r.ReturnAmountMinor)
		}
	}
	for i, op := range st.Operations {
		if !used[i] {
			out = append(out, with(domain.MismatchMissingHere, op.ProviderOperationID, nil, ptr(op.Amount.Minor()),
				"the provider has a %s %s of %s we never recorded", strings.ToLower(string(op.Kind)), op.ProviderOperationID, op.Amount.Amount()))
		}
	}
	return out
}

// unknownRefunds are the listed refunds no refund of ours has the id of.
func unknownRefunds(o ourOrder, listed []providers.OperationRecord, with findingFunc) []Finding {
	var out []Finding
	for _, op := range listed {
		if !slices.ContainsFunc(o.refunds, func(r *ent.Refund) bool { return r.ProviderOperationID == op.ProviderOperationID }) {
			out = append(out, with(domain.MismatchMissingHere, op.ProviderOperationID, nil, ptr(op.Amount.Minor()),
				"the provider has a refund %s of %s we never recorded", op.ProviderOperationID, op.Amount.Amount()))
		}
	}
	return out
}

// quantitiesComparable: the provider counts our quantities only when every one went
// as lines — whole ones, unless it takes fractions (providers.CaptureByLines).
func quantitiesComparable(o ourOrder, caps providers.Capabilities) bool {
	if !caps.LineLevelCapture {
		return false
	}
	if caps.FractionalQuantities {
		return true
	}
	return !slices.ContainsFunc(o.items, func(it *ent.OrderItem) bool {
		return !(it.Quantity.IsWhole() && it.FulfilledQuantity.IsWhole() && it.CancelledQuantity.IsWhole() && it.ReturnedQuantity.IsWhole())
	})
}

func compareQuantities(o ourOrder, st providers.PaymentStatus, with findingFunc) []Finding {
	var out []Finding
	for _, it := range o.items {
		i := slices.IndexFunc(st.Items, func(s providers.ItemStatus) bool { return s.SKU == it.Sku })
		if i < 0 {
			out = append(out, with(domain.MismatchQuantity, "", nil, nil, "item %s is not at the provider", it.Sku))
			continue
		}
		s := st.Items[i]
		for _, q := range []struct {
			what         string
			ours, theirs money.Quantity
		}{{"fulfilled", it.FulfilledQuantity, s.Fulfilled}, {"cancelled", it.CancelledQuantity, s.Cancelled}, {"returned", it.ReturnedQuantity, s.Returned}} {
			if q.ours != q.theirs {
				out = append(out, with(domain.MismatchQuantity, "", nil, nil, "item %s: %s %s here, %s at the provider", it.Sku, q.what, q.ours, q.theirs))
			}
		}
	}
	return out
}

// missingHere is a payment the provider lists that no order of ours has.
func missingHere(st providers.PaymentStatus) Finding {
	return Finding{Kind: domain.MismatchMissingHere, ProviderReference: st.ProviderReference, Currency: st.Amount.Currency(),
		Theirs: ptr(st.Captured.Minor()), Detail: fmt.Sprintf("the provider has payment %s (%s) that no order here has", st.ProviderReference, st.State)}
}

// missingAtProvider is an order the provider does not know.
func missingAtProvider(o ourOrder) Finding {
	return Finding{Kind: domain.MismatchMissingAtProvider, OrderID: o.order.ID, ProviderReference: o.order.ProviderReference,
		Currency: o.order.Currency, Ours: ptr(o.order.AmountMinor),
		Detail: fmt.Sprintf("the provider does not know payment %s", o.order.ProviderReference)}
}
