// Package bulkseed builds a large, realistic data set for performance work
// (`backoffice seed --orders N`): one PSP with a few hundred merchants, their
// companies, shops and users, and N orders over the last months with their items,
// fulfilments, refunds and settlements.
//
// The decision a reader would otherwise rediscover: orders and everything under them
// are written in bulk (COPY on PostgreSQL, multi-row INSERTs on SQLite), not through
// ent row by row, which would take hours for a million orders. What the rows say is
// still decided by the product's own rules: carts and totals through internal/money,
// fulfilment and refund lines through psp.PlanFulfilment / psp.PlanRefund (the same
// functions the services use), and settlements by running the real settlement service
// (settlement.Settlements.Run) day by day over the generated history. The tenant structure
// (a few hundred rows) goes through ent. The column lists are checked against
// ent/migrate/schema.go before anything is written, so a schema change fails the seed
// at once with the column to add here.
//
// Order ids carry their created_at in the ULID (ids.At) and rows are written in time
// order, as a live system writes them, so index order and physical order correlate the
// way they would in production.
package bulkseed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/seed"
)

// Options shape a data set.
type Options struct {
	Orders int
	// Append adds to a database that is not empty: to the bench PSP of an earlier
	// seed when there is one, else beside whatever is there.
	Append bool
	// Days of history the orders spread over, ending now (default 180).
	Days int
	// Merchants of a new bench PSP (default: one per 5,000 orders, 3 to 400).
	Merchants int
	// SettleLagDays: settlement runs cover every day up to today minus this many
	// (the command's default is 3), leaving the last days for a benchmark's own daily
	// runs; 0 settles through today, negative settles nothing.
	SettleLagDays int
	// SettleDays is how many days before the lag get a settlement run each (default
	// 28); everything older is settled by one catch-up run on the day before them, as
	// when a PSP starts settling a book it took over. Daily runs over a whole history
	// would cost minutes per month of data at a million orders.
	SettleDays int
	// Seed makes the random choices repeatable (default 1).
	Seed uint64
	// Now anchors the history (default time.Now()).
	Now time.Time
	// Progress receives progress bars and phase lines (stderr); nil is silent.
	Progress io.Writer
}

// Result counts what was written.
type Result struct {
	PSPID                                  string
	Merchants                              int
	Orders, Items, Fulfilments, Refunds    int64
	FulfilmentLines, RefundLines           int64
	SettlementDays, Settlements            int
	Took, OrdersTook, SettleTook, StatTook time.Duration
}

// ErrNotEmpty: the database has data and Append was not asked for.
var ErrNotEmpty = errors.New("the database is not empty: pass --append to add the bench data set to it")

const batchOrders = 2000

