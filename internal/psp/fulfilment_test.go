package psp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
)

func wantStatus(t *testing.T, what string, got, want domain.OperationStatus, reason string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s is %s (%s), want %s", what, got, reason, want)
	}
}

// TestOrderLifecycleWithEveryProvider fulfils and refunds an order with each of the
// four providers over real HTTP: part of it, then a CANCEL of part of the rest and a
// RETURN, then the remainder with fulfilAll and refundAll. After every step the
// order's quantities and totals hold and the provider's own view of the payment
// agrees with ours to the cent.
func TestOrderLifecycleWithEveryProvider(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		for _, prov := range catalog.All {
			t.Run(prov.Slug(), func(t *testing.T) {
				ord := e.confirmedOrder(prov, productTypeOf(prov),
					testLine{sku: "DRILL", quantity: "3", unit: "99.99"},
					testLine{sku: "BITS", quantity: "4", unit: "12.49"},
					testLine{sku: "CASE", quantity: "1", unit: "30.00"})
				step := func(name string, err error, status domain.OperationStatus, reason string) {
					t.Helper()
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					wantStatus(t, name, status, domain.OperationSucceeded, reason)
					e.checkInvariants(ord.ID)
					e.checkProviderAgrees(ord.ID)
				}

				f, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{
					{SKU: "DRILL", Quantity: qty("1")}, {SKU: "BITS", Quantity: qty("2")}}})
				step("fulfil part", err, f.Fulfilment.Status, f.Fulfilment.FailureReason)
				if f.Fulfilment.AmountMinor != 99_99+2*12_49 || f.Order.FulfilmentStatus != order.FulfilmentStatusPARTIALLY_FULFILLED {
					t.Fatalf("fulfilment %d, order %s", f.Fulfilment.AmountMinor, f.Order.FulfilmentStatus)
				}

				r, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Reason: "one drill out of stock, one set of bits broken",
					Items: []RefundRequestItem{
						{SKU: "DRILL", RefundType: domain.RefundCancel, Quantity: qty("1")},
						{SKU: "BITS", RefundType: domain.RefundReturn, Quantity: qty("1")}}})
				step("cancel and return", err, r.Refund.Status, r.Refund.FailureReason)
				if r.Refund.CancelAmountMinor != 99_99 || r.Refund.ReturnAmountMinor != 12_49 || r.Order.AmountMinor != ord.InitialAmountMinor-112_48 {
					t.Fatalf("refund cancel %d return %d, order owes %d", r.Refund.CancelAmountMinor, r.Refund.ReturnAmountMinor, r.Order.AmountMinor)
				}

				f, err = e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: ord.ID})
				step("fulfil all", err, f.Fulfilment.Status, f.Fulfilment.FailureReason)
				if f.Order.FulfilmentStatus != order.FulfilmentStatusFULFILLED {
					t.Fatalf("after fulfilAll the order is %s", f.Order.FulfilmentStatus)
				}

				r, err = e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID, Reason: "shopper sent everything back"})
				step("refund all", err, r.Refund.Status, r.Refund.FailureReason)
				if r.Order.AmountMinor != 0 || r.Order.RefundedAmountMinor != ord.InitialAmountMinor {
					t.Fatalf("after refundAll the shopper owes %d, refunded %d of %d", r.Order.AmountMinor, r.Order.RefundedAmountMinor, ord.InitialAmountMinor)
				}
				if _, err := e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID}); !errors.Is(err, ErrQuantityExceedsRemaining) {
					t.Fatalf("a second refundAll answered %v", err)
				}
			})
		}
	})
}

