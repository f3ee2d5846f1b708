package settlement_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/ent/settlemententry"
	"github.com/pspbackoffice/backoffice/ent/settlementtotal"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

var (
	ledgerOK = domain.OperationSucceeded
	// ledgerFees is the demo fee plan: 1.4 % + 0.25 pay now, 2.9 % + 0.35 invoice,
	// 3.9 % + 0.35 slice.
	ledgerFees = map[domain.ProductType]ledgerFee{
		domain.ProductPayNowCard: {140, 25}, domain.ProductInvoice: {290, 35}, domain.ProductSlice: {390, 35},
	}
)

// TestSettlementRun: what one company's settlements hold, case by case. Each case has
// its own PSP and runs the given days in order as that PSP's staff.
func TestSettlementRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fees  map[domain.ProductType]ledgerFee
		setup func(w *ledgerTenant, co *ent.Company)
		runs  []string
		want  map[string]ledgerTotals // by settlement day; a missing day has no settlement
	}{
		{
			name: "a pay-now order is paid out in full on its payout date, fulfilled or not",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				w.payNow(co, 100_00, "2026-03-19")
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 100_00, Fees: 1_40 + 25, Net: 100_00 - 1_65, Status: domain.SettlementPending}},
		},
		{
			name: "a pay-now order whose payout date is later waits for it",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				w.payNow(co, 100_00, "2026-03-20")
			},
			runs: []string{"2026-03-19", "2026-03-20"},
			want: map[string]ledgerTotals{"2026-03-20": {Gross: 100_00, Fees: 1_65, Net: 98_35, Status: domain.SettlementPending}},
		},
		{
			name: "pay now is paid out X days after confirmation (X = 2)",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				w.confirmedPayNow(co, 100_00, "2026-03-16")
				w.confirmedPayNow(co, 200_00, "2026-03-17")
			},
			runs: []string{"2026-03-17", "2026-03-18", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-18": {Gross: 100_00, Fees: 1_65, Net: 98_35, Status: domain.SettlementPending},
				"2026-03-19": {Gross: 200_00, Fees: 2_80 + 25, Net: 200_00 - 3_05, Status: domain.SettlementPending},
			},
		},
		{
			name: "pay later is paid out Y days after each fulfilment (Y = 7), nothing before fulfilment",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductSlice, 300_00, "")
				w.fulfilledPart(co, o, 100_00, "2026-03-11")
				w.fulfilledPart(co, o, 200_00, "2026-03-12")
				w.order(co, domain.ProductInvoice, 500_00, "") // confirmed, never fulfilled
			},
			runs: []string{"2026-03-17", "2026-03-18", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-18": {Gross: 100_00, Fees: 3_90 + 35, Net: 100_00 - 4_25, Status: domain.SettlementPending},
				"2026-03-19": {Gross: 200_00, Fees: 7_80, Net: 200_00 - 7_80, Status: domain.SettlementPending},
			},
		},
		{
			name: "an invoice is paid out part by part, each on its own payout date",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductInvoice, 300_00, "")
				w.part(o, 200_00, "2026-03-18", ledgerOK)
				w.part(o, 100_00, "2026-03-25", ledgerOK)
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 200_00, Fees: 5_80 + 35, Net: 200_00 - 6_15, Status: domain.SettlementPending}},
		},
		{
			name: "slice parts settled on different days carry the fixed fee only once",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductSlice, 300_00, "")
				w.part(o, 100_00, "2026-03-10", ledgerOK)
				w.part(o, 200_00, "2026-03-19", ledgerOK)
			},
			runs: []string{"2026-03-10", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-10": {Gross: 100_00, Fees: 3_90 + 35, Net: 100_00 - 4_25, Status: domain.SettlementPending},
				"2026-03-19": {Gross: 200_00, Fees: 7_80, Net: 200_00 - 7_80, Status: domain.SettlementPending},
			},
		},
		{
			name: "two parts of one order settled together carry the fixed fee once",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductInvoice, 300_00, "")
				w.part(o, 100_00, "2026-03-17", ledgerOK)
				w.part(o, 200_00, "2026-03-18", ledgerOK)
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 300_00, Fees: 2_90 + 5_80 + 35, Net: 300_00 - 9_05, Status: domain.SettlementPending}},
		},
		{
			name: "a pay-now refund after the payout deducts both RETURN and CANCEL in the next settlement",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.payNow(co, 100_00, "2026-03-12")
				w.refund(o, 20_00, 10_00, "2026-03-18", ledgerOK)
			},
			runs: []string{"2026-03-12", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-12": {Gross: 100_00, Fees: 1_65, Net: 98_35, Status: domain.SettlementPending},
				"2026-03-19": {Refunds: 30_00, Net: -30_00, Status: domain.SettlementMerchantOwes},
			},
		},
		{
			name: "a pay-later refund deducts only RETURN, and a CANCEL-only one is no settlement item",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductInvoice, 300_00, "")
				w.part(o, 200_00, "2026-03-19", ledgerOK)
				w.refund(o, 50_00, 100_00, "2026-03-18", ledgerOK)
				w.refund(o, 0, 30_00, "2026-03-18", ledgerOK)
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 200_00, Refunds: 50_00, Fees: 6_15, Net: 200_00 - 50_00 - 6_15, Status: domain.SettlementPending}},
		},
		{
			// Issue 13: the 17th's debt, unpaid, is collected from the 19th, which
			// leaves the 17th SETTLED.
			name: "a refund of a pay-now order not paid out yet is deducted in the next settlement, before the credit",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.payNow(co, 100_00, "2026-03-19")
				w.refund(o, 40_00, 0, "2026-03-16", ledgerOK)
			},
			runs: []string{"2026-03-17", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-17": {Refunds: 40_00, Net: -40_00, Status: domain.SettlementSettled},
				"2026-03-19": {Gross: 100_00, Fees: 1_65, Net: 98_35 - 40_00, Status: domain.SettlementPending},
			},
		},
		{
			name: "a refund counts from the day it succeeded, not before",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.payNow(co, 100_00, "2026-03-01")
				w.refund(o, 10_00, 0, "2026-03-19", ledgerOK)
			},
			runs: []string{"2026-03-02", "2026-03-18", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-02": {Gross: 100_00, Fees: 1_65, Net: 98_35, Status: domain.SettlementPending},
				"2026-03-19": {Refunds: 10_00, Net: -10_00, Status: domain.SettlementMerchantOwes},
			},
		},
		{
			name: "fees round half up per credit",
			fees: map[domain.ProductType]ledgerFee{domain.ProductPayNowCard: {5, 0}},
			setup: func(w *ledgerTenant, co *ent.Company) {
				w.payNow(co, 10_00, "2026-03-19") // 0.5 cent → 1
				w.payNow(co, 9_99, "2026-03-19")  // 0.4995 cent → 0
				w.payNow(co, 30_00, "2026-03-19") // 1.5 cents → 2
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 49_99, Fees: 3, Net: 49_96, Status: domain.SettlementPending}},
		},
		{
			name: "a product type without a fee rule costs nothing",
			fees: map[domain.ProductType]ledgerFee{domain.ProductInvoice: {290, 35}},
			setup: func(w *ledgerTenant, co *ent.Company) {
				w.payNow(co, 100_00, "2026-03-19")
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{"2026-03-19": {Gross: 100_00, Net: 100_00, Status: domain.SettlementPending}},
		},
		{
			name: "pending and failed operations and unconfirmed orders are not settled; nothing to settle is no settlement",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				o := w.order(co, domain.ProductInvoice, 300_00, "")
				w.part(o, 100_00, "2026-03-18", domain.OperationPending)
				w.part(o, 100_00, "2026-03-18", domain.OperationFailed)
				w.refund(o, 10_00, 0, "2026-03-18", domain.OperationPending)
				p := w.payNow(co, 100_00, "2026-03-18")
				ledgerMust(t, w.d.Ent.Order.UpdateOne(p).SetStatus("CANCELLED").Exec(w.sys))
			},
			runs: []string{"2026-03-19"},
			want: map[string]ledgerTotals{},
		},
		{
			name: "refunds larger than the credits make the merchant owe the difference",
			fees: ledgerFees,
			setup: func(w *ledgerTenant, co *ent.Company) {
				old := w.payNow(co, 500_00, "2026-03-02")
				w.payNow(co, 50_00, "2026-03-19")
				w.refund(old, 500_00, 0, "2026-03-18", ledgerOK)
			},
			runs: []string{"2026-03-02", "2026-03-19"},
			want: map[string]ledgerTotals{
				"2026-03-02": {Gross: 500_00, Fees: 7_00 + 25, Net: 500_00 - 7_25, Status: domain.SettlementPending},
				"2026-03-19": {Gross: 50_00, Refunds: 500_00, Fees: 70 + 25, Net: 50_00 - 500_00 - 95, Status: domain.SettlementMerchantOwes},
			},
		},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := newLedgerTenant(t, d)
				co := w.company(ledgerCompany{fees: tc.fees})
				tc.setup(w, co)
				for _, r := range tc.runs {
					w.run(r)
				}
				days := map[string]bool{}
				for _, r := range tc.runs {
					days[r] = true
				}
				for dd := range tc.want {
					days[dd] = true
				}
				for dd := range days {
					if got, want := ledgerTotalsOf(w.settlementOf(co, dd)), tc.want[dd]; got != want {
						t.Errorf("settlement of %s = %+v, want %+v", dd, got, want)
					}
				}
				ledgerCheckItemsOnce(t, w, co)
			})
		}
	})
}

