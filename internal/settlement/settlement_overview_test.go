package settlement_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// TestSettlementOverview: past settlements and their ledgerTotals by day, week and month,
// what is payable next on which payout days, and the balances.
func TestSettlementOverview(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		// Paid out on Mondays and Thursdays; today is Friday 20 March 2026.
		co := w.company(ledgerCompany{schedule: domain.PayoutWeekdays, weekdays: []domain.Weekday{"MONDAY", "THURSDAY"},
			fees: map[domain.ProductType]ledgerFee{domain.ProductPayNowCard: {100, 10}, domain.ProductInvoice: {200, 20}}})
		// History: settled on Thursday 26 Feb, Monday 2 Mar and Thursday 19 Mar.
		w.payNow(co, 100_00, "2026-02-26")
		w.payNow(co, 50_00, "2026-03-02")
		inv := w.order(co, domain.ProductInvoice, 300_00, "")
		w.part(inv, 100_00, "2026-03-19", ledgerOK)
		for _, r := range []string{"2026-02-26", "2026-03-02", "2026-03-19"} {
			w.run(r)
		}
		// Not settled yet: payable today (→ Monday 23), payable Tuesday 24 (→ Thursday
		// 26), a refund that ledgerOK yesterday (→ Monday 23).
		w.payNow(co, 40_00, "2026-03-20")
		w.part(inv, 200_00, "2026-03-24", ledgerOK)
		w.refund(inv, 30_00, 0, "2026-03-19", ledgerOK)

		ov, err := w.svc.Overview(w.merchantUser(), co.ID, ledgerDay("2026-02-01"), ledgerDay("2026-03-31"))
		ledgerMust(t, err)

		if len(ov.Settlements) != 3 || ov.Settlements[0].Date != "2026-03-19" {
			t.Errorf("settlements in the range: %d, newest %v; want 3, newest 2026-03-19", len(ov.Settlements), ov.Settlements)
		}
		// Fees: 100.00 → 1.00 + 0.10; 50.00 → 0.50 + 0.10; invoice part 100.00 → 2.00 + 0.20.
		wantTotal := "gross 250.00 refunds 0.00 fees 3.90 net 246.10"
		if got := ledgerText(ov.Total); got != wantTotal {
			t.Errorf("total %s, want %s", got, wantTotal)
		}
		wantPeriods := map[string][]string{
			"daily": {
				"2026-02-26 2026-02-26..2026-02-26 gross 100.00 refunds 0.00 fees 1.10 net 98.90",
				"2026-03-02 2026-03-02..2026-03-02 gross 50.00 refunds 0.00 fees 0.60 net 49.40",
				"2026-03-19 2026-03-19..2026-03-19 gross 100.00 refunds 0.00 fees 2.20 net 97.80",
			},
			"weekly": {
				"2026-W09 2026-02-23..2026-03-01 gross 100.00 refunds 0.00 fees 1.10 net 98.90",
				"2026-W10 2026-03-02..2026-03-08 gross 50.00 refunds 0.00 fees 0.60 net 49.40",
				"2026-W12 2026-03-16..2026-03-22 gross 100.00 refunds 0.00 fees 2.20 net 97.80",
			},
			"monthly": {
				"2026-02 2026-02-01..2026-02-28 gross 100.00 refunds 0.00 fees 1.10 net 98.90",
				"2026-03 2026-03-01..2026-03-31 gross 150.00 refunds 0.00 fees 2.80 net 147.20",
			},
		}
		for name, got := range map[string][]settlement.PeriodTotals{"daily": ov.Daily, "weekly": ov.Weekly, "monthly": ov.Monthly} {
			var lines []string
			for _, p := range got {
				lines = append(lines, p.Period+" "+string(p.Start)+".."+string(p.End)+" "+ledgerText(p.SettlementTotals))
			}
			if !ledgerLinesEqual(lines, wantPeriods[name]) {
				t.Errorf("%s totals:\n%v\nwant\n%v", name, lines, wantPeriods[name])
			}
		}
		march := ov.Monthly[1].ByProductType
		if len(march) != 2 || march[0].ProductType != domain.ProductPayNowCard || ledgerText(march[0].SettlementTotals) != "gross 50.00 refunds 0.00 fees 0.60 net 49.40" ||
			march[1].ProductType != domain.ProductInvoice || ledgerText(march[1].SettlementTotals) != "gross 100.00 refunds 0.00 fees 2.20 net 97.80" {
			t.Errorf("March by product type: %+v", march)
		}

		var upcoming []string
		for _, u := range ov.Upcoming {
			upcoming = append(upcoming, string(u.Date)+" "+ledgerText(u.SettlementTotals))
		}
		wantUpcoming := []string{
			// 40.00 pay now (fee 0.40 + 0.10) less the 30.00 return.
			"2026-03-23 gross 40.00 refunds 30.00 fees 0.50 net 9.50",
			// The second invoice part: 2 % of 200.00, no fixed fee (the order's first part was settled).
			"2026-03-26 gross 200.00 refunds 0.00 fees 4.00 net 196.00",
		}
		if !ledgerLinesEqual(upcoming, wantUpcoming) {
			t.Errorf("upcoming:\n%v\nwant\n%v", upcoming, wantUpcoming)
		}
		if ov.AvailableBalance.Amount() != "9.50" || ov.PendingBalance.Amount() != "196.00" {
			t.Errorf("available %s pending %s, want 9.50 and 196.00", ov.AvailableBalance, ov.PendingBalance)
		}

		// Once today's payout day has passed with a settlement, what is payable goes to
		// the next payout day; a run today (not a payout day) changes nothing.
		w.run("2026-03-20")
		again, err := w.svc.Overview(w.staff(), co.ID, ledgerDay("2026-03-01"), ledgerDay("2026-03-31"))
		ledgerMust(t, err)
		if len(again.Upcoming) != 2 || again.Upcoming[0].Date != "2026-03-23" {
			t.Errorf("after a run on a day that is no payout day, upcoming %+v", again.Upcoming)
		}
	})
}

