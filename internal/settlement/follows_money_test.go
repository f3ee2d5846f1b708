package settlement_test

import (
	"testing"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// The defects of issue 13, one test each (docs/settlement.md).

// TestUncapturedCardMoneyIsNotPaidOut (defect 1): authorise-then-capture cards
// (Billwerk+, Better Payment) are credited per capture, X days after it; a confirmed
// order that was never captured is never paid out, even with a payout date stored
// the old way; CANCEL of the uncaptured rest deducts nothing, RETURN of captured
// money is deducted. Paywerk's card is still paid in full at confirmation.
func TestUncapturedCardMoneyIsNotPaidOut(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerTenant(t, d)
		co := w.company(ledgerCompany{fees: ledgerFees})
		// Approved, never fulfilled: a payout date as the old confirmation wrote it.
		w.providerOrder(co, domain.ProviderBillwerk, domain.ProductPayNowCard, 500_00, ledgerDay("2026-03-12"))
		w.providerOrder(co, domain.ProviderBetterPayment, domain.ProductPayNowCard, 250_00, ledgerDay("2026-03-12"))
		w.run("2026-03-12")
		if st := w.settlementOf(co, "2026-03-12"); st != nil {
			t.Fatalf("uncaptured card money paid out: %+v", ledgerTotalsOf(st))
		}

		// A Billwerk+ order captured in part on the 13th (payable X = 2 days later),
		// its uncaptured rest cancelled and some of the capture returned.
		bw := w.providerOrder(co, domain.ProviderBillwerk, domain.ProductPayNowCard, 300_00, "")
		w.part(bw, 100_00, "2026-03-15", ledgerOK)
		w.refund(bw, 0, 200_00, "2026-03-14", ledgerOK) // CANCEL of the uncaptured 200.00
		w.run("2026-03-14")
		if st := w.settlementOf(co, "2026-03-14"); st != nil {
			t.Fatalf("a CANCEL of uncaptured money was deducted: %+v", ledgerTotalsOf(st))
		}
		w.refund(bw, 30_00, 0, "2026-03-15", ledgerOK) // RETURN of captured money
		// Paywerk's card: paid at confirmation, whole amount, fulfilled or not.
		pw := w.confirmedPayNow(co, 80_00, "2026-03-13")
		w.run("2026-03-15")
		// 100.00 captured + 80.00 Paywerk; fees 1.4 % + 0.25 each: 1.65 + 1.37.
		want := ledgerTotals{Gross: 180_00, Refunds: 30_00, Fees: 1_65 + 1_37, Net: 180_00 - 30_00 - 3_02, Status: domain.SettlementPending}
		if got := ledgerTotalsOf(w.settlementOf(co, "2026-03-15")); got != want {
			t.Fatalf("settlement of the 15th %+v, want %+v", got, want)
		}
		_ = pw
	})
}
