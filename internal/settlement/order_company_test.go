package settlement_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestFulfilmentsAndRefundsCarryTheirOrdersCompany: the overview finds a company's
// unsettled fulfilments and refunds by their own company_id, so every create gets
// the order's company, also when the caller does not set it (the schema's hook), in
// a transaction too; a caller that sets it costs no query for it.
func TestFulfilmentsAndRefundsCarryTheirOrdersCompany(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		w.company(ledgerCompany{}) // another company of the merchant, so a wrong pick shows
		co := w.company(ledgerCompany{})
		inv := w.order(co, domain.ProductInvoice, 300_00, "")

		f := w.part(inv, 100_00, "2026-03-24", ledgerOK)
		r := w.refund(inv, 30_00, 0, "2026-03-19", ledgerOK)
		if f.CompanyID != co.ID || r.CompanyID != co.ID {
			t.Errorf("fulfilment of %q, refund of %q; want the order's company %q", f.CompanyID, r.CompanyID, co.ID)
		}
		err := w.d.InTx(w.sys, func(ctx context.Context, tx *db.Tx) error {
			f, err := tx.Ent.Fulfilment.Create().SetOrderID(inv.ID).SetStatus(ledgerOK).SetAmountMinor(1_00).Save(ctx)
			if err != nil {
				return err
			}
			r, err := tx.Ent.Refund.Create().SetOrderID(inv.ID).SetStatus(ledgerOK).SetAmountMinor(1_00).Save(ctx)
			if err != nil {
				return err
			}
			if f.CompanyID != co.ID || r.CompanyID != co.ID {
				return fmt.Errorf("in a transaction: fulfilment of %q, refund of %q; want %q", f.CompanyID, r.CompanyID, co.ID)
			}
			return nil
		})
		ledgerMust(t, err)
		// Stored, not only answered.
		if f, err := w.d.Ent.Fulfilment.Get(w.sys, f.ID); err != nil || f.CompanyID != co.ID {
			t.Errorf("stored fulfilment: %v, %v; want company %q", f, err, co.ID)
		}
		if r, err := w.d.Ent.Refund.Get(w.sys, r.ID); err != nil || r.CompanyID != co.ID {
			t.Errorf("stored refund: %v, %v; want company %q", r, err, co.ID)
		}

		var statements atomic.Int64
		counted := ent.NewClient(ent.Driver(dialect.DebugWithContext(entsql.OpenDB(w.d.Dialect, w.d.SQL),
			func(context.Context, ...any) { statements.Add(1) })))
		sys := auth.System(context.Background())
		for _, tt := range []struct {
			name   string
			create func() error
			want   int64
		}{
			{"a fulfilment with its company", func() error {
				return counted.Fulfilment.Create().SetOrderID(inv.ID).SetCompanyID(co.ID).SetStatus(ledgerOK).Exec(sys)
			}, 1},
			{"a refund with its company", func() error {
				return counted.Refund.Create().SetOrderID(inv.ID).SetCompanyID(co.ID).SetStatus(ledgerOK).Exec(sys)
			}, 1},
			{"a fulfilment without", func() error {
				return counted.Fulfilment.Create().SetOrderID(inv.ID).SetStatus(ledgerOK).Exec(sys)
			}, 2},
		} {
			statements.Store(0)
			ledgerMust(t, tt.create())
			if got := statements.Load(); got != tt.want {
				t.Errorf("%s sent %d statements, want %d", tt.name, got, tt.want)
			}
		}
	})
}

// TestMigrateBackfillsOrderCompany: rows written before fulfilments and refunds
// carried their order's company are invisible to the overview (its unsettled totals
// recomputed from the parts) until db.Migrate fills the column from their orders;
// Migrate stays safe to run again.
func TestMigrateBackfillsOrderCompany(t *testing.T) {
	t.Parallel()
	eachLedger(t, func(t *testing.T, w *ledgerTenant) {
		co := w.company(ledgerCompany{})
		other := w.company(ledgerCompany{})
		inv := w.order(co, domain.ProductInvoice, 300_00, "")
		w.part(inv, 100_00, "2026-03-24", ledgerOK)
		w.refund(inv, 30_00, 0, "2026-03-19", ledgerOK)
		w.part(w.order(other, domain.ProductSlice, 80_00, ""), 80_00, "2026-03-25", ledgerOK)
		upcoming := func() string {
			t.Helper()
			ledgerMust(t, w.svc.RebuildUnsettled(w.sys))
			ov, err := w.svc.Overview(w.staff(), co.ID, ledgerDay("2026-03-01"), ledgerDay("2026-03-31"))
			ledgerMust(t, err)
			var out string
			for _, u := range ov.Upcoming {
				out += fmt.Sprintf("%s %d items %s; ", u.Date, u.Items, ledgerText(u.SettlementTotals))
			}
			return out + "available " + ov.AvailableBalance.Amount() + " pending " + ov.PendingBalance.Amount()
		}
		want := upcoming()

		for _, table := range []string{"fulfilments", "refunds"} {
			_, err := w.d.SQL.ExecContext(w.sys, `UPDATE `+table+` SET company_id = NULL`)
			ledgerMust(t, err)
		}
		if got := upcoming(); got == want {
			t.Fatalf("rows without company_id still projected (%s): the test proves nothing", got)
		}
		for range 2 {
			ledgerMust(t, w.d.Migrate(w.sys))
		}
		for _, table := range []string{"fulfilments", "refunds"} {
			var wrong int
			ledgerMust(t, w.d.SQL.QueryRowContext(w.sys, `SELECT COUNT(*) FROM `+table+` x JOIN orders o ON o.id = x.order_id
WHERE x.company_id IS NULL OR x.company_id <> o.company_id`).Scan(&wrong))
			if wrong != 0 {
				t.Errorf("%s: %d rows without their order's company after Migrate", table, wrong)
			}
		}
		if got := upcoming(); got != want {
			t.Errorf("after the backfill the overview projects\n%s\nwant\n%s", got, want)
		}
	})
}
