package paywerk

import (
	"net/http"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// The sandbox's order state and Paywerk's fulfilment and refund rules (docs/providers/paywerk.md "Refunds"). Every
// operation is checked against a copy of the items and only committed when every
// line passes, so a refused request changes nothing and says why per item.

// Item refusal codes (inferred: Paywerk's codes are not public).
const (
	CodeUnknownSKU          = "UNKNOWN_SKU"
	CodeInvalidQuantity     = "INVALID_QUANTITY"
	CodeInvalidRefundType   = "INVALID_REFUND_TYPE"
	CodeExceedsOpen         = "QUANTITY_EXCEEDS_OPEN"      // fulfil/CANCEL more than ordered − fulfilled − cancelled
	CodeExceedsReturnable   = "QUANTITY_EXCEEDS_FULFILLED" // RETURN more than fulfilled − returned
	CodeNothingToRefund     = "NOTHING_TO_REFUND"
	CodeNothingToFulfil     = "NOTHING_TO_FULFIL"
	CodePartialAutoRefused  = "PARTIAL_AUTO_REFUND_NOT_ALLOWED"
	CodeOrderNotConfirmed   = "ORDER_NOT_CONFIRMED"
	CodeOrderContinued      = "ORDER_ALREADY_CONTINUED"
	CodeValidation          = "VALIDATION_ERROR"
	CodeUnauthorized        = "UNAUTHORIZED"
	CodeNotFound            = "NOT_FOUND"
	CodeServiceUnavailable  = "SERVICE_UNAVAILABLE"
	CodeProductNotAvailable = "PRODUCT_NOT_AVAILABLE"
)

// conflictCodes are refusals that depend on the order's state (409); the others are
// a malformed request (400).
var conflictCodes = map[string]bool{
	CodeExceedsOpen: true, CodeExceedsReturnable: true, CodeNothingToRefund: true,
	CodeNothingToFulfil: true, CodePartialAutoRefused: true, CodeOrderNotConfirmed: true,
}

type itemState struct {
	SKU             string         `json:"sku"`
	Name            string         `json:"name"`
	VATRate         string         `json:"vatRate,omitempty"`
	Quantity        money.Quantity `json:"quantity"`
	UnitPrice       int64          `json:"unitPrice"`
	Total           int64          `json:"total"`
	Fulfilled       money.Quantity `json:"fulfilled"`
	FulfilledAmount int64          `json:"fulfilledAmount"`
	Cancelled       money.Quantity `json:"cancelled"`
	CancelledAmount int64          `json:"cancelledAmount"`
	Returned        money.Quantity `json:"returned"`
	ReturnedAmount  int64          `json:"returnedAmount"`
}

func eur(minor int64) money.Money { return money.New(minor, Currency) }

// open is what can still be fulfilled or cancelled.
func (it itemState) open() money.Quantity { return it.Quantity - it.Fulfilled - it.Cancelled }

// returnable is what was fulfilled and has not come back.
func (it itemState) returnable() money.Quantity { return it.Fulfilled - it.Returned }

// orderedPool is consumed by fulfilments and cancellations.
func (it itemState) orderedPool() money.Pool {
	return money.Pool{Quantity: it.Quantity, Amount: eur(it.Total),
		ConsumedQuantity: it.Fulfilled + it.Cancelled, ConsumedAmount: eur(it.FulfilledAmount + it.CancelledAmount)}
}

// fulfilledPool is consumed by returns.
func (it itemState) fulfilledPool() money.Pool {
	return money.Pool{Quantity: it.Fulfilled, Amount: eur(it.FulfilledAmount),
		ConsumedQuantity: it.Returned, ConsumedAmount: eur(it.ReturnedAmount)}
}

type operationState struct {
	ID    string          `json:"id"`
	Kind  string          `json:"kind"` // fulfil or refund
	At    time.Time       `json:"at"`
	Lines []OperationLine `json:"lines"`
}

type orderState struct {
	ID            string           `json:"id"`
	Account       string           `json:"account"` // the API key that created it: orders are per company + shop
	Reference     string           `json:"reference"`
	Status        string           `json:"status"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
	Request       OrderRequest     `json:"request"`
	Initial       int64            `json:"initial"`
	Items         []itemState      `json:"items"`
	ProductType   string           `json:"productType,omitempty"`
	Continued     bool             `json:"continued"`
	FailureReason string           `json:"failureReason,omitempty"`
	Operations    []operationState `json:"operations,omitempty"`
}

func (o *orderState) item(sku string) int {
	for i, it := range o.Items {
		if it.SKU == sku {
			return i
		}
	}
	return -1
}

func (o *orderState) sums() (fulfilled, cancelled, returned int64) {
	for _, it := range o.Items {
		fulfilled += it.FulfilledAmount
		cancelled += it.CancelledAmount
		returned += it.ReturnedAmount
	}
	return
}

// owed is what the shopper owes now: the initial amount less every CANCEL and RETURN.
func (o *orderState) owed() int64 {
	_, c, r := o.sums()
	return o.Initial - c - r
}

// refusal is one refused line.
func refusal(sku, code, msg string) ErrorDetail {
	return ErrorDetail{SKU: sku, Code: code, Message: msg}
}

// refusalStatus is 409 when any refusal depends on state, else 400.
func refusalStatus(ds []ErrorDetail) int {
	for _, d := range ds {
		if conflictCodes[d.Code] {
			return http.StatusConflict
		}
	}
	return http.StatusBadRequest
}

// items copies the items so a refused operation leaves the order untouched.
func (o *orderState) itemsCopy() []itemState { return append([]itemState(nil), o.Items...) }

// fulfil applies fulfil lines to a copy; refusals say why per item.
func (o *orderState) fulfil(req []FulfilItem) ([]itemState, []OperationLine, []ErrorDetail) {
	return applyEach(o, req, func(r FulfilItem) string { return r.SKU }, func(it *itemState, r FulfilItem) ([]OperationLine, []ErrorDetail) {
		if r.Quantity == nil || r.Quantity.Quantity <= 0 {
			return nil, []ErrorDetail{refusal(r.SKU, CodeInvalidQuantity, "quantity must be positive")}
		}
		l, d := take(it, kindFulfil, r.Quantity.Quantity)
		if d != nil {
			return nil, []ErrorDetail{*d}
		}
		return []OperationLine{l}, nil
	})
}

// applyEach applies each requested item to a copy of the order's items, so a
// refused operation leaves the order untouched: an empty request and an unknown
// sku are refused alike for fulfilments and refunds; do applies one known item and
// answers its lines and refusals.
func applyEach[R any](o *orderState, req []R, sku func(R) string,
	do func(it *itemState, r R) ([]OperationLine, []ErrorDetail)) ([]itemState, []OperationLine, []ErrorDetail) {
	if len(req) == 0 {
		return nil, nil, []ErrorDetail{refusal("", CodeValidation, "at least one item is required")}
	}
	items := o.itemsCopy()
	var lines []OperationLine
	var refused []ErrorDetail
	for _, r := range req {
		i := o.item(sku(r))
		if i < 0 {
			refused = append(refused, refusal(sku(r), CodeUnknownSKU, "the order has no item with this sku"))
			continue
		}
		l, d := do(&items[i], r)
		lines, refused = append(lines, l...), append(refused, d...)
	}
	return items, lines, refused
}

// fulfilAll fulfils every open quantity.
func (o *orderState) fulfilAll() ([]itemState, []OperationLine, []ErrorDetail) {
	var req []FulfilItem
	for _, it := range o.Items {
		if q := it.open(); q > 0 {
			req = append(req, FulfilItem{SKU: it.SKU, Quantity: &Qty{q}})
		}
	}
	if len(req) == 0 {
		return nil, nil, []ErrorDetail{refusal("", CodeNothingToFulfil, "every item is fulfilled or cancelled")}
	}
	return o.fulfil(req)
}

// lineKind is what a resolved line does: RETURN, CANCEL, or fulfil.
type lineKind string

const kindFulfil lineKind = "fulfil"

// take consumes q of an item as a fulfilment, a CANCEL or a RETURN, pricing the
// part with money.Pool so the parts of a line add up to the line.
func take(it *itemState, kind lineKind, q money.Quantity) (OperationLine, *ErrorDetail) {
	switch kind {
	case kindFulfil, RefundCancel:
		if q > it.open() {
			d := refusal(it.SKU, CodeExceedsOpen, "only "+it.open().String()+" of "+it.Quantity.String()+" are neither fulfilled nor cancelled")
			return OperationLine{}, &d
		}
		amt, err := it.orderedPool().Take(eur(it.UnitPrice), q)
		if err != nil {
			d := refusal(it.SKU, CodeExceedsOpen, err.Error())
			return OperationLine{}, &d
		}
		if kind == RefundCancel {
			it.Cancelled += q
			it.CancelledAmount += amt.Minor()
			return OperationLine{SKU: it.SKU, RefundType: RefundCancel, Quantity: Qty{q}, Amount: NewAmount(amt)}, nil
		}
		it.Fulfilled += q
		it.FulfilledAmount += amt.Minor()
		return OperationLine{SKU: it.SKU, Quantity: Qty{q}, Amount: NewAmount(amt)}, nil
	case RefundReturn:
		if q > it.returnable() {
			d := refusal(it.SKU, CodeExceedsReturnable, "only "+it.returnable().String()+" fulfilled and not yet returned")
			return OperationLine{}, &d
		}
		amt, err := it.fulfilledPool().Take(eur(it.UnitPrice), q)
		if err != nil {
			d := refusal(it.SKU, CodeExceedsReturnable, err.Error())
			return OperationLine{}, &d
		}
		it.Returned += q
		it.ReturnedAmount += amt.Minor()
		return OperationLine{SKU: it.SKU, RefundType: RefundReturn, Quantity: Qty{q}, Amount: NewAmount(amt)}, nil
	}
	d := refusal(it.SKU, CodeInvalidRefundType, "refundType must be RETURN, CANCEL or AUTO")
	return OperationLine{}, &d
}

// refund applies refund lines to a copy with Paywerk's rules:
//   - CANCEL acts on the unfulfilled quantity, RETURN on the fulfilled one; an
//     omitted quantity means all of it.
//   - AUTO: nothing fulfilled → CANCEL; fully fulfilled → RETURN; partially
//     fulfilled → only the whole not-yet-refunded quantity (omitted or equal to
//     it), split into RETURN of the fulfilled part and CANCEL of the rest.
func (o *orderState) refund(req []RefundItem) ([]itemState, []OperationLine, []ErrorDetail) {
	return applyEach(o, req, func(r RefundItem) string { return r.SKU }, func(it *itemState, r RefundItem) ([]OperationLine, []ErrorDetail) {
		if r.Quantity != nil && r.Quantity.Quantity <= 0 {
			return nil, []ErrorDetail{refusal(r.SKU, CodeInvalidQuantity, "quantity must be positive (omit it to refund all)")}
		}
		type part struct {
			kind lineKind
			q    money.Quantity
		}
		var parts []part
		switch r.RefundType {
		case RefundCancel:
			parts = []part{{RefundCancel, it.open()}}
		case RefundReturn:
			parts = []part{{RefundReturn, it.returnable()}}
		case RefundAuto:
			switch {
			case it.Fulfilled == 0:
				parts = []part{{RefundCancel, it.open()}}
			case it.open() == 0:
				parts = []part{{RefundReturn, it.returnable()}}
			default:
				notRefunded := it.open() + it.returnable()
				if r.Quantity != nil && r.Quantity.Quantity != notRefunded {
					return nil, []ErrorDetail{refusal(r.SKU, CodePartialAutoRefused,
						"a partially fulfilled item takes AUTO only for its whole not-refunded quantity "+notRefunded.String()+"; use RETURN or CANCEL")}
				}
				parts = []part{{RefundReturn, it.returnable()}, {RefundCancel, it.open()}}
				r.Quantity = nil // the split takes each part whole
			}
		default:
			return nil, []ErrorDetail{refusal(r.SKU, CodeInvalidRefundType, "refundType must be RETURN, CANCEL or AUTO")}
		}
		if r.Quantity != nil && len(parts) == 1 {
			parts[0].q = r.Quantity.Quantity
		}
		var lines []OperationLine
		var refused []ErrorDetail
		for _, p := range parts {
			if p.q == 0 {
				continue
			}
			l, d := take(it, p.kind, p.q)
			if d != nil {
				refused = append(refused, *d)
				continue
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 && len(refused) == 0 {
			refused = append(refused, refusal(r.SKU, CodeNothingToRefund, "nothing of this item is left to "+string(r.RefundType)))
		}
		return lines, refused
	})
}

// refundAll refunds every item: RETURN what was fulfilled, CANCEL what was not.
func (o *orderState) refundAll() ([]itemState, []OperationLine, []ErrorDetail) {
	var req []RefundItem
	for _, it := range o.Items {
		if it.returnable() > 0 {
			req = append(req, RefundItem{SKU: it.SKU, RefundType: RefundReturn})
		}
		if it.open() > 0 {
			req = append(req, RefundItem{SKU: it.SKU, RefundType: RefundCancel})
		}
	}
	if len(req) == 0 {
		return nil, nil, []ErrorDetail{refusal("", CodeNothingToRefund, "every item is already refunded")}
	}
	return o.refund(req)
}

func sumLines(lines []OperationLine) money.Money {
	total := int64(0)
	for _, l := range lines {
		total += l.Amount.Minor()
	}
	return eur(total)
}
