package settlement_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/ent/settlemententry"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// The defects of issue 13, one test each (docs/settlement.md).

// TestUncapturedCardMoneyIsNotPaidOut (defect 1): authorise-then-capture cards
// (Billwerk+, Better Payment) are credited per capture, X days after it; a confirmed
// order that was never captured is never paid out, even with a payout date stored
// the old way; CANCEL of the uncaptured rest deducts nothing, RETURN of captured
// money is deducted. Paywerk's card is still paid in full at confirmation.
func TestUncapturedCardMoneyIsNotPaidOut(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
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

// TestFeesAreFrozenWhenEarned (defect 2): 100.00 earned at 100 bps + 0.10, then the
// plan changed to 1000 bps + 5.00 (through the onboarding service, as updateCompany
// does): the earned credit is charged 1.10, a credit earned after the change 15.00.
// The history lists both versions.
func TestFeesAreFrozenWhenEarned(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{})
		onb := &merchants.Onboarding{Client: w.d.Ent}
		setFees := func(bps int, fixed string) {
			_, err := onb.UpdateCompany(w.staff(), merchants.CompanyChanges{CompanyID: co.ID,
				Fees: &[]merchants.Fee{{ProductType: domain.ProductPayNowCard, PercentBps: bps, Fixed: fixed}}})
			ledgerMust(t, err)
		}
		setFees(100, "0.10")
		w.confirmedPayNow(co, 100_00, "2026-03-10") // payable on the 12th
		setFees(1000, "5.00")
		w.run("2026-03-12")
		if got := ledgerTotalsOf(w.settlementOf(co, "2026-03-12")); got.Fees != 1_10 {
			t.Fatalf("fees of a credit earned at 100 bps + 0.10: %d cents, want 110 (the later plan re-priced it)", got.Fees)
		}
		w.confirmedPayNow(co, 100_00, "2026-03-11")
		w.run("2026-03-13")
		if got := ledgerTotalsOf(w.settlementOf(co, "2026-03-13")); got.Fees != 15_00 {
			t.Fatalf("fees of a credit earned after the change: %d cents, want 1500", got.Fees)
		}
		hist, err := onb.FeePlanHistory(w.staff(), co)
		ledgerMust(t, err)
		if len(hist) != 2 || hist[0].Version != 2 || hist[0].Fees[0].PercentBps != 1000 || hist[1].Fees[0].FixedMinor != 10 {
			t.Fatalf("fee plan history %+v, want version 2 (1000 bps) then version 1 (+ 0.10)", hist)
		}
	})
}

// TestFeesCannotBeSplitAway (defect 3): a 100.00 INVOICE at 175 bps fulfilled as
// 20 × 0.30 + 94.00, settled over two runs, pays the fee of the whole, 1.75 (plus the
// fixed fee once), as the same order fulfilled in one part does.
func TestFeesCannotBeSplitAway(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: map[domain.ProductType]ledgerFee{domain.ProductInvoice: {175, 35}}})
		split := w.order(co, domain.ProductInvoice, 100_00, "")
		for i := range 20 {
			day := "2026-03-12"
			if i%2 == 1 {
				day = "2026-03-13"
			}
			w.part(split, 30, day, ledgerOK)
		}
		w.part(split, 94_00, "2026-03-13", ledgerOK)
		w.run("2026-03-12")
		w.run("2026-03-13")
		fees := ledgerTotalsOf(w.settlementOf(co, "2026-03-12")).Fees + ledgerTotalsOf(w.settlementOf(co, "2026-03-13")).Fees
		if fees != 1_75+35 {
			t.Fatalf("fees of 100.00 fulfilled in 21 parts: %d cents, want 210 (1.75 + 0.35 once)", fees)
		}
		whole := w.order(co, domain.ProductInvoice, 100_00, "")
		w.part(whole, 100_00, "2026-03-14", ledgerOK)
		w.run("2026-03-14")
		if got := ledgerTotalsOf(w.settlementOf(co, "2026-03-14")).Fees; got != fees {
			t.Fatalf("the whole in one part pays %d cents, split %d", got, fees)
		}
	})
}

// TestRunBounds (defect 7): a run for a day before a company's latest settlement
// leaves that company alone; a company whose stored order is beyond the maximum order
// amount (written before that bound existed) is not settled and says why, and every
// other company of the run is settled all the same.
func TestRunBounds(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: ledgerFees})
		w.payNow(co, 10_00, "2026-03-15")
		w.run("2026-03-15")
		w.payNow(co, 20_00, "2026-03-10")
		w.run("2026-03-12") // before the 15th's settlement
		if st := w.settlementOf(co, "2026-03-12"); st != nil {
			t.Fatalf("a run for a past day settled before the latest settlement: %+v", ledgerTotalsOf(st))
		}

		good := w.company(ledgerCompany{fees: ledgerFees})
		bad := w.company(ledgerCompany{fees: ledgerFees})
		w.payNow(good, 50_00, "2026-03-16")
		w.payNow(bad, math.MaxInt64/2, "2026-03-16")
		w.payNow(bad, 30_00, "2026-03-16")
		res, err := w.svc.Run(w.staff(), ledgerDay("2026-03-16"))
		if !errors.Is(err, settlement.ErrCompaniesNotSettled) || !strings.Contains(err.Error(), bad.ID) {
			t.Fatalf("run error %v, want ErrCompaniesNotSettled naming %s", err, bad.ID)
		}
		if st := w.settlementOf(good, "2026-03-16"); st == nil || st.GrossMinor != 50_00 {
			t.Fatalf("the other company was not settled: %+v", st)
		}
		if st := w.settlementOf(co, "2026-03-16"); st == nil || st.GrossMinor != 20_00 {
			t.Fatalf("the held-back 20.00 of the first company was not settled on the next day: %+v", st)
		}
		if st := w.settlementOf(bad, "2026-03-16"); st != nil {
			t.Fatalf("the company beyond bounds was settled: %+v", ledgerTotalsOf(st))
		}
		if len(res.Settlements) != 2 {
			t.Fatalf("run answered %d settlements, want 2", len(res.Settlements))
		}
	})
}

