package settlement_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestUnsettledTotalsFollowTheParts (docs/settlement.md "Unsettled totals"): after
// every step of random sequences — orders paid now and later, parts succeeded,
// failed or pending with payout days in any order, refunds, fee plan changes and
// settlement runs between them — the unsettled totals the overview reads equal a
// recomputation from the parts.
func TestUnsettledTotalsFollowTheParts(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		r := rand.New(rand.NewPCG(7, 17))
		w := newLedgerTenant(t, d)
		cos := []*ent.Company{w.company(ledgerCompany{fees: ledgerFees}), w.company(ledgerCompany{fees: ledgerFees})}
		onb := &merchants.Onboarding{Client: d.Ent}
		statuses := []domain.OperationStatus{ledgerOK, ledgerOK, ledgerOK, domain.OperationFailed, domain.OperationPending}
		day := func() string { return fmt.Sprintf("2026-03-%02d", 5+r.IntN(20)) }
		check := func(step string) {
			t.Helper()
			if err := w.svc.CheckUnsettled(w.sys); err != nil {
				t.Fatalf("after %s: %v", step, err)
			}
		}
		var orders []*ent.Order
		for i := range 60 {
			co := cos[r.IntN(len(cos))]
			switch n := r.IntN(10); {
			case n < 3 || len(orders) == 0:
				if r.IntN(2) == 0 {
					orders = append(orders, w.payNow(co, int64(1+r.IntN(50_000)), day()))
				} else {
					orders = append(orders, w.order(co, []domain.ProductType{domain.ProductInvoice, domain.ProductSlice}[r.IntN(2)],
						int64(1_000+r.IntN(50_000)), ""))
				}
			case n < 7:
				o := orders[r.IntN(len(orders))]
				w.part(o, int64(1+r.IntN(5_000)), day(), statuses[r.IntN(len(statuses))])
			case n < 8:
				o := orders[r.IntN(len(orders))]
				w.refund(o, int64(r.IntN(3_000)), int64(r.IntN(2)*r.IntN(3_000)), day(), statuses[r.IntN(3)])
			case n < 9:
				fees := []merchants.Fee{{ProductType: domain.ProductInvoice, PercentBps: r.IntN(500), Fixed: "0.25"}}
				_, err := onb.UpdateCompany(w.staff(), merchants.CompanyChanges{CompanyID: co.ID, Fees: &fees})
				ledgerMust(t, err)
			default:
				w.run(fmt.Sprintf("2026-03-%02d", 5+r.IntN(16))) // up to today, 20 March

			}
			check(fmt.Sprintf("step %d", i))
		}
		for d := 5; d <= 20; d++ {
			w.run(fmt.Sprintf("2026-03-%02d", d))
			check("the run of 2026-03-" + fmt.Sprint(d))
		}
	})
}

// TestUnsettledTotalsUnderConcurrency: on PostgreSQL, eight writers record parts and
// refunds of their own orders of one company while settlement runs go on beside
// them; afterwards the totals equal a recomputation from the parts.
func TestUnsettledTotalsUnderConcurrency(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	w := newLedgerTenant(t, d)
	co := w.company(ledgerCompany{fees: ledgerFees})
	const writers = 8
	orders := make([][]*ent.Order, writers)
	for i := range writers {
		for range 3 {
			orders[i] = append(orders[i], w.order(co, domain.ProductInvoice, 900_00, ""))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	stop := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 3))
			for step := range 24 {
				o := orders[i][r.IntN(len(orders[i]))]
				// Payout days rise over time, as the operations record them.
				payout := fmt.Sprintf("2026-03-%02d", 5+step/2+r.IntN(2))
				if _, err := w.tryPart(o, int64(1+r.IntN(5_000)), payout, ledgerOK); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	go func() {
		defer close(errs)
		for d := 5; ; d++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := w.svc.Run(w.staff(), ledgerDay(fmt.Sprintf("2026-03-%02d", min(d, 20)))); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	for err := range errs {
		t.Fatal(err)
	}
	if err := w.svc.CheckUnsettled(w.sys); err != nil {
		t.Fatal(err)
	}
	w.run("2026-03-20")
	if err := w.svc.CheckUnsettled(w.sys); err != nil {
		t.Fatalf("after the last run: %v", err)
	}
}
