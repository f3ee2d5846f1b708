package psp

import (
	"context"
	"os"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
)

// Settlement (seed 003, DESIGN.md "Settlement"). A run for day D gives each company
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
//   - fees: CreditFee per credit (settlement_fees.go), never given back on refunds.
//
// Amounts: gross (credits), refunds and fees are positive totals and net = gross −
// refunds − fees. Entries carry their signed effect on net (credits +, refunds and
// fees −), one entry per credit, refund and non-zero fee, so settlement → entries →
// order/fulfilment/refund → lines drills down to the cent. A negative net makes the
// settlement MERCHANT_OWES: the merchant transfers −net to the PSP's account, quoting
// the settlement id as the reference. A company with nothing to settle gets no
// settlement row that day (a row of zeros tells nobody anything).
//
// Exactly once: every item lands in exactly one settlement. The run claims items by
// setting their settlement_id with a `settlement_id IS NULL` guard and checks that it
// claimed exactly the items it wrote entries for; entry ids are derived from the item
// ids ("sen_" + item id, "sen_fee_" + credited item id), so the primary key refuses a
// second entry for an item even if every other guard failed. Runs are serialised on
// PostgreSQL by a transaction-scoped advisory lock (SQLite transactions take the write
// lock at BEGIN), the unique (company_id, date) index refuses a second settlement for
// a company and day, so a run of D that finds D's settlement already there leaves
// that company alone: running D twice, or on two instances at once, changes nothing.
//
// Set-based: a run is a handful of INSERT … SELECT and UPDATE … FROM statements over
// a scratch table of the day's companies, never a round trip per item, so its cost
// follows what the database must write (settlement_bench_test.go measures it against
// one aggregate query computing the same totals).
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
}

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

var (
	// ErrSettlementNotFound: no settlement with that id that the principal may see.
	ErrSettlementNotFound = errors.New("settlement not found")
	// ErrCompanyNotFound: no company with that id whose settlements the principal may see.
	ErrCompanyNotFound = errors.New("company not found")
	// ErrSettlementClaim: a run claimed a different number of items than it wrote
	// entries for (another writer settled some of them meanwhile); nothing is kept.
	ErrSettlementClaim = errors.New("settlement run: items changed while they were being settled")
)

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
		return nil, domain.Refuse(domain.CodeForbidden, nil, "only PSP staff run settlements")
	}
	if d.After(s.Today()) {
		return nil, domain.Refuse(domain.CodeValidation, domain.Field("date"),
			fmt.Sprintf("%s is in the future: a settlement pays out only what is payable by its day", d))
	}
	var created []string
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		r := &settlementRun{s: s, tx: tx, q: sqlDialect{postgres: s.DB.IsPostgres()}, date: d, now: s.now()}
		var err error
		created, err = r.run(ctx, p)
		if err != nil || len(created) == 0 {
			return err
		}
		return s.auditRun(ctx, tx, p, d, created)
	})
	if err != nil {
		return nil, err
	}
	out := &RunResult{Date: d}
	for chunk := range chunks(created, 1000) {
		rows, err := s.DB.Ent.Settlement.Query().Where(settlement.IDIn(chunk...)).
			Order(ent.Asc(settlement.FieldCompanyID)).All(ctx)
		if err != nil {
			return nil, err
		}
		out.Settlements = append(out.Settlements, rows...)
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
	s    *Settlements
	tx   *db.Tx
	q    sqlDialect
	date domain.Date
	now  time.Time
}

func (r *settlementRun) exec(ctx context.Context, query string, args ...any) (int64, error) {
	t0 := time.Now()
	if os.Getenv("SETTLE_TRACE") == "explain" && r.q.postgres && !strings.Contains(query, "CREATE TEMP") && !strings.HasPrefix(query, "ANALYZE") {
		rows, err := r.tx.SQL.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+r.q.rebind(query), args...)
		if err != nil {
			return 0, err
		}
		fmt.Println("PLAN", time.Since(t0), firstLine(query))
		for rows.Next() {
			var l string
			rows.Scan(&l)
			fmt.Println("   ", l)
		}
		rows.Close()
		return -1, nil
	}
	res, err := r.tx.SQL.ExecContext(ctx, r.q.rebind(query), args...)
	if os.Getenv("SETTLE_TRACE") != "" {
		fmt.Println("TRACE", time.Since(t0), firstLine(query), strings.Join(strings.Fields(query), " ")[:min(160, len(strings.Join(strings.Fields(query), " ")))])
	}
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