func ledgerText(t settlement.SettlementTotals) string {
	return "gross " + t.Gross.Amount() + " refunds " + t.Refunds.Amount() + " fees " + t.Fees.Amount() + " net " + t.Net.Amount()
}

func ledgerLinesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSettlementCSV: one row per entry with decimal strings, and a TOTAL row; the
// rows add up to the settlement's ledgerTotals.
func TestSettlementCSV(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{fees: ledgerFees})
		paid := w.payNow(co, 99_99, "2026-03-12")
		w.run("2026-03-12")
		w.payNow(co, 123_45, "2026-03-19")
		sl := w.order(co, domain.ProductSlice, 1000_00, "")
		w.part(sl, 333_34, "2026-03-18", ledgerOK)
		w.part(sl, 333_33, "2026-03-19", ledgerOK)
		w.refund(sl, 100_00, 50_00, "2026-03-18", ledgerOK)
		w.refund(paid, 9_99, 0, "2026-03-17", ledgerOK)
		w.run("2026-03-19")
		st := w.settlementOf(co, "2026-03-19")

		x, err := w.svc.Export(w.merchantUser(), st.ID)
		ledgerMust(t, err)
		var buf bytes.Buffer
		ledgerMust(t, x.WriteCSV(&buf))
		rows, err := csv.NewReader(&buf).ReadAll()
		ledgerMust(t, err)
		header, body, total := rows[0], rows[1:len(rows)-1], rows[len(rows)-1]
		col := map[string]int{}
		for i, h := range header {
			col[h] = i
		}
		// 1 order + 2 parts + 2 refunds, and a fee for each credit.
		if len(body) != 8 {
			t.Fatalf("%d entry rows, want 8:\n%s", len(body), buf.String())
		}
		sums := map[string]int64{}
		for _, r := range body {
			if r[col["order_reference"]] == "" || r[col["payable_date"]] == "" || r[col["order_date"]] == "" {
				t.Errorf("row without reference or dates: %v", r)
			}
			for _, c := range []string{"gross", "refunds", "fee", "net"} {
				m, err := money.Parse(r[col[c]], "EUR")
				if err != nil {
					t.Fatalf("%s %q is not a decimal string: %v", c, r[col[c]], err)
				}
				sums[c] += m.Minor()
			}
		}
		want := map[string]int64{"gross": st.GrossMinor, "refunds": st.RefundsMinor, "fee": st.FeesMinor, "net": st.NetMinor}
		for c, v := range want {
			if sums[c] != v {
				t.Errorf("the rows' %s add up to %d, the settlement's is %d", c, sums[c], v)
			}
			if total[col[c]] != money.New(v, "EUR").Amount() {
				t.Errorf("TOTAL %s is %s, want %s", c, total[col[c]], money.New(v, "EUR").Amount())
			}
		}
		// 123.45 + 333.34 + 333.33 credited; RETURN 100.00 + CANCEL 0 (slice) + 9.99 (pay now).
		if st.GrossMinor != 790_12 || st.RefundsMinor != 109_99 {
			t.Errorf("settlement gross %d refunds %d, want 79012 and 10999", st.GrossMinor, st.RefundsMinor)
		}
	})
}