// Run writes the data set.
func Run(ctx context.Context, d *db.DB, opt Options) (*Result, error) {
	start := time.Now()
	if opt.Orders <= 0 {
		return nil, fmt.Errorf("bulkseed: --orders must be positive")
	}
	if opt.Days <= 0 {
		opt.Days = 180
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if err := checkSchema(bulkTables); err != nil {
		return nil, err
	}
	if err := checkEnums(); err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	empty, err := seed.IsEmpty(sys, d.Ent)
	if err != nil {
		return nil, err
	}
	if !empty && !opt.Append {
		return nil, ErrNotEmpty
	}
	since := opt.Now.AddDate(0, 0, -opt.Days)
	// Order references are <tag>-<n>, the tag new for every run so appends never collide.
	tag := "B" + strings.ToUpper(strconv.FormatUint(rand.Uint64N(36*36*36*36*36), 36))
	var st *structure
	if opt.Append {
		if st, err = findStructure(sys, d.Ent); err != nil {
			return nil, err
		}
	}
	if st == nil {
		m := opt.Merchants
		if m <= 0 {
			m = merchantsFor(opt.Orders)
		}
		logf(opt.Progress, "structure: 1 PSP, %d merchants with their companies, shops and users", m)
		if st, err = createStructure(sys, d.Ent, m, since.AddDate(0, 0, -30), tag); err != nil {
			return nil, err
		}
	}
	res := &Result{PSPID: st.pspID, Merchants: len(st.merchants)}

	t0 := time.Now()
	g := &generator{rng: rand.New(rand.NewPCG(opt.Seed, uint64(opt.Orders))), st: st, tag: tag, now: opt.Now,
		start: since, span: opt.Now.Sub(since), n: opt.Orders}
	if err := writeOrders(ctx, d, g, opt, res); err != nil {
		return nil, err
	}
	res.OrdersTook = time.Since(t0)

	t1 := time.Now()
	if err := analyze(ctx, d); err != nil {
		return nil, err
	}
	// The rows went in as bulk SQL, past the operations: the overview's unsettled
	// totals are recomputed from them (docs/settlement.md "Unsettled totals").
	if err := settlement.NewSettlements(d).RebuildUnsettled(sys); err != nil {
		return nil, err
	}
	res.StatTook = time.Since(t1)

	if opt.SettleLagDays >= 0 {
		t2 := time.Now()
		if opt.SettleDays <= 0 {
			opt.SettleDays = 28
		}
		to := domain.DateOf(opt.Now).AddDays(-opt.SettleLagDays)
		from := to.AddDays(-opt.SettleDays)
		if first := domain.DateOf(since); from.Before(first) {
			from = first
		}
		if err := settle(ctx, d, from, to, opt.Progress, res); err != nil {
			return nil, err
		}
		if err := analyze(ctx, d); err != nil {
			return nil, err
		}
		res.SettleTook = time.Since(t2)
	}
	res.Took = time.Since(start)
	return res, nil
}

// checkEnums refuses statuses the schema no longer lists.
func checkEnums() error {
	for _, c := range []struct {
		t      table
		col    string
		values []string
	}{
		{ordersTable, "status", []string{"PENDING", "CONFIRMED", "FAILED", "CANCELLED"}},
		{ordersTable, "fulfilment_status", []string{"UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"}},
		{fulfilmentsTable, "status", []string{string(domain.OperationSucceeded), string(domain.OperationFailed)}},
		{refundsTable, "status", []string{string(domain.OperationSucceeded), string(domain.OperationFailed)}},
		{refundLinesTable, "refund_type", []string{string(domain.RefundReturn), string(domain.RefundCancel)}},
	} {
		if err := checkEnum(c.t, c.col, c.values...); err != nil {
			return err
		}
	}
	return nil
}

// writeOrders generates batches in one goroutine while writers copy earlier ones,
// each writer in its own transactions, committed every commitOrders orders, so a
// long load is a few dozen transactions. Batches do not refer to each other, so on
// PostgreSQL two writers load two batches at once (one COPY runs on one server
// core); SQLite has one writer.
func writeOrders(ctx context.Context, d *db.DB, g *generator, opt Options, res *Result) error {
	const commitOrders = 50000
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 4)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		for from := 0; from < opt.Orders; from += batchOrders {
			b := &batch{}
			for i := from; i < min(from+batchOrders, opt.Orders); i++ {
				if err := g.order(i, b); err != nil {
					genErr <- err
					return
				}
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
		genErr <- nil
	}()

	writers := 1
	if d.IsPostgres() {
		writers = 2
	}
	bar := newProgress(opt.Progress, "orders", "orders", int64(opt.Orders))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := writeBatches(ctx, d, batches, commitOrders, func(b *batch) {
				mu.Lock()
				defer mu.Unlock()
				res.Orders += int64(len(b.orders))
				res.Items += int64(len(b.items))
				res.Fulfilments += int64(len(b.fulfilments))
				res.FulfilmentLines += int64(len(b.fulfilmentLines))
				res.Refunds += int64(len(b.refunds))
				res.RefundLines += int64(len(b.refundLines))
				bar.add(int64(len(b.orders)))
			}); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := <-genErr; err != nil {
		return err
	}
	bar.finish()
	return nil
}

// writeBatches is one writer: it copies batches until there are none, committing
// every commitOrders orders and at the end.
func writeBatches(ctx context.Context, d *db.DB, batches <-chan *batch, commitOrders int, done func(*batch)) error {
	s := newSink(ctx, d)
	defer s.rollback()
	sinceCommit := 0
	for b := range batches {
		if s.tx == nil {
			if err := s.begin(ctx); err != nil {
				return err
			}
		}
		for _, t := range bulkTables {
			if err := s.write(ctx, t, b.rows(t)); err != nil {
				return err
			}
		}
		done(b)
		if sinceCommit += len(b.orders); sinceCommit >= commitOrders {
			if err := s.commit(); err != nil {
				return err
			}
			sinceCommit = 0
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.commit()
}

// analyze refreshes the planner's statistics (and, on PostgreSQL, the visibility map
// that index-only scans use) after a bulk load, as autovacuum would some time later.
func analyze(ctx context.Context, d *db.DB) error {
	if !d.IsPostgres() {
		_, err := d.SQL.ExecContext(ctx, "ANALYZE")
		return err
	}
	for _, t := range []string{"orders", "order_items", "fulfilments", "fulfilment_lines", "refunds", "refund_lines",
		"settlements", "settlement_entries", "companies", "merchants", "shops"} {
		if _, err := d.SQL.ExecContext(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return fmt.Errorf("bulkseed: vacuum %s: %w", t, err)
		}
	}
	return nil
}

// settle runs the real settlement service for every day from..to, each as if run on
// that day, so the data set has the settlements its companies' calendars would have
// produced; the run of from also settles everything older.
func settle(ctx context.Context, d *db.DB, from, to domain.Date, w io.Writer, res *Result) error {
	if to.Before(from) {
		return nil
	}
	days := 0
	for day := from; !day.After(to); day = day.AddDays(1) {
		days++
	}
	bar := newProgress(w, "settlements", "days", int64(days))
	svc := settlement.NewSettlements(d)
	sys := auth.System(ctx)
	for day := from; !day.After(to); day = day.AddDays(1) {
		at := day.Time().Add(30 * time.Minute)
		svc.Now = func() time.Time { return at }
		r, err := svc.Run(sys, day)
		if err != nil {
			return fmt.Errorf("bulkseed: settle %s: %w", day, err)
		}
		res.SettlementDays++
		res.Settlements += len(r.Settlements)
		bar.add(1)
	}
	bar.finish()
	return nil
}