// ledgerCheckItemsOnce: each settled item is held by exactly the settlement whose entry
// names it, and each settlement's ledgerTotals are the sums of its entries.
func ledgerCheckItemsOnce(t *testing.T, w *ledgerTenant, co *ent.Company) {
	t.Helper()
	sts, err := w.d.Ent.Settlement.Query().Where(entsettlement.CompanyID(co.ID)).WithEntries().All(w.sys)
	ledgerMust(t, err)
	for _, st := range sts {
		var gross, refunds, fees, owed int64
		for _, e := range st.Edges.Entries {
			var holder *string
			switch e.Kind {
			case settlemententry.KindORDER:
				gross += e.AmountMinor
				o, err := w.d.Ent.Order.Get(w.sys, e.OrderID)
				ledgerMust(t, err)
				holder = o.SettlementID
			case settlemententry.KindFULFILMENT:
				gross += e.AmountMinor
				f, err := w.d.Ent.Fulfilment.Get(w.sys, *e.FulfilmentID)
				ledgerMust(t, err)
				holder = f.SettlementID
			case settlemententry.KindREFUND:
				refunds -= e.AmountMinor
				r, err := w.d.Ent.Refund.Get(w.sys, *e.RefundID)
				ledgerMust(t, err)
				holder = r.SettlementID
			case settlemententry.KindFEE:
				fees -= e.AmountMinor
				continue
			case settlemententry.KindOWED: // an earlier unpaid MERCHANT_OWES, carried here
				owed += e.AmountMinor
				continue
			}
			if holder == nil || *holder != st.ID {
				t.Errorf("entry %s: its item is held by %v, not by its settlement %s", e.ID, holder, st.ID)
			}
		}
		if gross != st.GrossMinor || refunds != st.RefundsMinor || fees != st.FeesMinor || gross-refunds-fees+owed != st.NetMinor {
			t.Errorf("settlement %s totals %+v are not the sums of its entries (%d, %d, %d)", st.ID, ledgerTotalsOf(st), gross, refunds, fees)
		}
		byType, err := w.d.Ent.SettlementTotal.Query().Where(settlementtotal.SettlementID(st.ID)).All(w.sys)
		ledgerMust(t, err)
		gross, refunds, fees = 0, 0, 0
		for _, bt := range byType {
			gross, refunds, fees = gross+bt.GrossMinor, refunds+bt.RefundsMinor, fees+bt.FeesMinor
			if bt.Date != st.Date || bt.CompanyID != st.CompanyID {
				t.Errorf("settlement %s has a product type total of %s for %s", st.ID, bt.CompanyID, bt.Date)
			}
		}
		if gross != st.GrossMinor || refunds != st.RefundsMinor || fees != st.FeesMinor {
			t.Errorf("settlement %s totals %+v are not the sums of its product type totals (%d, %d, %d)", st.ID, ledgerTotalsOf(st), gross, refunds, fees)
		}
	}
}