// code is the first problem's code of a refusal, or the error.
func code(err error) string {
	if r, ok := domain.AsRefusal(err); ok {
		return r.Problems[0].Code
	}
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// TestRefusalsChangeNothing: a refused request leaves the order, its items and the
// provider as they were, and says why per item with the field.
func TestRefusalsChangeNothing(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		ord := e.confirmedOrder(domain.ProviderPaywerk, domain.ProductInvoice,
			testLine{sku: "A", quantity: "3", unit: "40.00"}, testLine{sku: "B", quantity: "1.5", unit: "33.33"})
		if _, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}}); err != nil {
			t.Fatal(err)
		}
		pending := e.d.Ent.Order.Create().SetPspID(e.pspID).SetMerchantID(e.merchant.ID).SetCompanyID(e.company.ID).
			SetShopID(e.shop.ID).SetProvider(domain.ProviderPaywerk).SetReference("PENDING-1").SetCurrency("EUR").
			SetInitialAmountMinor(1000).SetAmountMinor(1000).SetBillingAddress(domain.Address{Country: "EE"}).SaveX(e.sys())
		e.d.Ent.OrderItem.Create().SetOrderID(pending.ID).SetSku("A").SetName("A").SetQuantity(mustQ("1")).
			SetCurrency("EUR").SetUnitPriceMinor(1000).SetTotalMinor(1000).ExecX(e.sys())
		before := e.checkInvariants(ord.ID)

		tests := []struct {
			name  string
			do    func() error
			errs  []*domain.Named
			field []string
		}{
			{"fulfilling more than is open", func() error {
				_, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("2.001")}}})
				return err
			}, []*domain.Named{ErrQuantityExceedsRemaining}, []string{"items", "0", "quantity"}},
			{"returning more than was fulfilled, with an unknown sku", func() error {
				_, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{
					{SKU: "B", RefundType: domain.RefundCancel, Quantity: qty("0.5")},
					{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("2")},
					{SKU: "Z", RefundType: domain.RefundCancel}}})
				return err
			}, []*domain.Named{ErrQuantityExceedsRemaining, ErrUnknownSKU}, []string{"items", "1", "quantity"}},
			{"a partial AUTO on a partially fulfilled item", func() error {
				_, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto, Quantity: qty("1")}}})
				return err
			}, []*domain.Named{ErrPartialAutoNotAllowed}, []string{"items", "0", "quantity"}},
			{"an order that is not confirmed", func() error {
				_, err := e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: pending.ID})
				return err
			}, []*domain.Named{ErrOrderNotConfirmed}, []string{"orderId"}},
			{"an order that does not exist", func() error {
				_, err := e.ops.RefundAll(e.as, RefundAllInput{OrderID: "ord_nope"})
				return err
			}, []*domain.Named{ErrOrderNotFound}, []string{"orderId"}},
			{"another merchant's order", func() error {
				other := auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_other",
					PSPID: e.pspID, MerchantID: "mer_other", Role: domain.RoleMerchantAdmin})
				_, err := e.ops.FulfilAll(other, FulfilAllInput{OrderID: ord.ID})
				return err
			}, []*domain.Named{ErrOrderNotFound}, []string{"orderId"}},
			{"an API key of another shop", func() error {
				key := auth.With(context.Background(), &auth.Principal{Kind: auth.KindAPIKey, ID: "key_other",
					PSPID: e.pspID, MerchantID: e.merchant.ID, CompanyID: e.company.ID, ShopID: "shp_other"})
				_, err := e.ops.Refund(key, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "B", RefundType: domain.RefundCancel}}})
				return err
			}, []*domain.Named{ErrOrderNotFound}, []string{"orderId"}},
			{"a reason of more than 500 characters", func() error {
				_, err := e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID, Reason: strings.Repeat("x", 501)})
				return err
			}, []*domain.Named{ErrInvalidOperation}, []string{"reason"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.do()
				r, ok := domain.AsRefusal(err)
				if !ok {
					t.Fatalf("answered %v, want a refusal", err)
				}
				var errs []*domain.Named
				for _, p := range r.Problems {
					errs = append(errs, p.Err)
				}
				if !slices.Equal(errs, tt.errs) || !slices.Equal(r.Problems[0].Field, tt.field) {
					t.Fatalf("refusal %+v, want %v on %v", r.Problems, tt.errs, tt.field)
				}
				after := e.checkInvariants(ord.ID)
				if len(after.fulfilments) != len(before.fulfilments) || len(after.refunds) != len(before.refunds) ||
					after.order.AmountMinor != before.order.AmountMinor {
					t.Fatalf("a refused request changed the order")
				}
				for sku, it := range after.items {
					b := before.items[sku]
					if it.FulfilledQuantity != b.FulfilledQuantity || it.CancelledQuantity != b.CancelledQuantity || it.ReturnedQuantity != b.ReturnedQuantity {
						t.Fatalf("a refused request changed item %s", sku)
					}
				}
			})
		}
		e.checkProviderAgrees(ord.ID)
	})
}

