package settlement

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// The settlement overview of one company: what was settled in a range of days, what
// will be settled next and when, and the balances not settled yet.
//
//   - Period totals (day, ISO week, month, each split by product type) add up the
//     settlements dated in the range (their per-product-type totals, which the run
//     writes beside the entries): money that moved, by the day it moved. A week or
//     month cut by the range counts only its days in the range.
//   - Upcoming payouts project what is not settled yet, fees included, from the
//     unsettled totals per payable day (unsettled.go: kept by the operations with the
//     same queries a run uses, settlement_sources.go): each day's items go to the
//     first payout day on or after the day they become payable, and not before the
//     next run (today, or tomorrow once today's settlement exists).
//   - Pending is what is earned but not payable yet (credits after today, net of
//     their fees); available is what is payable and not settled yet (credits up to
//     today net of fees, minus refunds to deduct). Both are projections, not a
//     promise: a refund tomorrow lowers them.
//
// Tenancy: the company is read through the tenant policy (a company the principal
// cannot see is ErrCompanyNotFound), and an API key needs the settlements:read scope;
// only then do the aggregate queries, which are raw SQL and bypass the policy, read
// that one company's rows.

// MaxOverviewDays is the longest range an overview covers.
const MaxOverviewDays = 366

// SettlementTotals are the four amounts of a settlement or a sum of settlements.
type SettlementTotals struct {
	Gross, Refunds, Fees, Net money.Money
}

// ProductTypeTotals are totals of one product type.
type ProductTypeTotals struct {
	ProductType domain.ProductType
	SettlementTotals
}

// PeriodTotals are the totals of the settlements of one day, week or month.
type PeriodTotals struct {
	// Period names it: "2026-11-21", "2026-W47" or "2026-11".
	Period     string
	Start, End domain.Date
	SettlementTotals
	ByProductType []ProductTypeTotals
}

// UpcomingPayout is what a future settlement is projected to hold.
type UpcomingPayout struct {
	Date  domain.Date
	Items int
	SettlementTotals
	ByProductType []ProductTypeTotals
}

// SettlementOverview is a company's settlement picture.
type SettlementOverview struct {
	Company                          *ent.Company
	From, To                         domain.Date
	Settlements                      []*ent.Settlement
	Total                            SettlementTotals
	Daily, Weekly, Monthly           []PeriodTotals
	Upcoming                         []UpcomingPayout
	PendingBalance, AvailableBalance money.Money
}

// Overview answers the settlement overview of a company for the days from..to.
func (s *Settlements) Overview(ctx context.Context, companyID string, from, to domain.Date) (*SettlementOverview, error) {
	if to.Before(from) {
		return nil, domain.RefuseErr(ErrInvalidPeriod, domain.Field("to"), "to is before from")
	}
	if to.Time().Sub(from.Time()) > MaxOverviewDays*24*time.Hour {
		return nil, domain.RefuseErr(ErrInvalidPeriod, domain.Field("to"), fmt.Sprintf("an overview covers at most %d days", MaxOverviewDays))
	}
	co, err := s.visibleCompany(ctx, companyID)
	if err != nil {
		return nil, err
	}
	ov := &SettlementOverview{Company: co, From: from, To: to}
	if ov.Settlements, err = s.DB.Ent.Settlement.Query().
		Where(entsettlement.CompanyID(co.ID), entsettlement.DateGTE(from), entsettlement.DateLTE(to)).
		Order(ent.Desc(entsettlement.FieldDate)).All(ctx); err != nil {
		return nil, err
	}
	if err := s.periodTotals(ctx, ov); err != nil {
		return nil, err
	}
	if err := s.upcoming(ctx, ov); err != nil {
		return nil, err
	}
	return ov, nil
}

// visibleCompany reads a company whose settlements the principal may see.
func (s *Settlements) visibleCompany(ctx context.Context, id string) (*ent.Company, error) {
	p := auth.From(ctx)
	if p == nil {
		return nil, ErrNoPrincipal
	}
	if p.IsAPIKey() && !p.CanReadSettlements() {
		return nil, ErrCompanyNotFound
	}
	co, err := s.DB.Ent.Company.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, ErrCompanyNotFound
	}
	return co, err
}