// TestPaymentSchedule: the shopper's payment schedule per product type (docs/money.md "Shopper payment schedules").
func TestPaymentSchedule(t *testing.T) {
	today := ledgerDay("2026-01-31")
	cases := []struct {
		name     string
		pt       domain.ProductType
		amount   string
		want     []string // "due amount"
		wantCode string
	}{
		{"slice splits in three monthly parts, the remainder cent first", domain.ProductSlice, "100.00",
			[]string{"2026-01-31 33.34", "2026-02-28 33.33", "2026-03-31 33.33"}, ""},
		{"slice with two cents to spare puts both on the first part", domain.ProductSlice, "100.01",
			[]string{"2026-01-31 33.35", "2026-02-28 33.33", "2026-03-31 33.33"}, ""},
		{"slice divisible by three has equal parts", domain.ProductSlice, "300",
			[]string{"2026-01-31 100.00", "2026-02-28 100.00", "2026-03-31 100.00"}, ""},
		{"invoice is due in 30 days", domain.ProductInvoice, "1238.16", []string{"2026-03-02 1238.16"}, ""},
		{"pay now is due today", domain.ProductPayNowCard, "5.5", []string{"2026-01-31 5.50"}, ""},
		{"pay now has no upper limit", domain.ProductPayNowCard, "25000.00", []string{"2026-01-31 25000.00"}, ""},
		{"the pay-later limits are inclusive at 100", domain.ProductInvoice, "100.00", []string{"2026-03-02 100.00"}, ""},
		{"the pay-later limits are inclusive at 2000", domain.ProductSlice, "2000.00",
			[]string{"2026-01-31 666.68", "2026-02-28 666.66", "2026-03-31 666.66"}, ""},
		{"below 100 EUR is no pay-later amount", domain.ProductSlice, "99.99", nil, domain.CodeAmountOutOfRange},
		{"above 2000 EUR is no pay-later amount", domain.ProductInvoice, "2000.01", nil, domain.CodeAmountOutOfRange},
		{"zero is refused", domain.ProductPayNowCard, "0", nil, domain.CodeValidation},
		{"a negative amount is refused", domain.ProductPayNowCard, "-5.00", nil, domain.CodeValidation},
		{"three decimals are refused", domain.ProductPayNowCard, "10.001", nil, domain.CodeTooManyDecimals},
		{"text is refused", domain.ProductPayNowCard, "ten", nil, domain.CodeValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := psp.PaymentScheduleFor(tc.pt, tc.amount, today)
			if tc.wantCode != "" {
				r, ok := domain.AsRefusal(err)
				if !ok || r.Problems[0].Code != tc.wantCode || r.Problems[0].Field[0] != "amount" {
					t.Errorf("got %v, want a %s refusal on amount", err, tc.wantCode)
				}
				return
			}
			ledgerMust(t, err)
			var got []string
			for _, p := range s.Parts {
				if p.Amount.Currency() != "EUR" {
					t.Errorf("part in %s, want EUR", p.Amount.Currency())
				}
				got = append(got, string(p.DueDate)+" "+p.Amount.Amount())
			}
			if s.ProductType != tc.pt || !ledgerLinesEqual(got, tc.want) {
				t.Errorf("%s schedule %v, want %v", s.ProductType, got, tc.want)
			}
		})
	}
}