// TestPayoutDates: a pay-later fulfilment is paid out Y days after its own date; an
// authorise-then-capture card's (Billwerk+) X days after its capture; an instant-settle
// card's (Paywerk) carries no date of its own (the order's payout date covers it).
func TestPayoutDates(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		today := domain.DateOf(time.Now())
		for _, tt := range []struct {
			prov domain.Provider
			pt   domain.ProductType
			want *domain.Date
		}{
			{domain.ProviderPaywerk, domain.ProductInvoice, ptr(today.AddDays(14))},
			{domain.ProviderPaywerk, domain.ProductSlice, ptr(today.AddDays(14))},
			{domain.ProviderBillie, domain.ProductInvoice, ptr(today.AddDays(14))},
			{domain.ProviderBillwerk, domain.ProductPayNowCard, ptr(today.AddDays(3))},
			{domain.ProviderBetterPayment, domain.ProductPayNowCard, ptr(today.AddDays(3))},
			{domain.ProviderPaywerk, domain.ProductPayNowCard, nil},
		} {
			t.Run(string(tt.prov)+" "+string(tt.pt), func(t *testing.T) {
				ord := e.confirmedOrder(tt.prov, tt.pt, testLine{sku: "A", quantity: "2", unit: "75.00"})
				f, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}})
				if err != nil {
					t.Fatal(err)
				}
				if (f.Fulfilment.PayoutDate == nil) != (tt.want == nil) || (tt.want != nil && *f.Fulfilment.PayoutDate != *tt.want) {
					t.Fatalf("payout date %v, want %v", f.Fulfilment.PayoutDate, tt.want)
				}
			})
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestIdempotentOperations: a repeated key replays the first answer without a second
// capture or refund; the same key with other input is refused; an API key and a user
// with the same key do not meet.
func TestIdempotentOperations(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		ord := e.confirmedOrder(domain.ProviderBillwerk, domain.ProductPayNowCard,
			testLine{sku: "A", quantity: "4", unit: "25.00"})
		in := FulfilInput{OrderID: ord.ID, IdempotencyKey: "ship-1", Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}}
		first, err := e.ops.Fulfil(e.as, in)
		if err != nil || first.Replayed {
			t.Fatalf("first: %v, replayed %v", err, first != nil && first.Replayed)
		}
		again, err := e.ops.Fulfil(e.as, in)
		if err != nil || !again.Replayed || again.Fulfilment.ID != first.Fulfilment.ID {
			t.Fatalf("repeat: %v, %+v", err, again)
		}
		if s := e.checkInvariants(ord.ID); len(s.fulfilments) != 1 || s.items["A"].FulfilledQuantity != mustQ("1") {
			t.Fatalf("the repeat fulfilled again: %d fulfilments, %s fulfilled", len(s.fulfilments), s.items["A"].FulfilledQuantity)
		}
		e.checkProviderAgrees(ord.ID)

		other := in
		other.Items = []FulfilRequestItem{{SKU: "A", Quantity: qty("2")}}
		if _, err := e.ops.Fulfil(e.as, other); code(err) != domain.CodeIdempotencyKeyReused {
			t.Fatalf("the same key with other items answered %v", err)
		}
		if _, err := e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID, IdempotencyKey: "ship-1"}); code(err) != domain.CodeIdempotencyKeyReused {
			t.Fatalf("the same key for a refund answered %v", err)
		}

		// A refused refund is an answer too: the repeat answers it again (read back from
		// storage: with its code, field and message, not its Go sentinel).
		refuse := RefundInput{OrderID: ord.ID, IdempotencyKey: "ret-1", Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("2")}}}
		for range 2 {
			if _, err := e.ops.Refund(e.as, refuse); code(err) != domain.CodeQuantityExceedsRemaining {
				t.Fatalf("refused refund answered %v", err)
			}
		}

		key := auth.With(context.Background(), &auth.Principal{Kind: auth.KindAPIKey, ID: "key_1", PSPID: e.pspID,
			MerchantID: e.merchant.ID, CompanyID: e.company.ID, ShopID: e.shop.ID, Scopes: []string{auth.ScopeRefundsWrite}})
		r, err := e.ops.Refund(key, RefundInput{OrderID: ord.ID, IdempotencyKey: "ship-1",
			Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}}})
		if err != nil || r.Replayed || r.Refund.Status != domain.OperationSucceeded {
			t.Fatalf("the API key's own key ship-1: %v %+v", err, r)
		}
		e.checkInvariants(ord.ID)
		e.checkProviderAgrees(ord.ID)
	})
}