// totalsAcc adds up minor units per product type.
type totalsAcc struct {
	gross, refunds, fees int64
	byType               map[domain.ProductType]*totalsAcc
}

// addTotals books a settlement's amounts of one product type.
func (a *totalsAcc) addTotals(pt domain.ProductType, gross, refunds, fees int64) {
	for _, t := range []*totalsAcc{a, a.of(pt)} {
		t.gross += gross
		t.refunds += refunds
		t.fees += fees
	}
}

func (a *totalsAcc) of(pt domain.ProductType) *totalsAcc {
	if a.byType == nil {
		a.byType = map[domain.ProductType]*totalsAcc{}
	}
	t := a.byType[pt]
	if t == nil {
		t = &totalsAcc{}
		a.byType[pt] = t
	}
	return t
}

func (a *totalsAcc) totals(cur string) SettlementTotals {
	return SettlementTotals{Gross: money.New(a.gross, cur), Refunds: money.New(a.refunds, cur),
		Fees: money.New(a.fees, cur), Net: money.New(a.gross-a.refunds-a.fees, cur)}
}

func (a *totalsAcc) split(cur string) []ProductTypeTotals {
	out := []ProductTypeTotals{}
	for _, v := range domain.ProductType("").Values() {
		if t := a.byType[domain.ProductType(v)]; t != nil {
			out = append(out, ProductTypeTotals{ProductType: domain.ProductType(v), SettlementTotals: t.totals(cur)})
		}
	}
	return out
}

