package psp

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestPreviewRefund: the preview resolves AUTO and prices the lines exactly as the
// refund would, says what the next settlement deducts by product type, and moves
// nothing.
func TestPreviewRefund(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		today := domain.DateOf(time.Now())
		for _, tt := range []struct {
			name          string
			prov          domain.Provider
			pt            domain.ProductType
			settledToday  bool
			deducted, owe string
			date          domain.Date
		}{
			{name: "pay later: RETURN is deducted, CANCEL only lowers what is owed", prov: domain.ProviderPaywerk, pt: domain.ProductInvoice,
				deducted: "40.00", owe: "105.00", date: today},
			{name: "pay now, paid at confirmation: RETURN and CANCEL are both deducted", prov: domain.ProviderPaywerk, pt: domain.ProductPayNowCard,
				deducted: "145.00", owe: "0.00", date: today},
			{name: "pay now, captured at fulfilment: RETURN is deducted, CANCEL of the uncaptured rest deducts nothing", prov: domain.ProviderBillwerk,
				pt: domain.ProductPayNowCard, deducted: "40.00", owe: "105.00", date: today},
			{name: "after today's settlement ran, the next one deducts it", prov: domain.ProviderPaywerk, pt: domain.ProductPayNowCard,
				settledToday: true, deducted: "145.00", owe: "0.00", date: today.AddDays(1)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.settledToday {
					e.d.Ent.Settlement.Create().SetPspID(e.pspID).SetMerchantID(e.merchant.ID).SetCompanyID(e.company.ID).
						SetDate(today).SetStatus(domain.SettlementPaid).ExecX(e.sys())
				}
				ord := e.confirmedOrder(tt.prov, tt.pt,
					testLine{sku: "A", quantity: "3", unit: "40.00"}, testLine{sku: "B", quantity: "2", unit: "25.00"})
				if _, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}}); err != nil {
					t.Fatal(err)
				}
				in := RefundInput{OrderID: ord.ID, IdempotencyKey: "refund-" + ord.ID, Items: []RefundRequestItem{
					{SKU: "A", RefundType: domain.RefundAuto}, {SKU: "B", RefundType: domain.RefundCancel, Quantity: qty("1")}}}
				before := e.checkInvariants(ord.ID)
				p, err := e.ops.PreviewRefund(e.as, in)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, l := range p.Lines {
					got = append(got, line(l))
				}
				if want := []string{"RETURN A 1 = 40.00", "CANCEL A 2 = 80.00", "CANCEL B 1 = 25.00"}; !slices.Equal(got, want) {
					t.Fatalf("lines %q, want %q", got, want)
				}
				if p.Amount.Amount() != "145.00" || p.ReturnAmount.Amount() != "40.00" || p.CancelAmount.Amount() != "105.00" || p.OrderAmountAfter.Amount() != "25.00" {
					t.Fatalf("amounts %s = %s + %s, after %s", p.Amount, p.ReturnAmount, p.CancelAmount, p.OrderAmountAfter)
				}
				eff := p.Settlement
				if eff.Deducted.Amount() != tt.deducted || eff.OwedReduction.Amount() != tt.owe || eff.Date != tt.date || eff.Explanation == "" {
					t.Fatalf("settlement effect %+v, want %s deducted on %s, %s owed less", eff, tt.deducted, tt.date, tt.owe)
				}
				after := e.checkInvariants(ord.ID)
				if len(after.refunds) != 0 || after.items["A"].ReturnedQuantity != before.items["A"].ReturnedQuantity || after.order.AmountMinor != before.order.AmountMinor {
					t.Fatal("the preview moved something")
				}
				// The refund itself does what the preview said.
				r, err := e.ops.Refund(e.as, in)
				if err != nil || r.Refund.AmountMinor != p.Amount.Minor() || r.Order.AmountMinor != p.OrderAmountAfter.Minor() {
					t.Fatalf("refund after preview: %v, %+v", err, r)
				}
				e.checkProviderAgrees(ord.ID)

				if _, err := e.ops.PreviewRefund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "B", RefundType: domain.RefundReturn}}}); !errors.Is(err, ErrQuantityExceedsRemaining) {
					t.Fatalf("previewing a return of nothing fulfilled answered %v", err)
				}
			})
		}
	})
}
