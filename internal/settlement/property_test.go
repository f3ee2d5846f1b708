package settlement_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/settlemententry"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestSettlementProperties: random sequences of orders of all four providers and
// every product type they offer, captures (fulfilment parts priced by the rules of
// internal/psp, some of them FAILED or still PENDING), refunds and fee plan changes,
// settled day by day. Whatever happened:
//   - no settlement credits uncaptured money (an order's credits never exceed what
//     was captured, and no FAILED or PENDING part is credited);
//   - Σ entries of every settlement = its net;
//   - fees do not depend on how a fulfilment was split: the fees of an order's
//     settled parts are the fee of their sum, plus the fixed fee once;
//   - Σ parts of a closed line = the line.
func TestSettlementProperties(t *testing.T) {
	t.Parallel()
	combos := []struct {
		prov domain.Provider
		pt   domain.ProductType
	}{
		{domain.ProviderBillie, domain.ProductInvoice}, {domain.ProviderPaywerk, domain.ProductPayNowCard},
		{domain.ProviderPaywerk, domain.ProductInvoice}, {domain.ProviderPaywerk, domain.ProductSlice},
		{domain.ProviderBillwerk, domain.ProductPayNowCard}, {domain.ProviderBetterPayment, domain.ProductPayNowCard},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for seed := range uint64(3) {
			r := rand.New(rand.NewPCG(seed, 13))
			w := newLedgerTenant(t, d)
			co := w.company(ledgerCompany{})
			onb := &merchants.Onboarding{Client: d.Ent}
			setFees := func() {
				var fees []merchants.Fee
				for _, pt := range []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice} {
					fees = append(fees, merchants.Fee{ProductType: pt, PercentBps: r.IntN(500), Fixed: fmt.Sprintf("0.%02d", r.IntN(100))})
				}
				_, err := onb.UpdateCompany(w.staff(), merchants.CompanyChanges{CompanyID: co.ID, Fees: &fees})
				ledgerMust(t, err)
			}
			setFees()
			day := func() string { return fmt.Sprintf("2026-03-%02d", 10+r.IntN(7)) }
			captured := map[string]int64{} // order → what the provider holds
			for range 12 {
				if r.IntN(4) == 0 {
					setFees() // between orders: an order's credits share one plan
				}
				c := combos[r.IntN(len(combos))]
				unit := money.New(int64(1+r.IntN(9999)), "EUR")
				ordered := money.Quantity(1000 * (1 + r.IntN(4)))
				total, err := unit.Times(ordered)
				ledgerMust(t, err)
				timing := settlement.TimingOf(c.prov, c.pt)
				payout := domain.Date("")
				if timing == settlement.AtConfirmation {
					payout = domain.Date(day())
				}
				o := w.providerOrder(co, c.prov, c.pt, total.Minor(), payout)
				if timing == settlement.AtConfirmation {
					captured[o.ID] = total.Minor()
				}
				items := []psp.ItemState{{SKU: "SKU-1", Ordered: ordered, UnitPrice: unit, Total: total,
					FulfilledAmount: money.Zero("EUR"), CancelledAmount: money.Zero("EUR"), ReturnedAmount: money.Zero("EUR"),
					PendingFulfilledAmount: money.Zero("EUR")}}
				var parts int64
				for items[0].Open() > 0 && r.IntN(5) > 0 {
					q := money.Quantity(1 + r.IntN(int(items[0].Open())))
					pl, err := psp.PlanFulfilment("EUR", items, []psp.FulfilRequestItem{{SKU: "SKU-1", Quantity: &q}})
					ledgerMust(t, err)
					if timing == settlement.AtConfirmation {
						items = confirmed(pl.Items)
						continue // its parts move no money
					}
					switch r.IntN(6) {
					case 0: // the capture failed: nothing moved, the quantity is open again
						w.part(o, pl.Amount.Minor(), day(), domain.OperationFailed)
						continue
					case 1: // still pending at the provider
						w.part(o, pl.Amount.Minor(), day(), domain.OperationPending)
						continue
					}
					items = confirmed(pl.Items)
					w.part(o, pl.Amount.Minor(), day(), ledgerOK)
					parts += pl.Amount.Minor()
					captured[o.ID] += pl.Amount.Minor()
				}
				if items[0].Open() == 0 && items[0].FulfilledAmount != total {
					t.Fatalf("seed %d: the parts of a closed line add up to %v, the line is %v", seed, items[0].FulfilledAmount, total)
				}
				if r.IntN(3) == 0 && parts > 0 {
					w.refund(o, int64(r.IntN(int(parts)+1)), 0, day(), ledgerOK)
				}
				if r.IntN(3) == 0 && items[0].Open() > 0 {
					w.refund(o, 0, 1+int64(r.IntN(100_00)), day(), ledgerOK)
				}
			}
			for d := 10; d <= 20; d++ {
				w.run(fmt.Sprintf("2026-03-%02d", d))
			}
			checkSettlementProperties(t, w, co, captured)
		}
	})
}

func confirmed(items []psp.ItemState) []psp.ItemState {
	out := append([]psp.ItemState(nil), items...)
	for i := range out {
		out[i].PendingFulfilled, out[i].PendingFulfilledAmount = 0, money.Zero("EUR")
	}
	return out
}

func checkSettlementProperties(t *testing.T, w *ledgerTenant, co *ent.Company, captured map[string]int64) {
	t.Helper()
	sts, err := co.QuerySettlements().All(w.sys)
	ledgerMust(t, err)
	credited, fees, settledParts := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, st := range sts {
		entries, err := st.QueryEntries().WithFulfilment().All(w.sys)
		ledgerMust(t, err)
		var sum int64
		for _, e := range entries {
			sum += e.AmountMinor
			switch e.Kind {
			case settlemententry.KindORDER, settlemententry.KindFULFILMENT:
				credited[e.OrderID] += e.AmountMinor
				if f := e.Edges.Fulfilment; f != nil {
					if f.Status != domain.OperationSucceeded {
						t.Fatalf("a %s part was credited: %s", f.Status, f.ID)
					}
					settledParts[e.OrderID] += f.AmountMinor
				}
			case settlemententry.KindFEE:
				fees[e.OrderID] -= e.AmountMinor
			}
		}
		if sum != st.NetMinor {
			t.Fatalf("settlement %s: entries add up to %d, net is %d", st.ID, sum, st.NetMinor)
		}
	}
	for orderID, c := range credited {
		if c > captured[orderID] {
			t.Fatalf("order %s: credited %d of %d captured", orderID, c, captured[orderID])
		}
	}
	for orderID, amount := range settledParts {
		o, err := w.d.Ent.Order.Get(w.sys, orderID)
		ledgerMust(t, err)
		f, err := o.QueryFulfilments().First(w.sys)
		ledgerMust(t, err)
		if f.FeeBps == nil || f.FeeFixedMinor == nil {
			t.Fatalf("order %s: a part without frozen fee terms", orderID)
		}
		want, err := settlement.CumulativeFee(money.Zero("EUR"), money.New(amount, "EUR"), *f.FeeBps, money.New(*f.FeeFixedMinor, "EUR"), true)
		ledgerMust(t, err)
		if fees[orderID] != want.Minor() {
			t.Fatalf("order %s: fees of its parts %d, the fee of their sum %d", orderID, fees[orderID], want.Minor())
		}
	}
}