// run does the work and answers the ids of the settlements it created.
func (r *settlementRun) run(ctx context.Context, p *auth.Principal) ([]string, error) {
	if r.q.postgres {
		if _, err := r.tx.SQL.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", settlementRunLock); err != nil {
			return nil, fmt.Errorf("settlement run lock: %w", err)
		}
	}
	due, err := r.dueCompanies(ctx, p)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	if err := r.stage(ctx, due); err != nil {
		return nil, err
	}
	defer func() {
		if !r.q.postgres { // PostgreSQL drops it at commit
			_, _ = r.tx.SQL.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp.settle_run")
		}
	}()
	steps := []func(context.Context) error{r.createSettlements, r.writeEntries, r.claimItems, r.total, r.dropEmpty}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return r.createdIDs(ctx)
}

// dueCompanies are the companies the principal may settle whose calendar includes
// the day and which have no settlement for it yet.
func (r *settlementRun) dueCompanies(ctx context.Context, p *auth.Principal) ([]string, error) {
	q := r.tx.Ent.Company.Query()
	if !p.IsSystem() {
		q = q.Where(company.PspID(p.PSPID))
	}
	companies, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	settled, err := r.tx.Ent.Settlement.Query().Where(settlement.DateEQ(r.date)).
		Select(settlement.FieldCompanyID).Strings(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range settled {
		done[id] = true
	}
	var due []string
	for _, c := range companies {
		if !done[c.ID] && CalendarOf(c).Includes(r.date) {
			due = append(due, c.ID)
		}
	}
	return due, nil
}

// stage writes the day's companies, each with the id its settlement will get, into
// the run's scratch table.
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
	if r.q.postgres {
		_, err := r.exec(ctx, "ANALYZE settle_run")
		return err
	}
	return nil
}

// createSettlements inserts a settlement for each staged company; one that already
// has a settlement for the day (the unique index) is left out of the run.
func (r *settlementRun) createSettlements(ctx context.Context) error {
	if _, err := r.exec(ctx, `
INSERT INTO settlements (id, created_at, updated_at, psp_id, merchant_id, company_id, date, status, currency,
  gross_minor, refunds_minor, fees_minor, net_minor, payment_reference)
SELECT r.settlement_id, ?, ?, c.psp_id, c.merchant_id, c.id, ?, 'PENDING', c.currency, 0, 0, 0, 0, r.settlement_id
FROM settle_run r JOIN companies c ON c.id = r.company_id
WHERE 1 = 1
ON CONFLICT (company_id, date) DO NOTHING`, r.now, r.now, string(r.date)); err != nil {
		return err
	}
	_, err := r.exec(ctx, `DELETE FROM settle_run WHERE NOT EXISTS (SELECT 1 FROM settlements s WHERE s.id = settle_run.settlement_id)`)
	return err
}

// entryColumns are the settlement_entries columns every entry insert writes.
const entryColumns = `id, created_at, updated_at, settlement_id, psp_id, merchant_id, company_id, kind, order_id,
  fulfilment_id, refund_id, product_type, currency, amount_minor, payable_date`

// writeEntries writes one entry per credit, refund and non-zero fee of the staged
// companies, read from the items no settlement holds yet.
func (r *settlementRun) writeEntries(ctx context.Context) error {
	src := creditSources{q: r.q, run: true}
	d, ts := string(r.date), r.q.instant()
	if _, err := r.exec(ctx, `WITH c AS (`+src.orderCredits()+`)
INSERT INTO settlement_entries (`+entryColumns+`)
SELECT 'sen_' || c.item_id, `+ts+`, `+ts+`, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, 'ORDER', c.order_id,
  NULL, NULL, c.product_type, c.currency, c.amount, c.payable FROM c
UNION ALL
SELECT 'sen_fee_' || c.item_id, `+ts+`, `+ts+`, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, 'FEE', c.order_id,
  NULL, NULL, c.product_type, c.currency, -c.fee, c.payable FROM c WHERE c.fee <> 0`,
		d, r.now, r.now, r.now, r.now); err != nil {
		return err
	}
	if _, err := r.exec(ctx, `WITH c AS (`+src.fulfilmentCredits()+`)
INSERT INTO settlement_entries (`+entryColumns+`)
SELECT 'sen_' || c.item_id, `+ts+`, `+ts+`, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, 'FULFILMENT', c.order_id,
  c.item_id, NULL, c.product_type, c.currency, c.amount, c.payable FROM c
UNION ALL
SELECT 'sen_fee_' || c.item_id, `+ts+`, `+ts+`, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, 'FEE', c.order_id,
  c.item_id, NULL, c.product_type, c.currency, -c.fee, c.payable FROM c WHERE c.fee <> 0`,
		d, r.now, r.now, r.now, r.now); err != nil {
		return err
	}
	_, err := r.exec(ctx, `WITH c AS (`+src.refundDeductions()+`)
INSERT INTO settlement_entries (`+entryColumns+`)
SELECT 'sen_' || c.item_id, `+ts+`, `+ts+`, c.settlement_id, c.psp_id, c.merchant_id, c.company_id, 'REFUND', c.order_id,
  NULL, c.item_id, c.product_type, c.currency, -c.amount, c.payable FROM c`,
		d, r.now, r.now)
	return err
}

