package settlement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/event"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/ids"
)

// Settlement (docs/settlement.md; Paywerk's rules in docs/providers/paywerk.md "Settlement"). A run for day D gives each company
// whose payout calendar includes D at most one settlement (the unique index on
// company and date), collecting everything dated on or before D that no settlement
// holds yet:
//
//   - credits: pay-now orders CONFIRMED with payout_date ≤ D (the whole initial amount,
//     fulfilled or not) and pay-later fulfilment parts SUCCEEDED with payout_date ≤ D;
//   - deductions: refunds SUCCEEDED on or before D (the UTC day of completed_at). A
//     pay-now refund deducts its RETURN and CANCEL amounts (the shopper had paid it
//     all); a pay-later refund only its RETURN amount (a CANCEL only lowered what the
//     shopper owes: nothing had been paid out for it), so a CANCEL-only pay-later
//     refund is no settlement item at all. A refund is deducted in the next
//     settlement after it succeeded, even when its order's credit is not paid out
//     yet (a pay-now order refunded before its payout date): the credit comes in
//     full later, the deduction now, and the two net out across the settlements;
//   - fees: CumulativeFee per credit (settlement_fees.go), frozen with the credit,
//     on the order's cumulative credited amount, never given back on refunds.
//
// Amounts: gross (credits), refunds and fees are positive totals and net = gross −
// refunds − fees. Entries carry their signed effect on net (credits +, refunds and
// fees −), one entry per credit, refund and non-zero fee, so settlement → entries →
// order/fulfilment/refund → lines drills down to the cent. A negative net makes the
// settlement MERCHANT_OWES: the merchant transfers −net to the PSP's account, quoting
// the settlement id as the reference. A company with nothing to settle gets no
// settlement row that day (a row of zeros tells nobody anything).
//
// One company's trouble stays its own: the run settles the day's companies in batches
// of runBatch, each batch in its own transaction; a batch that fails is retried one
// company per transaction, so a company that cannot be settled (a stored order beyond
// domain.MaxOrderAmountMinor, say) is logged and left for the job's retry while every
// other company is settled. A run for a day before a company's latest settlement
// leaves that company alone: a settlement never predates one that exists.
//
// Exactly once: every item lands in exactly one settlement. The run claims the items
// it collected by setting their settlement_id with a `settlement_id IS NULL` guard and
// fails (changing nothing) unless it claimed exactly those; entry ids are derived
// from the item ids ("sen_" + item id, "sen_fee_" + credited item id), so the primary
// key refuses a second entry for an item even if every other guard failed. Runs are
// serialised on PostgreSQL by a transaction-scoped advisory lock (SQLite transactions
// take the write lock at BEGIN), and the unique (company_id, date) index refuses a
// second settlement for a company and day; a run of D that finds D's settlement
// already there leaves that company alone. So running D twice, or on two instances
// at once, changes nothing.
//
// Set-based: a run is a handful of statements whatever its size: the day's companies
// into a scratch table (settle_run), everything they collect with its fee into
// another (settle_items, by the queries of settlement_sources.go), then one INSERT …
// SELECT for the settlements, one UPDATE … FROM per item table for the claims, one
// INSERT … SELECT for the entries and one UPDATE for the totals. Never a round trip
// per item; settlement_bench_test.go measures a run against one aggregate query that
// computes the same totals.
//
// When: the daily River job (settlement_job.go) runs shortly after midnight UTC for
// that day, so a settlement dated D is paid out on D; PSP staff run a day on demand
// (runSettlements) and operators with `backoffice settle --date D`. A day later than
// today is refused: it would pay out credits before they are payable.

// Settlements runs settlements and answers what they hold.
type Settlements struct {
	DB *db.DB
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Log records companies a run could not settle; nil is slog.Default().
	Log *slog.Logger
	// SMTPURL is where owed-balance e-mails go (SMTP_URL, outbox.go); empty: they
	// are kept in the outbox, NOT_SENT.
	SMTPURL string
	// Events records SETTLEMENT_CREATED and SETTLEMENT_PAID (internal/events); nil
	// records none.
	Events *events.Service
}

// runBatch is how many companies one transaction of a run settles.
const runBatch = 200

// NewSettlements builds the settlement service.
func NewSettlements(d *db.DB) *Settlements { return &Settlements{DB: d} }

