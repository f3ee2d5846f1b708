package settlement_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestSettlementScale measures settlement on PostgreSQL at scale, each beside the one
// SQL aggregation that computes the same totals (its lower bound), in the same run:
//
//   - the catch-up run: one run settling the whole generated history at once;
//   - the daily run: the next day, with the history settled (the steady state);
//   - settlementOverview of the company with the most orders.
//
// It is not a timed test and does not run in `go test ./...`: it needs
// BENCH_SETTLEMENT=1 and TEST_DATABASE_URL. The size comes from BENCH_PARTS
// (fulfilment parts, default 100 000), BENCH_COMPANIES (default 1 000) and
// BENCH_BIG_ORDERS (orders of the largest company, default BENCH_PARTS/10). The full
// size of the brief:
//
//	BENCH_SETTLEMENT=1 BENCH_PARTS=1000000 BENCH_COMPANIES=10000 BENCH_BIG_ORDERS=100000 \
//	TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	go test ./internal/settlement/ -run TestSettlementScale -v -timeout 60m
//
// The data set is written with COPY: companies on three payout schedules with fee
// plans, 40 % pay-now and 60 % pay-later orders over 120 days, pay-later orders
// fulfilled in one or two parts, about 5 % of orders refunded. Both the runs and the
// bounds are checked to agree company by company.
func TestSettlementScale(t *testing.T) {
	if os.Getenv("BENCH_SETTLEMENT") != "1" {
		t.Skip("set BENCH_SETTLEMENT=1 and TEST_DATABASE_URL to measure settlement at scale")
	}
	parts := benchEnv("BENCH_PARTS", 100_000)
	companies := benchEnv("BENCH_COMPANIES", 1_000)
	bigOrders := benchEnv("BENCH_BIG_ORDERS", parts/10)
	d := testdb.Postgres(t)
	ctx := context.Background()
	today := domain.Date("2026-06-18") // a Thursday: DAILY and Monday/Thursday companies are due
	svc := settlement.NewSettlements(d)
	svc.Now = func() time.Time { return today.Time().Add(12 * time.Hour) }

	start := time.Now()
	ds := benchData(t, d, parts, companies, bigOrders, today)
	ledgerMust(t, svc.RebuildUnsettled(ctx)) // written past the operations (docs/settlement.md)
	report := []string{fmt.Sprintf("data set: %d companies, %d orders, %d fulfilment parts, %d refunds; largest company %d orders (written in %s)",
		companies, ds.orders, ds.parts, ds.refunds, bigOrders, time.Since(start).Round(time.Millisecond))}

	measureRun := func(name string, day domain.Date) {
		bound, boundTook := benchBound(t, d, day)
		started := time.Now()
		res, err := svc.Run(auth.System(ctx), day)
		took := time.Since(started)
		ledgerMust(t, err)
		got := map[string][3]int64{}
		for _, st := range res.Settlements {
			got[st.CompanyID] = [3]int64{st.GrossMinor, st.RefundsMinor, st.FeesMinor}
		}
		if len(got) != len(bound) {
			t.Errorf("%s: the run created %d settlements, the aggregation found %d companies", name, len(got), len(bound))
		}
		for co, want := range bound {
			if got[co] != want {
				t.Errorf("%s: company %s settled %v, the aggregation says %v", name, co, got[co], want)
				break
			}
		}
		var entries int
		ledgerMust(t, d.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM settlement_entries e JOIN settlements s ON s.id = e.settlement_id WHERE s.date = $1`, string(day)).Scan(&entries))
		report = append(report, fmt.Sprintf("%s (%s): %d settlements, %d entries in %s; one aggregation %s; ratio %.2f",
			name, day, len(res.Settlements), entries, took.Round(time.Millisecond), boundTook.Round(time.Millisecond),
			float64(took)/float64(boundTook)))
	}
	measureRun("catch-up run, the whole history at once", today.AddDays(-1))
	measureRun("daily run, history settled", today)

	// The overview of the largest company: median of repeated calls, beside its bound,
	// after the VACUUM ANALYZE autovacuum would have run after two large runs (the
	// partial "not settled yet" indexes shed the claimed rows).
	_, err := d.SQL.Exec("VACUUM ANALYZE")
	ledgerMust(t, err)
	staff := auth.With(ctx, &auth.Principal{Kind: auth.KindUser, ID: "usr_bench", PSPID: ds.psp, Role: domain.RolePSPAdmin})
	from, to := today.AddDays(-30), today
	var ov *settlement.SettlementOverview
	took := benchMedian(7, func() {
		var err error
		ov, err = svc.Overview(staff, ds.big, from, to)
		ledgerMust(t, err)
	})
	boundTook := benchMedian(7, func() { benchOverviewBound(t, d, ds.big, from, to) })
	report = append(report, fmt.Sprintf("settlementOverview of the largest company (%s..%s: %d settlements, %d upcoming days): %s; one aggregation %s; ratio %.2f",
		from, to, len(ov.Settlements), len(ov.Upcoming), took.Round(10*time.Microsecond), boundTook.Round(10*time.Microsecond),
		float64(took)/float64(boundTook)))
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		report = append(report, "load average during the run: "+strings.TrimSpace(string(load)))
	}
	for _, line := range report {
		t.Log(line)
		fmt.Println("BENCH", line)
	}
}

// BenchmarkSettlementOverview: settlementOverview of a company with a backlog of
// about 40 000 and 400 000 unsettled parts (orders paid now, fulfilment parts,
// refunds; nothing settled yet), read from the unsettled totals, beside the live
// projection from the parts that the totals replace (projection_ms, run once). On
// PostgreSQL (TEST_DATABASE_URL); BENCH_OVERVIEW_SIZES overrides the sizes
// ("40000,400000"):
//
//	TEST_DATABASE_URL=… go test ./internal/settlement/ -run '^$' -bench BenchmarkSettlementOverview -benchtime 20x
func BenchmarkSettlementOverview(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("TEST_DATABASE_URL is not set")
	}
	sizes := []int{40_000, 400_000}
	if v := os.Getenv("BENCH_OVERVIEW_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			ledgerMust(b, err)
			sizes = append(sizes, n)
		}
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("unsettled=%d", size), func(b *testing.B) {
			d := testdb.Postgres(b)
			ctx := context.Background()
			today := domain.Date("2026-06-18")
			svc := settlement.NewSettlements(d)
			svc.Now = func() time.Time { return today.Time().Add(12 * time.Hour) }
			// About 1.3 unsettled items per order of the company (40 % paid now, the
			// rest in one or two parts, 5 % refunded); a second company beside it.
			ds := benchData(b, d, size*9/10, 2, size*10/13, today)
			ledgerMust(b, svc.RebuildUnsettled(ctx))
			_, err := d.SQL.Exec("VACUUM ANALYZE")
			ledgerMust(b, err)
			var items int64
			ledgerMust(b, d.SQL.QueryRow(`SELECT COALESCE(SUM(items), 0) FROM unsettled_totals WHERE company_id = $1`, ds.big).Scan(&items))
			started := time.Now()
			for _, q := range settlement.OverviewProjectionQueries(true) {
				rows, err := d.SQL.Query(q, ds.big)
				ledgerMust(b, err)
				for rows.Next() {
				}
				ledgerMust(b, rows.Err())
				rows.Close()
			}
			projection := time.Since(started)
			staff := auth.With(ctx, &auth.Principal{Kind: auth.KindUser, ID: "usr_bench", PSPID: ds.psp, Role: domain.RolePSPAdmin})
			b.ResetTimer()
			for b.Loop() {
				_, err := svc.Overview(staff, ds.big, today.AddDays(-30), today)
				ledgerMust(b, err)
			}
			b.ReportMetric(float64(items), "unsettled_items")
			b.ReportMetric(float64(projection.Microseconds())/1000, "projection_ms")
		})
	}
}

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchMedian(n int, f func()) time.Duration {
	var all []time.Duration
	for range n {
		s := time.Now()
		f()
		all = append(all, time.Since(s))
	}
	slices.Sort(all)
	return all[n/2]
}

type benchSet struct {
	psp, big               string
	orders, parts, refunds int
}

// benchCopy streams rows into a table with COPY.
type benchCopy struct {
	t    testing.TB
	stmt *sql.Stmt
	n    int
}

func benchCopyInto(t testing.TB, tx *sql.Tx, table string, cols ...string) *benchCopy {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	stmt, err := tx.Prepare("COPY " + pq.QuoteIdentifier(table) + " (" + strings.Join(quoted, ", ") + ") FROM STDIN")
	ledgerMust(t, err)
	return &benchCopy{t: t, stmt: stmt}
}

func (c *benchCopy) row(v ...any) {
	_, err := c.stmt.Exec(v...)
	ledgerMust(c.t, err)
	c.n++
}

func (c *benchCopy) close() {
	_, err := c.stmt.Exec()
	ledgerMust(c.t, err)
	ledgerMust(c.t, c.stmt.Close())
}

// benchData writes the data set.
func benchData(t testing.TB, d *db.DB, parts, companies, bigOrders int, today domain.Date) benchSet {
	rng := rand.New(rand.NewPCG(2026, 6))
	now := today.Time()
	tx, err := d.SQL.Begin()
	ledgerMust(t, err)
	ds := benchSet{psp: ids.New("psp")}
	_, err = tx.Exec(`INSERT INTO psps (id, created_at, updated_at, name, country, iban, bic) VALUES ($1, $2, $2, 'Bench PSP', 'DE', 'DE89370400440532013000', 'COBADEFFXXX')`, ds.psp, now)
	ledgerMust(t, err)

	// One COPY at a time per connection: rows are gathered, then copied table by table.
	type row []any
	copyRows := func(table string, cols []string, rows []row) int {
		c := benchCopyInto(t, tx, table, cols...)
		for _, r := range rows {
			c.row(r...)
		}
		c.close()
		return c.n
	}
	type company struct{ id, merchant, shop string }
	cos := make([]company, companies)
	var merchants, shops, comps, fees []row
	var merchantID, shopID string
	for i := range cos {
		if i%10 == 0 {
			merchantID, shopID = ids.New("mer"), ids.New("shp")
			merchants = append(merchants, row{merchantID, now, now, ds.psp, "Merchant " + strconv.Itoa(i/10), "EE", "ACTIVE"})
			shops = append(shops, row{shopID, now, now, ds.psp, merchantID, "Shop " + strconv.Itoa(i/10), "en", "EUR"})
		}
		cos[i] = company{ids.New("com"), merchantID, shopID}
		schedule, weekdays := domain.PayoutDaily, []string{}
		switch i % 10 {
		case 7, 8:
			schedule, weekdays = domain.PayoutWeekdays, []string{"MONDAY", "THURSDAY"}
		case 9:
			schedule, weekdays = domain.PayoutWeekly, []string{"FRIDAY"}
		}
		wd, _ := json.Marshal(weekdays)
		comps = append(comps, row{cos[i].id, now, now, ds.psp, merchantID, "Company " + strconv.Itoa(i), "EE", "EE382200221020145685", "EUR",
			string(schedule), string(wd), 2, 7})
		for _, f := range []struct {
			pt         domain.ProductType
			bps, fixed int64
		}{{domain.ProductPayNowCard, 140, 25}, {domain.ProductInvoice, 290, 35}, {domain.ProductSlice, 390, 35}} {
			fees = append(fees, row{ids.New("fee"), now, now, cos[i].id, string(f.pt), f.bps, f.fixed, "EUR"})
		}
	}
	copyRows("merchants", []string{"id", "created_at", "updated_at", "psp_id", "name", "country", "status"}, merchants)
	copyRows("shops", []string{"id", "created_at", "updated_at", "psp_id", "merchant_id", "name", "default_lang", "currency"}, shops)
	copyRows("companies", []string{"id", "created_at", "updated_at", "psp_id", "merchant_id", "legal_name", "country",
		"iban", "currency", "payout_schedule", "payout_weekdays", "pay_now_delay_days", "pay_later_delay_days"}, comps)
	copyRows("fee_rules", []string{"id", "created_at", "updated_at", "company_id", "product_type", "percent_bps", "fixed_minor", "currency"}, fees)
	ds.big = cos[0].id

	// 40 % pay now; 60 % pay later in one or two parts: 0.9 parts per order.
	total := int(float64(parts) / 0.9)
	perCompany := max(1, (total-bigOrders)/max(1, companies-1))
	// Orders, then their parts and refunds (foreign keys), a batch of companies at a time.
	var orders, fulfilments, refunds []row
	flush := func() {
		ds.orders += copyRows("orders", []string{"id", "created_at", "updated_at", "psp_id", "merchant_id", "company_id", "shop_id",
			"provider", "product_type", "reference", "status", "fulfilment_status", "currency", "initial_amount_minor", "amount_minor",
			"fulfilled_amount_minor", "refunded_amount_minor", "lang", "billing_address", "shopper_continued", "session_version",
			"confirmed_at", "payout_date"}, orders)
		ds.parts += copyRows("fulfilments", []string{"id", "created_at", "updated_at", "order_id", "company_id", "status", "currency", "amount_minor",
			"payout_date", "attempts", "completed_at"}, fulfilments)
		ds.refunds += copyRows("refunds", []string{"id", "created_at", "updated_at", "order_id", "company_id", "status", "currency", "amount_minor",
			"return_amount_minor", "cancel_amount_minor", "attempts", "completed_at"}, refunds)
		orders, fulfilments, refunds = orders[:0], fulfilments[:0], refunds[:0]
	}
	address := `{"country":"EE"}`
	for ci, c := range cos {
		n := perCompany
		if ci == 0 {
			n = bigOrders
		}
		for k := range n {
			created := now.Add(-time.Duration(rng.IntN(120*24*60)) * time.Minute)
			amount := int64(10_00 + rng.IntN(1990_00))
			id := ids.New("ord")
			pt := domain.ProductPayNowCard
			if rng.IntN(10) >= 4 {
				pt = []domain.ProductType{domain.ProductInvoice, domain.ProductSlice}[rng.IntN(2)]
			}
			var payout any
			if !pt.PayLater() {
				payout = string(domain.DateOf(created).AddDays(2))
			}
			var fulfilled, refunded int64
			lastEvent := created
			if pt.PayLater() {
				first := created.Add(time.Duration(24+rng.IntN(96)) * time.Hour)
				split := rng.IntN(2) == 0
				for p, at := range []time.Time{first, first.Add(time.Duration(24+rng.IntN(96)) * time.Hour)} {
					if at.After(now) || (p == 1 && !split) {
						break
					}
					part := amount
					if split {
						part = amount / 2
						if p == 1 {
							part = amount - amount/2
						}
					}
					fulfilments = append(fulfilments, row{ids.New("ful"), at, at, id, c.id, "SUCCEEDED", "EUR", part, string(domain.DateOf(at).AddDays(7)), 1, at})
					fulfilled += part
					lastEvent = at
				}
			}
			if rng.IntN(20) == 0 && (fulfilled > 0 || !pt.PayLater()) {
				at := lastEvent.Add(time.Duration(24+rng.IntN(72)) * time.Hour)
				if at.Before(now) {
					ret, cancel := amount/5, int64(0)
					if !pt.PayLater() && rng.IntN(2) == 0 {
						ret, cancel = 0, amount/5
					}
					refunds = append(refunds, row{ids.New("ref"), at, at, id, c.id, "SUCCEEDED", "EUR", ret + cancel, ret, cancel, 1, at})
					refunded = ret + cancel
				}
			}
			status := "UNFULFILLED"
			switch {
			case fulfilled == amount:
				status = "FULFILLED"
			case fulfilled > 0:
				status = "PARTIALLY_FULFILLED"
			}
			orders = append(orders, row{id, created, created, ds.psp, c.merchant, c.id, c.shop, "PAYWERK", string(pt), fmt.Sprintf("B-%d-%d", ci, k),
				"CONFIRMED", status, "EUR", amount, amount - refunded, fulfilled, refunded, "en", address, true, 1,
				created.Add(3 * time.Minute), payout})
		}
		if len(orders) >= 50_000 || ci == len(cos)-1 {
			flush()
		}
	}
	ledgerMust(t, tx.Commit())
	_, err = d.SQL.Exec("ANALYZE")
	ledgerMust(t, err)
	return ds
}

// benchBound is the lower bound of a run: one aggregation computing, per company due
// on the day, the gross, refunds and fees the run will settle (same rules, fixed fee
// on an order's first credit included), and how long it took.
func benchBound(t *testing.T, d *db.DB, day domain.Date) (map[string][3]int64, time.Duration) {
	weekday := strings.ToUpper(day.Weekday().String())
	q := `
WITH due AS (
  SELECT id, currency FROM companies
  WHERE payout_schedule = 'DAILY' OR CAST(payout_weekdays AS TEXT) LIKE '%"` + weekday + `"%'
), items AS (
  SELECT o.company_id, o.initial_amount_minor AS gross, 0 AS refunds,
    (o.initial_amount_minor * COALESCE(fr.percent_bps, 0) + 5000) / 10000 + COALESCE(fr.fixed_minor, 0) AS fees
  FROM orders o JOIN due c ON c.id = o.company_id
  LEFT JOIN fee_rules fr ON fr.company_id = o.company_id AND fr.product_type = o.product_type
  WHERE o.settlement_id IS NULL AND o.status = 'CONFIRMED' AND o.product_type = 'PAY_NOW_CARD'
    AND o.payout_date <= $1 AND o.currency = c.currency
  UNION ALL
  SELECT o.company_id, f.amount_minor, 0,
    ((cb.before + f.amount_minor) * COALESCE(fr.percent_bps, 0) + 5000) / 10000 - (cb.before * COALESCE(fr.percent_bps, 0) + 5000) / 10000
    + CASE WHEN ROW_NUMBER() OVER (PARTITION BY f.order_id ORDER BY f.payout_date, f.id) = 1
        AND (SELECT 1 FROM fulfilments p WHERE p.order_id = f.order_id AND p.settlement_id IS NOT NULL LIMIT 1) IS NULL
      THEN COALESCE(fr.fixed_minor, 0) ELSE 0 END
  FROM fulfilments f JOIN orders o ON o.id = f.order_id JOIN due c ON c.id = o.company_id
  LEFT JOIN fee_rules fr ON fr.company_id = o.company_id AND fr.product_type = o.product_type
  CROSS JOIN LATERAL (SELECT CAST(COALESCE((SELECT SUM(p.amount_minor) FROM fulfilments p WHERE p.order_id = f.order_id
      AND (p.settlement_id IS NOT NULL OR (p.status = 'SUCCEEDED' AND p.payout_date <= $1 AND (p.payout_date, p.id) < (f.payout_date, f.id)))), 0) AS BIGINT) AS before) cb
  WHERE f.settlement_id IS NULL AND f.status = 'SUCCEEDED' AND f.payout_date <= $1
    AND o.product_type IN ('INVOICE', 'SLICE') AND f.currency = c.currency
  UNION ALL
  SELECT o.company_id, 0,
    CASE WHEN o.product_type = 'PAY_NOW_CARD' THEN rf.return_amount_minor + rf.cancel_amount_minor ELSE rf.return_amount_minor END, 0
  FROM refunds rf JOIN orders o ON o.id = rf.order_id JOIN due c ON c.id = o.company_id
  WHERE rf.status = 'SUCCEEDED' AND rf.settlement_id IS NULL AND rf.completed_at < $2 AND rf.currency = c.currency
    AND CASE WHEN o.product_type = 'PAY_NOW_CARD' THEN rf.return_amount_minor + rf.cancel_amount_minor ELSE rf.return_amount_minor END > 0
)
SELECT company_id, SUM(gross), SUM(refunds), SUM(fees) FROM items GROUP BY company_id`
	start := time.Now()
	rows, err := d.SQL.Query(q, string(day), day.AddDays(1).Time())
	ledgerMust(t, err)
	defer rows.Close()
	out := map[string][3]int64{}
	for rows.Next() {
		var co string
		var v [3]int64
		ledgerMust(t, rows.Scan(&co, &v[0], &v[1], &v[2]))
		out[co] = v
	}
	ledgerMust(t, rows.Err())
	return out, time.Since(start)
}

// benchOverviewBound is the lower bound of the overview: one statement aggregating
// the company's settlement totals in the range by day and product type, and its
// unsettled credits (with fees) and refunds by payable day and product type.
func benchOverviewBound(t *testing.T, d *db.DB, company string, from, to domain.Date) {
	q := `
SELECT date, product_type, 'SETTLED', SUM(gross_minor - refunds_minor - fees_minor), SUM(fees_minor), COUNT(*)
FROM settlement_totals WHERE company_id = $1 AND date >= $2 AND date <= $3 GROUP BY date, product_type
UNION ALL
SELECT o.payout_date, o.product_type, 'ORDER', SUM(o.initial_amount_minor),
  SUM((o.initial_amount_minor * COALESCE(fr.percent_bps, 0) + 5000) / 10000 + COALESCE(fr.fixed_minor, 0)), COUNT(*)
FROM orders o LEFT JOIN fee_rules fr ON fr.company_id = o.company_id AND fr.product_type = o.product_type
WHERE o.company_id = $1 AND o.settlement_id IS NULL AND o.status = 'CONFIRMED' AND o.product_type = 'PAY_NOW_CARD'
  AND o.payout_date IS NOT NULL
GROUP BY o.payout_date, o.product_type
UNION ALL
SELECT payable, product_type, 'FULFILMENT', SUM(amount), SUM(fee), COUNT(*) FROM (
  SELECT f.payout_date AS payable, o.product_type, f.amount_minor AS amount,
    ((cb.before + f.amount_minor) * COALESCE(fr.percent_bps, 0) + 5000) / 10000 - (cb.before * COALESCE(fr.percent_bps, 0) + 5000) / 10000
    + CASE WHEN ROW_NUMBER() OVER (PARTITION BY f.order_id ORDER BY f.payout_date, f.id) = 1
        AND (SELECT 1 FROM fulfilments p WHERE p.order_id = f.order_id AND p.settlement_id IS NOT NULL LIMIT 1) IS NULL
      THEN COALESCE(fr.fixed_minor, 0) ELSE 0 END AS fee
  FROM fulfilments f JOIN orders o ON o.id = f.order_id
  LEFT JOIN fee_rules fr ON fr.company_id = o.company_id AND fr.product_type = o.product_type
  CROSS JOIN LATERAL (SELECT CAST(COALESCE((SELECT SUM(p.amount_minor) FROM fulfilments p WHERE p.order_id = f.order_id
      AND (p.settlement_id IS NOT NULL OR (p.status = 'SUCCEEDED' AND p.payout_date IS NOT NULL AND (p.payout_date, p.id) < (f.payout_date, f.id)))), 0) AS BIGINT) AS before) cb
  WHERE o.company_id = $1 AND f.settlement_id IS NULL AND f.status = 'SUCCEEDED' AND f.payout_date IS NOT NULL
    AND o.product_type IN ('INVOICE', 'SLICE')
) f GROUP BY payable, product_type
UNION ALL
SELECT to_char(rf.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), o.product_type, 'REFUND', SUM(rf.return_amount_minor), 0, COUNT(*)
FROM refunds rf JOIN orders o ON o.id = rf.order_id
WHERE o.company_id = $1 AND rf.status = 'SUCCEEDED' AND rf.settlement_id IS NULL
GROUP BY 1, 2`
	rows, err := d.SQL.Query(q, company, string(from), string(to))
	ledgerMust(t, err)
	for rows.Next() {
	}
	ledgerMust(t, rows.Err())
	ledgerMust(t, rows.Close())
}