// TestOwedPaymentInstructions (defect 6): the PSP's admin sets its bank account
// (updatePsp); a bad IBAN or BIC is refused and changes nothing; an operator may not;
// a MERCHANT_OWES settlement's instructions name the account, the amount and the
// reference.
func TestOwedPaymentInstructions(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		onb := &merchants.Onboarding{Client: w.d.Ent}
		str := func(s string) *string { return &s }
		_, err := onb.UpdatePSP(w.staff(), merchants.PSPChanges{IBAN: str("EE38 2200 2210 2014 5686"), BIC: str("HABAEE2X")})
		var ref *domain.Refusal
		if !errors.As(err, &ref) || len(ref.Problems) != 1 || strings.Join(ref.Problems[0].Field, ".") != "iban" {
			t.Fatalf("a wrong IBAN: %v, want one problem on iban", err)
		}
		operator := auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_op", PSPID: w.psp.ID, Role: domain.RolePSPOperator})
		if _, err := onb.UpdatePSP(operator, merchants.PSPChanges{LegalName: str("Hijack")}); !errors.As(err, &ref) || ref.Problems[0].Code != domain.CodeForbidden {
			t.Fatalf("an operator changing the PSP's account: %v, want FORBIDDEN", err)
		}
		if p := w.d.Ent.PSP.GetX(w.sys, w.psp.ID); p.Iban != w.psp.Iban || p.LegalName != w.psp.LegalName {
			t.Fatalf("refused updates changed the PSP: %+v", p)
		}
		if _, err := onb.UpdatePSP(w.staff(), merchants.PSPChanges{LegalName: str("Kassa PSP AS"),
			IBAN: str("EE38 2200 2210 2014 5685"), BIC: str("habaee2x")}); err != nil {
			t.Fatal(err)
		}
		co := w.company(ledgerCompany{})
		o := w.payNow(co, 10_00, "2026-03-10")
		w.run("2026-03-10")
		w.refund(o, 0, 10_00, "2026-03-11", ledgerOK)
		w.refund(w.payNow(co, 5_00, "2026-03-25"), 0, 5_00, "2026-03-11", ledgerOK)
		w.run("2026-03-11")
		st := w.settlementOf(co, "2026-03-11")
		if st == nil || st.Status != domain.SettlementMerchantOwes {
			t.Fatalf("settlement of the 11th %+v, want MERCHANT_OWES", st)
		}
		in, err := w.svc.Instructions(w.staff(), st)
		ledgerMust(t, err)
		if in == nil || in.AccountHolder != "Kassa PSP AS" || in.IBAN != "EE382200221020145685" || in.BIC != "HABAEE2X" ||
			in.Amount.Minor() != 15_00 || in.Reference != st.ID {
			t.Fatalf("payment instructions %+v", in)
		}
	})
}

// TestUnpaidOwedIsDeducted (defect 6): an owed amount not marked paid by the
// company's next positive settlement is deducted there as an entry referencing the
// owed settlement, which then reads SETTLED; the entries still add up to the net.
func TestUnpaidOwedIsDeducted(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{})
		w.refund(w.payNow(co, 40_00, "2026-03-25"), 0, 40_00, "2026-03-11", ledgerOK)
		w.run("2026-03-11")
		owed := w.settlementOf(co, "2026-03-11")
		if owed == nil || owed.NetMinor != -40_00 || owed.Status != domain.SettlementMerchantOwes {
			t.Fatalf("settlement of the 11th %+v, want −40.00 MERCHANT_OWES", owed)
		}
		w.payNow(co, 100_00, "2026-03-12")
		w.run("2026-03-12")
		st := w.settlementOf(co, "2026-03-12")
		if st == nil || st.NetMinor != 60_00 || st.Status != domain.SettlementPending {
			t.Fatalf("the next positive settlement %+v, want net 60.00 PENDING", ledgerTotalsOf(st))
		}
		entries, err := st.QueryEntries().All(w.sys)
		ledgerMust(t, err)
		var sum int64
		var found bool
		for _, e := range entries {
			sum += e.AmountMinor
			if e.Kind == settlemententry.KindOWED && e.OwedSettlementID != nil && *e.OwedSettlementID == owed.ID && e.AmountMinor == -40_00 {
				found = true
			}
		}
		if !found || sum != st.NetMinor {
			t.Fatalf("entries %+v: want an OWED entry of −40.00 for %s, Σ = net", entries, owed.ID)
		}
		if got := w.d.Ent.Settlement.GetX(w.sys, owed.ID); got.Status != domain.SettlementSettled {
			t.Fatalf("the owed settlement reads %s, want SETTLED", got.Status)
		}
		w.payNow(co, 10_00, "2026-03-13")
		w.run("2026-03-13")
		if st := w.settlementOf(co, "2026-03-13"); st == nil || st.NetMinor != 10_00 {
			t.Fatalf("an owed amount was deducted twice: %+v", ledgerTotalsOf(st))
		}
	})
}