func (s *Settlements) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Today is the current UTC day by the service's clock.
func (s *Settlements) Today() domain.Date { return domain.DateOf(s.now()) }

// settlementRunLock is the PostgreSQL advisory lock key that serialises settlement runs.
const settlementRunLock int64 = 0x5e771e_0001

// RunResult is what one run created.
type RunResult struct {
	Date        domain.Date
	Settlements []*ent.Settlement
}

// Run settles day d for every company the principal may settle whose payout calendar
// includes d: all of them for auth.System, the PSP's own for PSP staff. It answers
// the settlements this run created (none when everything was already settled).
func (s *Settlements) Run(ctx context.Context, d domain.Date) (*RunResult, error) {
	p := auth.From(ctx)
	if p == nil || !(p.IsSystem() || p.IsPSPStaff()) {
		return nil, domain.RefuseErr(ErrStaffOnly, nil, "only PSP staff run settlements")
	}
	if d.After(s.Today()) {
		return nil, domain.RefuseErr(ErrInvalidPeriod, domain.Field("date"),
			fmt.Sprintf("%s is in the future: a settlement pays out only what is payable by its day", d))
	}
	candidates, err := s.calendarCompanies(ctx, p, d)
	if err != nil {
		return nil, err
	}
	var created []string
	var failed []error
	for batch := range chunks(candidates, runBatch) {
		ids, err := s.runCompanies(ctx, d, batch)
		if err == nil {
			created = append(created, ids...)
			continue
		}
		if len(batch) == 1 {
			failed = append(failed, s.companyFailed(ctx, d, batch[0], err))
			continue
		}
		for _, c := range batch { // one transaction each: the failing one stays alone
			ids, err := s.runCompanies(ctx, d, []string{c})
			if err != nil {
				failed = append(failed, s.companyFailed(ctx, d, c, err))
				continue
			}
			created = append(created, ids...)
		}
	}
	if len(created) > 0 {
		if err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return s.auditRun(ctx, tx, d, created) }); err != nil {
			s.logger().ErrorContext(ctx, "settlement run: writing the audit trail failed", "date", string(d), "err", err)
		}
	}
	out := &RunResult{Date: d}
	for chunk := range chunks(created, 1000) {
		rows, err := s.DB.Ent.Settlement.Query().Where(entsettlement.IDIn(chunk...)).
			Order(ent.Asc(entsettlement.FieldCompanyID)).All(ctx)
		if err != nil {
			return nil, err
		}
		out.Settlements = append(out.Settlements, rows...)
	}
	if len(failed) > 0 {
		return out, fmt.Errorf("%w: %w", ErrCompaniesNotSettled, errors.Join(failed...))
	}
	return out, nil
}

// runCompanies settles day d for some companies in one transaction and answers the
// settlements it created.
func (s *Settlements) runCompanies(ctx context.Context, d domain.Date, companies []string) ([]string, error) {
	var created []string
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		r := &settlementRun{tx: tx, q: sqlDialect{postgres: s.DB.IsPostgres()}, date: d, now: s.now()}
		var err error
		created, err = r.run(ctx, companies)
		if err != nil || len(created) == 0 {
			return err
		}
		if err := s.queueOwedMail(ctx, tx, created); err != nil {
			return err
		}
		return s.recordEvents(ctx, tx, event.TypeSETTLEMENT_CREATED, created)
	})
	return created, err
}