// claimItems sets settlement_id on every item the run wrote an entry for, guarded by
// settlement_id IS NULL, and fails the run unless it claimed exactly those items.
func (r *settlementRun) claimItems(ctx context.Context) error {
	claims := []struct{ table, kind, key string }{
		{"orders", "ORDER", "order_id"},
		{"fulfilments", "FULFILMENT", "fulfilment_id"},
		{"refunds", "REFUND", "refund_id"},
	}
	for _, c := range claims {
		claimed, err := r.exec(ctx, fmt.Sprintf(`
UPDATE %[1]s SET settlement_id = e.settlement_id, updated_at = ?
FROM settlement_entries e JOIN settle_run r ON r.settlement_id = e.settlement_id
WHERE e.kind = '%[2]s' AND e.%[3]s = %[1]s.id AND %[1]s.settlement_id IS NULL`, c.table, c.kind, c.key), r.now)
		if err != nil {
			return err
		}
		var written int64
		if err := r.tx.SQL.QueryRowContext(ctx, r.q.rebind(`
SELECT COUNT(*) FROM settlement_entries e JOIN settle_run r ON r.settlement_id = e.settlement_id WHERE e.kind = ?`),
			c.kind).Scan(&written); err != nil {
			return err
		}
		if claimed != written && claimed != -1 {
			return fmt.Errorf("%w: %d %s entries, %d claimed", ErrSettlementClaim, written, strings.ToLower(c.kind), claimed)
		}
	}
	return nil
}

// total writes each settlement's totals and status from its entries.
func (r *settlementRun) total(ctx context.Context) error {
	_, err := r.exec(ctx, `
UPDATE settlements SET gross_minor = t.gross, refunds_minor = t.refunds, fees_minor = t.fees,
  net_minor = t.gross - t.refunds - t.fees,
  status = CASE WHEN t.gross - t.refunds - t.fees < 0 THEN 'MERCHANT_OWES' ELSE 'PENDING' END,
  updated_at = ?
FROM (
  SELECT e.settlement_id,
    SUM(CASE WHEN e.kind IN ('ORDER', 'FULFILMENT') THEN e.amount_minor ELSE 0 END) AS gross,
    SUM(CASE WHEN e.kind = 'REFUND' THEN -e.amount_minor ELSE 0 END) AS refunds,
    SUM(CASE WHEN e.kind = 'FEE' THEN -e.amount_minor ELSE 0 END) AS fees
  FROM settlement_entries e JOIN settle_run r ON r.settlement_id = e.settlement_id
  GROUP BY e.settlement_id
) t
WHERE settlements.id = t.settlement_id`, r.now)
	return err
}

// dropEmpty deletes the run's settlements that found nothing to settle.
func (r *settlementRun) dropEmpty(ctx context.Context) error {
	_, err := r.exec(ctx, `
DELETE FROM settlements
WHERE id IN (SELECT settlement_id FROM settle_run)
  AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.settlement_id = settlements.id)`)
	return err
}

// createdIDs are the ids of the settlements the run kept.
func (r *settlementRun) createdIDs(ctx context.Context) ([]string, error) {
	rows, err := r.tx.SQL.QueryContext(ctx, `SELECT s.id FROM settlements s JOIN settle_run r ON r.settlement_id = s.id ORDER BY s.id`)
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

// auditRun records who ran which day and what it created, once per PSP involved.
func (s *Settlements) auditRun(ctx context.Context, tx *db.Tx, p *auth.Principal, d domain.Date, created []string) error {
	rows, err := tx.Ent.Settlement.Query().Where(settlement.IDIn(created[:min(len(created), 1000)]...)).
		Select(settlement.FieldID, settlement.FieldPspID).All(ctx)
	if err != nil {
		return err
	}
	byPSP := map[string][]string{}
	for _, st := range rows {
		byPSP[st.PspID] = append(byPSP[st.PspID], st.ID)
	}
	for pspID, objects := range byPSP {
		err := tx.Ent.AuditEvent.Create().SetPspID(pspID).SetActorType(actorType(p)).SetActorID(p.ID).
			SetActorLabel(p.Label).SetAction("runSettlements").SetObjectIds(objects).
			SetInput(map[string]any{"date": string(d), "settlements": len(created)}).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// actorType is the audit trail's name for the kind of principal.
func actorType(p *auth.Principal) auditevent.ActorType {
	switch p.Kind {
	case auth.KindUser:
		return auditevent.ActorTypeUSER
	case auth.KindAPIKey:
		return auditevent.ActorTypeAPI_KEY
	}
	return auditevent.ActorTypeSYSTEM
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