// periodTotals adds up the range's settlements by day, week and month, from their
// totals per product type (settlement_totals, written by the run).
func (s *Settlements) periodTotals(ctx context.Context, ov *SettlementOverview) error {
	q := sqlDialect{postgres: s.DB.IsPostgres()}
	rows, err := s.DB.Reader(ctx).QueryContext(ctx, q.rebind(`
SELECT date, product_type, gross_minor, refunds_minor, fees_minor FROM settlement_totals
WHERE company_id = ? AND date >= ? AND date <= ?
ORDER BY date`), ov.Company.ID, string(ov.From), string(ov.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	type bucket struct {
		key        string
		start, end domain.Date
		acc        *totalsAcc
	}
	var all totalsAcc
	levels := []struct {
		out    *[]PeriodTotals
		period func(domain.Date) (string, domain.Date, domain.Date)
		open   []*bucket
	}{{out: &ov.Daily, period: dayPeriod}, {out: &ov.Weekly, period: weekPeriod}, {out: &ov.Monthly, period: monthPeriod}}
	for rows.Next() {
		var (
			day, pt              string
			gross, refunds, fees int64
		)
		if err := rows.Scan(&day, &pt, &gross, &refunds, &fees); err != nil {
			return err
		}
		all.addTotals(domain.ProductType(pt), gross, refunds, fees)
		for i := range levels {
			l := &levels[i]
			key, start, end := l.period(domain.Date(day))
			if n := len(l.open); n == 0 || l.open[n-1].key != key {
				l.open = append(l.open, &bucket{key: key, start: max(start, ov.From), end: min(end, ov.To), acc: &totalsAcc{}})
			}
			l.open[len(l.open)-1].acc.addTotals(domain.ProductType(pt), gross, refunds, fees)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cur := ov.Company.Currency
	ov.Total = all.totals(cur)
	for _, l := range levels {
		*l.out = []PeriodTotals{}
		for _, b := range l.open {
			*l.out = append(*l.out, PeriodTotals{Period: b.key, Start: b.start, End: b.end,
				SettlementTotals: b.acc.totals(cur), ByProductType: b.acc.split(cur)})
		}
	}
	return nil
}

func dayPeriod(d domain.Date) (string, domain.Date, domain.Date) { return string(d), d, d }

// weekPeriod is the ISO week (Monday to Sunday) of a day.
func weekPeriod(d domain.Date) (string, domain.Date, domain.Date) {
	y, w := d.Time().ISOWeek()
	start := d.AddDays(-((int(d.Weekday()) + 6) % 7))
	return fmt.Sprintf("%04d-W%02d", y, w), start, start.AddDays(6)
}

func monthPeriod(d domain.Date) (string, domain.Date, domain.Date) {
	t := d.Time()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.Format("2006-01"), domain.DateOf(first), domain.DateOf(first.AddDate(0, 1, -1))
}

// upcoming projects the company's unsettled items onto its payout days.
func (s *Settlements) upcoming(ctx context.Context, ov *SettlementOverview) error {
	today := s.Today()
	first := today
	ranToday, err := s.DB.Ent.Settlement.Query().
		Where(entsettlement.CompanyID(ov.Company.ID), entsettlement.DateEQ(today)).Exist(ctx)
	if err != nil {
		return err
	}
	if ranToday {
		first = today.AddDays(1)
	}
	cal := CalendarOf(ov.Company)
	cur := ov.Company.Currency
	byDay := map[domain.Date]*totalsAcc{}
	items := map[domain.Date]int{}
	var pending, available int64
	book := func(payable domain.Date, pt domain.ProductType, kind string, n int, amount, fee int64) {
		day := cal.Next(max(payable, first))
		acc := byDay[day]
		if acc == nil {
			acc = &totalsAcc{}
			byDay[day] = acc
		}
		items[day] += n
		if kind == "REFUND" {
			acc.addTotals(pt, 0, amount, 0)
			available -= amount
			return
		}
		acc.addTotals(pt, amount, 0, fee)
		if payable.After(today) {
			pending += amount - fee
		} else {
			available += amount - fee
		}
	}
	// The unsettled totals (unsettled.go): one row per payable day, product type
	// and kind, however many parts are behind them.
	rows, err := s.DB.Reader(ctx).QueryContext(ctx, sqlDialect{postgres: s.DB.IsPostgres()}.rebind(
		`SELECT payable, product_type, kind, items, amount_minor, fee_minor FROM unsettled_totals WHERE company_id = ?`), ov.Company.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			payable, pt, kind string
			n                 int
			amount, fees      int64
		)
		if err := rows.Scan(&payable, &pt, &kind, &n, &amount, &fees); err != nil {
			return err
		}
		book(domain.Date(payable), domain.ProductType(pt), kind, n, amount, fees)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	days := make([]domain.Date, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	slices.Sort(days)
	ov.Upcoming = []UpcomingPayout{}
	for _, d := range days {
		ov.Upcoming = append(ov.Upcoming, UpcomingPayout{Date: d, Items: items[d],
			SettlementTotals: byDay[d].totals(cur), ByProductType: byDay[d].split(cur)})
	}
	ov.PendingBalance, ov.AvailableBalance = money.New(pending, cur), money.New(available, cur)
	return nil
}

// projection is one of the statements that sum unsettled items (creditSources in
// its mode): company, payable day, product type, count, amount, fees; grouped by
// order too when byOrder (the unsettled totals' parts, unsettled.go).
type projection struct{ kind, sql string }

func projections(src creditSources, byOrder bool) []projection {
	q := src.q
	out := []projection{{"ORDER", src.orderCredits()}, {"FULFILMENT", src.fulfilmentCredits()}, {"REFUND", src.refundDeductions()}}
	group := "c.company_id, c.payable, c.product_type"
	if byOrder {
		group = "c.order_id, " + group
	}
	for i, p := range out {
		fee := "SUM(c.fee)"
		if p.kind == "REFUND" {
			fee = "0"
		}
		out[i].sql = q.rebind(`WITH c AS (` + p.sql + `)
SELECT ` + group + `, COUNT(*), SUM(c.amount), ` + fee + ` FROM c GROUP BY ` + group)
	}
	return out
}

// OverviewProjectionQueries are the statements that project a company's unsettled
// items from the parts (what the unsettled totals hold, unsettled.go), in the
// database's placeholders, each taking the company id: for the query-plan checks of
// internal/bench.
func OverviewProjectionQueries(postgres bool) []string {
	var out []string
	for _, p := range projections(creditSources{q: sqlDialect{postgres: postgres}}, false) {
		out = append(out, p.sql)
	}
	return out
}