// TestSettlementSchedules: a company gets a settlement only on its payout days, and
// that settlement collects everything payable since its last one.
func TestSettlementSchedules(t *testing.T) {
	t.Parallel()
	week := []string{"2026-03-14", "2026-03-15", "2026-03-16", "2026-03-17", "2026-03-18", "2026-03-19", "2026-03-20"}
	cases := []struct {
		name     string
		schedule domain.PayoutSchedule
		weekdays []domain.Weekday
		want     map[string]int64 // gross by settlement day
	}{
		{"daily: every day something is payable", domain.PayoutDaily, nil,
			map[string]int64{"2026-03-14": 10_00, "2026-03-16": 20_00, "2026-03-18": 40_00}},
		{"weekly on Friday: one settlement with the whole week", domain.PayoutWeekly, []domain.Weekday{"FRIDAY"},
			map[string]int64{"2026-03-20": 70_00}},
		{"weekdays Monday and Thursday: what became payable up to each", domain.PayoutWeekdays, []domain.Weekday{"MONDAY", "THURSDAY"},
			map[string]int64{"2026-03-16": 30_00, "2026-03-19": 40_00}},
		{"weekdays without chosen days: Monday to Friday", domain.PayoutWeekdays, nil,
			map[string]int64{"2026-03-16": 30_00, "2026-03-18": 40_00}},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := newLedgerTenant(t, d)
				co := w.company(ledgerCompany{schedule: tc.schedule, weekdays: tc.weekdays})
				w.payNow(co, 10_00, "2026-03-14") // Saturday
				w.payNow(co, 20_00, "2026-03-16") // Monday
				w.payNow(co, 40_00, "2026-03-18") // Wednesday
				for _, dd := range week {
					w.run(dd)
				}
				for _, dd := range week {
					if got := ledgerTotalsOf(w.settlementOf(co, dd)).Gross; got != tc.want[dd] {
						t.Errorf("gross settled on %s = %d, want %d", dd, got, tc.want[dd])
					}
				}
			})
		}
	})
}