// recordEvents records an event of each settlement in ids (internal/events), in the
// transaction that changed them.
func (s *Settlements) recordEvents(ctx context.Context, tx *db.Tx, t event.Type, ids []string) error {
	if s.Events == nil {
		return nil
	}
	for chunk := range chunks(ids, 1000) {
		rows, err := tx.Ent.Settlement.Query().Where(entsettlement.IDIn(chunk...)).All(auth.System(ctx))
		if err != nil {
			return err
		}
		for _, st := range rows {
			if _, err := s.Events.Record(ctx, tx, events.Change{Type: t, Settlement: st}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Settlements) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// companyFailed logs a company the run could not settle and answers the error.
func (s *Settlements) companyFailed(ctx context.Context, d domain.Date, companyID string, err error) error {
	s.logger().ErrorContext(ctx, "settlement run: company not settled", "date", string(d), "company", companyID, "err", err)
	return fmt.Errorf("company %s: %w", companyID, err)
}

// calendarCompanies are the companies the principal may settle whose payout calendar
// includes d.
func (s *Settlements) calendarCompanies(ctx context.Context, p *auth.Principal, d domain.Date) ([]string, error) {
	q := s.DB.Ent.Company.Query()
	if !p.IsSystem() {
		q = q.Where(company.PspID(p.PSPID))
	}
	companies, err := q.Select(company.FieldID, company.FieldPayoutSchedule, company.FieldPayoutWeekdays).
		Order(ent.Asc(company.FieldID)).All(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range companies {
		if CalendarOf(c).Includes(d) {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

// RunDays settles each day from..to in order, as the daily job would have (the demo
// data set, a catch-up after an outage); it answers how many settlements it created.
func (s *Settlements) RunDays(ctx context.Context, from, to domain.Date) (int, error) {
	n := 0
	for d := from; !d.After(to); d = d.AddDays(1) {
		res, err := s.Run(ctx, d)
		if err != nil {
			return n, fmt.Errorf("settlements of %s: %w", d, err)
		}
		n += len(res.Settlements)
	}
	return n, nil
}

// settlementRun is one run's transaction.
type settlementRun struct {
	tx   *db.Tx
	q    sqlDialect
	date domain.Date
	now  time.Time
}

func (r *settlementRun) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := r.tx.SQL.ExecContext(ctx, r.q.rebind(query), args...)
	if err != nil {
		return 0, fmt.Errorf("settlement run: %w\n%s", err, firstLine(query))
	}
	return res.RowsAffected()
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// run does the work and answers the ids of the settlements it created. Its scratch
// tables: settle_run (the day's companies and the id each one's settlement gets) and
// settle_items (every item those settlements collect, with its fee), from which the
// settlements, the claims, the entries and the totals are written.
func (r *settlementRun) run(ctx context.Context, companies []string) ([]string, error) {
	if r.q.postgres {
		if _, err := r.tx.SQL.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", settlementRunLock); err != nil {
			return nil, fmt.Errorf("settlement run lock: %w", err)
		}
	}
	due, err := r.dueCompanies(ctx, companies)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	defer func() {
		if !r.q.postgres { // PostgreSQL drops them at commit
			for _, t := range []string{"settle_run", "settle_items"} {
				_, _ = r.tx.SQL.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp."+t)
			}
		}
	}()
	steps := []func(context.Context) error{
		func(ctx context.Context) error { return r.stage(ctx, due) },
		r.collect, r.checkBounds, r.createSettlements, r.claimItems, r.writeEntries, r.total, r.totalByProductType,
		r.deductOwed,
		// Last: the entries' foreign keys lock the orders first, as an operation's
		// refresh does (unsettled.go), so the two never wait for each other in a cycle.
		r.settleUnsettled,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return r.createdIDs(ctx)
}

// dueCompanies are those of the given companies (whose calendar includes the day)
// with no settlement on or after the day: one on the day means it ran, one after it
// means this day is in the past for them (a settlement never predates another).
func (r *settlementRun) dueCompanies(ctx context.Context, companies []string) ([]string, error) {
	done, err := r.tx.Ent.Settlement.Query().
		Where(entsettlement.CompanyIDIn(companies...), entsettlement.DateGTE(r.date)).
		Select(entsettlement.FieldCompanyID).Strings(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	var due []string
	for _, c := range companies {
		if !slices.Contains(done, c) {
			due = append(due, c)
		}
	}
	return due, nil
}

// checkBounds refuses the batch when an item's amount is beyond the maximum order
// amount: its fee would not be safe to compute (settlement_fees.go). Orders are
// refused above it when created; this finds rows stored before that bound.
func (r *settlementRun) checkBounds(ctx context.Context) error {
	var company, item string
	err := r.tx.SQL.QueryRowContext(ctx, r.q.rebind(`SELECT company_id, item_id FROM settle_items WHERE amount > ? LIMIT 1`),
		domain.MaxOrderAmountMinor).Scan(&company, &item)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("company %s, %s: %w (%d minor units)", company, item, ErrBeyondBounds, domain.MaxOrderAmountMinor)
}

// stage writes the day's companies, each with the id its settlement will get.
func (r *settlementRun) stage(ctx context.Context, due []string) error {
	if _, err := r.exec(ctx, r.q.tempTable("settle_run", "company_id TEXT PRIMARY KEY, settlement_id TEXT NOT NULL")); err != nil {
		return err
	}
	for chunk := range chunks(due, 500) {
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk))
		b.WriteString("INSERT INTO settle_run (company_id, settlement_id) VALUES ")
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
			args = append(args, id, ids.New("set"))
		}
		if _, err := r.exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return r.analyze(ctx, "settle_run")
}

// analyze gives PostgreSQL's planner the size of a scratch table it just filled.
func (r *settlementRun) analyze(ctx context.Context, table string) error {
	if !r.q.postgres {
		return nil
	}
	_, err := r.exec(ctx, "ANALYZE "+table)
	return err
}

// collect finds every item the day's settlements collect, with each credit's fee,
// and leaves out the companies that have none: they get no settlement.
func (r *settlementRun) collect(ctx context.Context) error {
	if _, err := r.exec(ctx, r.q.tempTable("settle_items", `kind TEXT NOT NULL, item_id TEXT NOT NULL, order_id TEXT NOT NULL,
  settlement_id TEXT NOT NULL, psp_id TEXT NOT NULL, merchant_id TEXT NOT NULL, company_id TEXT NOT NULL,
  product_type TEXT NOT NULL, currency TEXT NOT NULL, amount BIGINT NOT NULL, fee BIGINT NOT NULL, payable TEXT NOT NULL`)); err != nil {
		return err
	}
	src := creditSources{q: r.q, run: true}
	for _, c := range []struct{ kind, query string }{
		{"ORDER", src.orderCredits()},
		{"FULFILMENT", src.fulfilmentCredits()},
		{"REFUND", src.refundDeductions()},
	} {
		fee := "c.fee"
		if c.kind == "REFUND" {
			fee = "0"
		}
		if _, err := r.exec(ctx, `WITH c AS (`+c.query+`)
INSERT INTO settle_items (kind, item_id, order_id, settlement_id, psp_id, merchant_id, company_id, product_type, currency, amount, fee, payable)
SELECT '`+c.kind+`', c.item_id, c.order_id, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, c.product_type, c.currency,
  c.amount, `+fee+`, c.payable FROM c`, string(r.date)); err != nil {
			return err
		}
	}
	_, err := r.exec(ctx, `DELETE FROM settle_run WHERE NOT EXISTS (SELECT 1 FROM settle_items i WHERE i.settlement_id = settle_run.settlement_id)`)
	return err
}

// createSettlements inserts a settlement for each company with items. A company that
// has one for the day already (the unique index; only a run outside the lock could
// have made it) is left out of the run with its items.
func (r *settlementRun) createSettlements(ctx context.Context) error {
	ts := r.q.instant()
	if _, err := r.exec(ctx, `
INSERT INTO settlements (id, created_at, updated_at, psp_id, merchant_id, company_id, date, status, currency,
  gross_minor, refunds_minor, fees_minor, net_minor, payment_reference)
SELECT r.settlement_id, `+ts+`, `+ts+`, c.psp_id, c.merchant_id, c.id, ?, 'PENDING', c.currency, 0, 0, 0, 0, r.settlement_id
FROM settle_run r JOIN companies c ON c.id = r.company_id
WHERE 1 = 1
ON CONFLICT (company_id, date) DO NOTHING`, r.now, r.now, string(r.date)); err != nil {
		return err
	}
	for _, t := range []string{"settle_run", "settle_items"} {
		if _, err := r.exec(ctx, `DELETE FROM `+t+` WHERE NOT EXISTS (SELECT 1 FROM settlements s WHERE s.id = `+t+`.settlement_id)`); err != nil {
			return err
		}
	}
	return nil
}

// claimItems sets settlement_id on every collected item, guarded by settlement_id IS
// NULL, and fails the run unless it claimed exactly the items it collected.
func (r *settlementRun) claimItems(ctx context.Context) error {
	for _, c := range []struct{ table, kind string }{{"orders", "ORDER"}, {"fulfilments", "FULFILMENT"}, {"refunds", "REFUND"}} {
		claimed, err := r.exec(ctx, fmt.Sprintf(`
UPDATE %[1]s SET settlement_id = i.settlement_id, updated_at = `+r.q.instant()+`
FROM settle_items i
WHERE i.kind = '%[2]s' AND i.item_id = %[1]s.id AND %[1]s.settlement_id IS NULL`, c.table, c.kind), r.now)
		if err != nil {
			return err
		}
		var collected int64
		if err := r.tx.SQL.QueryRowContext(ctx, r.q.rebind(`SELECT COUNT(*) FROM settle_items WHERE kind = ?`), c.kind).Scan(&collected); err != nil {
			return err
		}
		if claimed != collected {
			return fmt.Errorf("%w: %d %s items collected, %d claimed", ErrSettlementClaim, collected, strings.ToLower(c.kind), claimed)
		}
	}
	return nil
}

// entryColumns are the settlement_entries columns every entry insert writes.
const entryColumns = `id, created_at, updated_at, settlement_id, psp_id, merchant_id, company_id, kind, order_id,
  fulfilment_id, refund_id, product_type, currency, amount_minor, payable_date`

// writeEntries writes one entry per collected item (credits +, refunds −) and one
// per non-zero fee (−), which names the credit it was charged on.
func (r *settlementRun) writeEntries(ctx context.Context) error {
	ts := r.q.instant()
	_, err := r.exec(ctx, `
INSERT INTO settlement_entries (`+entryColumns+`)
SELECT 'sen_' || i.item_id, `+ts+`, `+ts+`, i.settlement_id, i.psp_id, i.merchant_id, i.company_id, i.kind, i.order_id,
  CASE WHEN i.kind = 'FULFILMENT' THEN i.item_id END, CASE WHEN i.kind = 'REFUND' THEN i.item_id END,
  i.product_type, i.currency, CASE WHEN i.kind = 'REFUND' THEN -i.amount ELSE i.amount END, i.payable
FROM settle_items i
UNION ALL
SELECT 'sen_fee_' || i.item_id, `+ts+`, `+ts+`, i.settlement_id, i.psp_id, i.merchant_id, i.company_id, 'FEE', i.order_id,
  CASE WHEN i.kind = 'FULFILMENT' THEN i.item_id END, NULL, i.product_type, i.currency, -i.fee, i.payable
FROM settle_items i WHERE i.fee <> 0`, r.now, r.now, r.now, r.now)
	return err
}

// total writes each settlement's totals and status.
func (r *settlementRun) total(ctx context.Context) error {
	_, err := r.exec(ctx, `
UPDATE settlements SET gross_minor = t.gross, refunds_minor = t.refunds, fees_minor = t.fees,
  net_minor = t.gross - t.refunds - t.fees,
  status = CASE WHEN t.gross - t.refunds - t.fees < 0 THEN 'MERCHANT_OWES' ELSE 'PENDING' END,
  updated_at = `+r.q.instant()+`
FROM (
  SELECT i.settlement_id,
    SUM(CASE WHEN i.kind = 'REFUND' THEN 0 ELSE i.amount END) AS gross,
    SUM(CASE WHEN i.kind = 'REFUND' THEN i.amount ELSE 0 END) AS refunds,
    SUM(i.fee) AS fees
  FROM settle_items i
  GROUP BY i.settlement_id
) t
WHERE settlements.id = t.settlement_id`, r.now)
	return err
}

// deductOwed collects what a company still owes: every earlier MERCHANT_OWES
// settlement not marked paid is deducted from the company's next positive settlement
// as an OWED entry referencing it (its net, negative), and then reads SETTLED. The
// new settlement's net (Σ of its entries) falls by that much and it is MERCHANT_OWES
// itself if it goes negative: the debt moves forward, it is never counted twice.
// Gross, refunds and fees keep what the day itself held.
func (r *settlementRun) deductOwed(ctx context.Context) error {
	ts := r.q.instant()
	inserted, err := r.exec(ctx, `
INSERT INTO settlement_entries (id, created_at, updated_at, settlement_id, psp_id, merchant_id, company_id, kind,
  currency, amount_minor, payable_date, owed_settlement_id)
SELECT 'sen_owed_' || o.id, `+ts+`, `+ts+`, s.id, s.psp_id, s.merchant_id, s.company_id, 'OWED',
  o.currency, o.net_minor, o.date, o.id
FROM settle_run r
JOIN settlements s ON s.id = r.settlement_id
JOIN settlements o ON o.company_id = s.company_id AND o.status = 'MERCHANT_OWES' AND o.date < s.date AND o.currency = s.currency
WHERE s.net_minor > 0`, r.now, r.now)
	if err != nil || inserted == 0 {
		return err
	}
	settled, err := r.exec(ctx, `
UPDATE settlements SET status = 'SETTLED', paid_at = `+ts+`, updated_at = `+ts+`
WHERE status = 'MERCHANT_OWES' AND id IN (
  SELECT e.owed_settlement_id FROM settlement_entries e JOIN settle_run r ON r.settlement_id = e.settlement_id
  WHERE e.kind = 'OWED')`, r.now, r.now)
	if err != nil {
		return err
	}
	if settled != inserted {
		return fmt.Errorf("%w: %d owed settlements deducted, %d closed", ErrSettlementClaim, inserted, settled)
	}
	_, err = r.exec(ctx, `
UPDATE settlements SET net_minor = net_minor + t.owed,
  status = CASE WHEN net_minor + t.owed < 0 THEN 'MERCHANT_OWES' ELSE 'PENDING' END, updated_at = `+ts+`
FROM (
  SELECT e.settlement_id, SUM(e.amount_minor) AS owed FROM settlement_entries e
  JOIN settle_run r ON r.settlement_id = e.settlement_id WHERE e.kind = 'OWED' GROUP BY e.settlement_id
) t
WHERE settlements.id = t.settlement_id`, r.now)
	return err
}

// totalByProductType writes each settlement's amounts per product type, for the
// overview's period totals.
func (r *settlementRun) totalByProductType(ctx context.Context) error {
	ts := r.q.instant()
	_, err := r.exec(ctx, `
INSERT INTO settlement_totals (id, created_at, updated_at, settlement_id, psp_id, merchant_id, company_id, date,
  product_type, currency, gross_minor, refunds_minor, fees_minor)
SELECT 'stt_' || substr(i.settlement_id, 5) || '_' || substr(i.product_type, 1, 1), `+ts+`, `+ts+`, i.settlement_id,
  i.psp_id, i.merchant_id, i.company_id, ?, i.product_type, i.currency,
  SUM(CASE WHEN i.kind = 'REFUND' THEN 0 ELSE i.amount END), SUM(CASE WHEN i.kind = 'REFUND' THEN i.amount ELSE 0 END),
  SUM(i.fee)
FROM settle_items i
GROUP BY i.settlement_id, i.psp_id, i.merchant_id, i.company_id, i.product_type, i.currency`, r.now, r.now, string(r.date))
	return err
}

// createdIDs are the ids of the settlements the run created.
func (r *settlementRun) createdIDs(ctx context.Context) ([]string, error) {
	rows, err := r.tx.SQL.QueryContext(ctx, `SELECT settlement_id FROM settle_run ORDER BY settlement_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// auditRun records who ran which day and what it created, once per PSP involved: one
// event for the whole run, written after its batches (each batch is a transaction of
// its own, and a run is one mutation).
func (s *Settlements) auditRun(ctx context.Context, tx *db.Tx, d domain.Date, created []string) error {
	rows, err := tx.Ent.Settlement.Query().Where(entsettlement.IDIn(created[:min(len(created), 1000)]...)).
		Select(entsettlement.FieldID, entsettlement.FieldPspID).All(ctx)
	if err != nil {
		return err
	}
	byPSP := map[string][]string{}
	for _, st := range rows {
		byPSP[st.PspID] = append(byPSP[st.PspID], st.ID)
	}
	for pspID, objects := range byPSP {
		err := audit.WriteTx(ctx, tx.Ent, audit.Event{Action: "runSettlements", ObjectIDs: objects, PSPID: pspID,
			Input: map[string]any{"date": string(d), "settlements": len(created)}})
		if err != nil {
			return err
		}
	}
	return nil
}

// chunks splits ids into runs of at most n, for IN lists and multi-row inserts.
func chunks[T any](all []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(all) > 0 {
			k := min(n, len(all))
			if !yield(all[:k]) {
				return
			}
			all = all[k:]
		}
	}
}