func TestPayoutCalendar(t *testing.T) {
	weekly := settlement.PayoutCalendar{Schedule: domain.PayoutWeekly, Weekdays: []domain.Weekday{"FRIDAY"}}
	monThu := settlement.PayoutCalendar{Schedule: domain.PayoutWeekdays, Weekdays: []domain.Weekday{"MONDAY", "THURSDAY"}}
	daily := settlement.PayoutCalendar{Schedule: domain.PayoutDaily}
	cases := []struct {
		name string
		cal  settlement.PayoutCalendar
		from string
		next string
	}{
		{"daily pays the same day", daily, "2026-03-14", "2026-03-14"},
		{"weekly on Friday from a Saturday waits six days", weekly, "2026-03-14", "2026-03-20"},
		{"weekly on Friday from a Friday is that day", weekly, "2026-03-20", "2026-03-20"},
		{"Monday and Thursday from a Tuesday is Thursday", monThu, "2026-03-17", "2026-03-19"},
		{"Monday and Thursday from a Friday is Monday", monThu, "2026-03-20", "2026-03-23"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.Next(ledgerDay(tc.from)); got != ledgerDay(tc.next) {
				t.Errorf("Next(%s) = %s, want %s", tc.from, got, tc.next)
			}
		})
	}
}

// TestSettlementRunIsIdempotent: running a day again changes nothing.
func TestSettlementRunIsIdempotent(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: ledgerFees})
		o := w.payNow(co, 100_00, "2026-03-18")
		w.refund(o, 10_00, 0, "2026-03-18", ledgerOK)
		inv := w.order(co, domain.ProductInvoice, 300_00, "")
		w.part(inv, 100_00, "2026-03-19", ledgerOK)

		first := w.run("2026-03-19")
		if len(first.Settlements) != 1 {
			t.Fatalf("first run created %d settlements, want 1", len(first.Settlements))
		}
		before := ledgerSnapshot(t, w)
		again := w.run("2026-03-19")
		if len(again.Settlements) != 0 {
			t.Errorf("second run created %d settlements, want none", len(again.Settlements))
		}
		if after := ledgerSnapshot(t, w); after != before {
			t.Errorf("second run changed the books: %+v → %+v", before, after)
		}
	})
}

// ledgerBooks counts what the settlements hold.
type ledgerBooks struct {
	Settlements, Entries, SettledOrders, SettledParts, SettledRefunds int
	Net                                                               int64
}

func ledgerSnapshot(t *testing.T, w *ledgerTenant) ledgerBooks {
	t.Helper()
	var b ledgerBooks
	sts, err := w.d.Ent.Settlement.Query().All(w.sys)
	ledgerMust(t, err)
	b.Settlements = len(sts)
	for _, st := range sts {
		b.Net += st.NetMinor
	}
	count := func(n int, err error) int { ledgerMust(t, err); return n }
	b.Entries = count(w.d.Ent.SettlementEntry.Query().Count(w.sys))
	for _, o := range ledgerMust2(w.d.Ent.Order.Query().All(w.sys)) {
		if o.SettlementID != nil {
			b.SettledOrders++
		}
	}
	for _, f := range ledgerMust2(w.d.Ent.Fulfilment.Query().All(w.sys)) {
		if f.SettlementID != nil {
			b.SettledParts++
		}
	}
	for _, r := range ledgerMust2(w.d.Ent.Refund.Query().All(w.sys)) {
		if r.SettlementID != nil {
			b.SettledRefunds++
		}
	}
	return b
}

func ledgerMust2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestConcurrentSettlementRuns: two instances running the same day at once settle
// every company once; one of them finds everything done.
func TestConcurrentSettlementRuns(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		var companies []*ent.Company
		for range 5 {
			co := w.company(ledgerCompany{fees: ledgerFees})
			companies = append(companies, co)
			for i := range 20 {
				o := w.payNow(co, int64(10_00+i), "2026-03-18")
				if i%5 == 0 {
					w.refund(o, 1_00, 0, "2026-03-18", ledgerOK)
				}
				inv := w.order(co, domain.ProductSlice, 150_00, "")
				w.part(inv, 50_00, "2026-03-17", ledgerOK)
				w.part(inv, 100_00, "2026-03-19", ledgerOK)
			}
		}
		// Two independent services, as two server instances would have.
		a, b := settlement.NewSettlements(w.d), settlement.NewSettlements(w.d)
		a.Now, b.Now = w.svc.Now, w.svc.Now
		var (
			wg      sync.WaitGroup
			results [2]*settlement.RunResult
			errs    [2]error
		)
		for i, s := range []*settlement.Settlements{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = s.Run(auth.System(context.Background()), ledgerDay("2026-03-19"))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			ledgerMust(t, err)
		}
		if n := len(results[0].Settlements) + len(results[1].Settlements); n != len(companies) {
			t.Errorf("the two runs created %d settlements together, want %d", n, len(companies))
		}
		for _, co := range companies {
			st := w.settlementOf(co, "2026-03-19")
			if st == nil {
				t.Fatalf("company %s has no settlement", co.ID)
			}
			// 20 orders (10.00 … 10.19), 4 refunds of 1.00, 20 × (50.00 + 100.00) slice parts.
			want := ledgerTotals{Gross: 20*10_00 + 190 + 20*150_00, Refunds: 4 * 1_00, Status: domain.SettlementPending}
			got := ledgerTotalsOf(st)
			want.Fees, want.Net = got.Fees, got.Gross-got.Refunds-got.Fees
			if got != want {
				t.Errorf("company %s: %+v, want %+v", co.ID, got, want)
			}
			ledgerCheckItemsOnce(t, w, co)
		}
	})
}

// TestSettlementRunScopeAndRefusals: staff settle their own PSP only; others may not run.
func TestSettlementRunScopeAndRefusals(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mine, theirs := newLedgerTenant(t, d), newLedgerTenant(t, d)
		myCo, theirCo := mine.company(ledgerCompany{}), theirs.company(ledgerCompany{})
		mine.payNow(myCo, 10_00, "2026-03-19")
		theirs.payNow(theirCo, 10_00, "2026-03-19")
		mine.run("2026-03-19")
		if mine.settlementOf(myCo, "2026-03-19") == nil || theirs.settlementOf(theirCo, "2026-03-19") != nil {
			t.Errorf("a PSP's run must settle its own companies and no other PSP's")
		}
		for name, ctx := range map[string]context.Context{
			"a merchant user": mine.merchantUser(),
			"an API key":      mine.apiKey(myCo),
			"nobody":          context.Background(),
		} {
			_, err := mine.svc.Run(ctx, ledgerDay("2026-03-19"))
			if r, ok := domain.AsRefusal(err); !ok || r.Problems[0].Code != domain.CodeForbidden || !errors.Is(err, settlement.ErrStaffOnly) {
				t.Errorf("%s running settlements: %v, want a FORBIDDEN refusal (ErrStaffOnly)", name, err)
			}
		}
		_, err := mine.svc.Run(mine.staff(), ledgerDay("2026-03-21"))
		if r, ok := domain.AsRefusal(err); !ok || r.Problems[0].Code != domain.CodeValidation || !errors.Is(err, settlement.ErrInvalidPeriod) {
			t.Errorf("running a future day: %v, want a VALIDATION refusal (ErrInvalidPeriod)", err)
		}
	})
}

// TestMarkSettlementPaid: PENDING → PAID and MERCHANT_OWES → SETTLED, nothing else.
func TestMarkSettlementPaid(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: ledgerFees})
		o := w.payNow(co, 100_00, "2026-03-16")
		w.refund(o, 100_00, 0, "2026-03-17", ledgerOK)
		w.run("2026-03-16")
		w.run("2026-03-18")
		payout, owed := w.settlementOf(co, "2026-03-16"), w.settlementOf(co, "2026-03-18")

		code := func(err error) string {
			if r, ok := domain.AsRefusal(err); ok {
				return r.Problems[0].Code
			}
			if err != nil {
				return err.Error()
			}
			return ""
		}
		other := newLedgerTenant(t, w.d)
		steps := []struct {
			name     string
			ctx      context.Context
			id       string
			wantCode string
			wantErr  error
			want     domain.SettlementStatus
		}{
			{"another PSP's staff do not find it", other.staff(), payout.ID, domain.CodeNotFound, settlement.ErrSettlementNotFound, ""},
			{"a merchant user may not", w.merchantUser(), payout.ID, domain.CodeForbidden, settlement.ErrStaffOnly, ""},
			{"a payout is marked PAID", w.staff(), payout.ID, "", nil, domain.SettlementPaid},
			{"a paid one cannot be marked again", w.staff(), payout.ID, domain.CodeSettlementClosed, settlement.ErrSettlementClosed, ""},
			{"what the merchant owed is marked SETTLED", w.staff(), owed.ID, "", nil, domain.SettlementSettled},
			{"a settled one cannot be marked again", w.staff(), owed.ID, domain.CodeSettlementClosed, settlement.ErrSettlementClosed, ""},
			{"an unknown id is not found", w.staff(), "set_nope", domain.CodeNotFound, settlement.ErrSettlementNotFound, ""},
		}
		for _, s := range steps {
			st, err := w.svc.MarkPaid(s.ctx, s.id)
			if got := code(err); got != s.wantCode {
				t.Errorf("%s: error %q, want %q", s.name, got, s.wantCode)
				continue
			}
			if s.wantErr != nil && !errors.Is(err, s.wantErr) {
				t.Errorf("%s: error %v, want %v", s.name, err, s.wantErr)
			}
			if s.want != "" && (st.Status != s.want || st.PaidAt == nil) {
				t.Errorf("%s: status %s paid at %v, want %s with a time", s.name, st.Status, st.PaidAt, s.want)
			}
			if s.want != "" {
				// The API follows the returned settlement's edges after the transaction ended.
				if _, err := st.QueryCompany().Only(s.ctx); err != nil {
					t.Errorf("%s: the returned settlement cannot load its company: %v", s.name, err)
				}
			}
		}
	})
}

// TestNegativeSettlementPaymentInstructions: a merchant who owes gets the PSP's
// account, the settlement as reference and the amount.
func TestNegativeSettlementPaymentInstructions(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: ledgerFees})
		o := w.payNow(co, 100_00, "2026-03-16")
		w.payNow(co, 10_00, "2026-03-18")
		w.refund(o, 60_00, 40_00, "2026-03-17", ledgerOK)
		w.run("2026-03-16")
		w.run("2026-03-18")
		st := w.settlementOf(co, "2026-03-18")
		if st.Status != domain.SettlementMerchantOwes || st.NetMinor != 10_00-100_00-(14+25) {
			t.Fatalf("settlement %+v, want MERCHANT_OWES of %d", ledgerTotalsOf(st), 100_00+39-10_00)
		}
		pi, err := w.svc.Instructions(w.merchantUser(), st)
		ledgerMust(t, err)
		if pi == nil || pi.IBAN != "DE89370400440532013000" || pi.BIC != "COBADEFFXXX" || pi.Reference != st.ID ||
			pi.Amount.Amount() != "90.39" || pi.Amount.Currency() != "EUR" {
			t.Errorf("instructions %+v, want the PSP's IBAN and BIC, reference %s, 90.39 EUR", pi, st.ID)
		}
		payout := w.settlementOf(co, "2026-03-16")
		if pi, err := w.svc.Instructions(w.merchantUser(), payout); err != nil || pi != nil {
			t.Errorf("a payout has no payment instructions: %+v, %v", pi, err)
		}
	})
}

// TestSettlementNotVisibleToOtherTenants: the export and the overview do not find
// another merchant's settlements.
func TestSettlementNotVisibleToOtherTenants(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w, other := newLedgerTenant(t, d), newLedgerTenant(t, d)
		co := w.company(ledgerCompany{})
		w.payNow(co, 10_00, "2026-03-19")
		w.run("2026-03-19")
		st := w.settlementOf(co, "2026-03-19")
		for name, ctx := range map[string]context.Context{
			"another PSP's staff":            other.staff(),
			"another merchant's user":        other.merchantUser(),
			"a key without settlements:read": w.apiKey(co, "orders:read"),
		} {
			if _, err := w.svc.Export(ctx, st.ID); !errors.Is(err, settlement.ErrSettlementNotFound) {
				t.Errorf("%s exporting: %v, want ErrSettlementNotFound", name, err)
			}
			if _, err := w.svc.Overview(ctx, co.ID, ledgerDay("2026-03-01"), ledgerDay("2026-03-31")); !errors.Is(err, settlement.ErrCompanyNotFound) {
				t.Errorf("%s asking the overview: %v, want ErrCompanyNotFound", name, err)
			}
		}
		for name, ctx := range map[string]context.Context{
			"the PSP's staff":               w.staff(),
			"the merchant's user":           w.merchantUser(),
			"the company's settlements key": w.apiKey(co, "settlements:read"),
		} {
			if _, err := w.svc.Export(ctx, st.ID); err != nil {
				t.Errorf("%s exporting: %v", name, err)
			}
			if _, err := w.svc.Overview(ctx, co.ID, ledgerDay("2026-03-01"), ledgerDay("2026-03-31")); err != nil {
				t.Errorf("%s asking the overview: %v", name, err)
			}
		}
	})
}
