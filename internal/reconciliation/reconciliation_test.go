package reconciliation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/reconciliationreport"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/reconciliation"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// env is a PSP with confirmed orders at the four sandboxes (real HTTP), the
// fulfilment service and reconciliation on a real database.
type env struct {
	*psptest.Env
	ops   *psp.Operations
	rec   *reconciliation.Service
	staff context.Context
	today domain.Date
}

func start(t *testing.T, d *db.DB) *env {
	var ops *psp.Operations
	e := psptest.Start(t, d, psptest.Options{Register: func(w *river.Workers) { ops.Register(w) }})
	ops = psp.NewOperations(psp.OperationsConfig{DB: d, Registry: e.Sandboxes})
	ops.UseJobs(e.Jobs)
	return &env{Env: e, ops: ops, rec: reconciliation.New(reconciliation.Config{DB: d, Clients: e.Sandboxes}),
		staff: psptest.As(&auth.Principal{Kind: auth.KindUser, ID: "usr_staff", PSPID: e.PSP.ID, Role: domain.RolePSPAdmin}),
		today: domain.Today()}
}

// productOf is the product type each provider's orders are paid with here.
var productOf = map[domain.Provider]domain.ProductType{
	domain.ProviderBillie: domain.ProductInvoice, domain.ProviderPaywerk: domain.ProductInvoice,
	domain.ProviderBillwerk: domain.ProductPayNowCard, domain.ProviderBetterPayment: domain.ProductPayNowCard,
}

// busyOrder is a confirmed order with a fulfilment (the lamp and one mug) and a
// refund (RETURN of that mug), all SUCCEEDED.
func (e *env) busyOrder(t *testing.T, p domain.Provider, ref string) *ent.Order {
	return e.busyOrderOf(t, p, productOf[p], ref)
}

func (e *env) busyOrderOf(t *testing.T, p domain.Provider, pt domain.ProductType, ref string) *ent.Order {
	t.Helper()
	o := e.ConfirmedOrder(t, e.OrderInput(p, ref), pt)
	one := money.Units(1)
	as := psptest.As(e.MerchantUser)
	if _, err := e.ops.Fulfil(as, psp.FulfilInput{OrderID: o.ID, Items: []psp.FulfilRequestItem{
		{SKU: "LAMP-OAK", Quantity: &one}, {SKU: "MUG-SET", Quantity: &one}}}); err != nil {
		t.Fatalf("fulfil: %v", err)
	}
	if _, err := e.ops.Refund(as, psp.RefundInput{OrderID: o.ID, Reason: "broken", Items: []psp.RefundRequestItem{
		{SKU: "MUG-SET", RefundType: domain.RefundReturn, Quantity: &one}}}); err != nil {
		t.Fatalf("refund: %v", err)
	}
	return o
}

func (e *env) run(t *testing.T, p domain.Provider) (*ent.ReconciliationReport, []*ent.ReconciliationMismatch) {
	t.Helper()
	reps, err := e.rec.Run(e.staff, reconciliation.RunInput{Provider: &p})
	if err != nil || len(reps) != 1 {
		t.Fatalf("run %s: %v (%d reports)", p, err, len(reps))
	}
	ms, err := reconciliation.OfReport(e.staff, e.DB.Ent, reps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return reps[0], ms
}

// simulate changes the provider's side over HTTP, as a PSP admin would.
func (e *env) simulate(t *testing.T, p domain.Provider, ref, event, amount string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"providerReference": ref, "event": event, "amount": amount})
	resp, err := http.Post(e.Sandboxes.URL+"/"+p.Slug()+"/_sandbox/simulate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("simulate %s %s: %d %s", p, event, resp.StatusCode, b.String())
	}
}

// kindsOn groups the differences on one order by kind.
func kindsOn(ms []*ent.ReconciliationMismatch, orderID string) map[domain.MismatchKind][]*ent.ReconciliationMismatch {
	out := map[domain.MismatchKind][]*ent.ReconciliationMismatch{}
	for _, m := range ms {
		if m.OrderID != nil && *m.OrderID == orderID {
			out[m.Kind] = append(out[m.Kind], m)
		}
	}
	return out
}

func describe(ms []*ent.ReconciliationMismatch) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(string(m.Kind) + ": " + m.Detail + "\n")
	}
	return b.String()
}

// onOrder asserts that the report holds a difference of kind on order o, and that
// every difference is on o.
func onOrder(t *testing.T, ms []*ent.ReconciliationMismatch, o *ent.Order, kind domain.MismatchKind) *ent.ReconciliationMismatch {
	t.Helper()
	var found *ent.ReconciliationMismatch
	for _, m := range ms {
		if m.OrderID == nil || *m.OrderID != o.ID {
			t.Errorf("a difference on another order: %s %s", m.Kind, m.Detail)
		}
		if m.Kind == kind && found == nil {
			found = m
		}
	}
	if found == nil {
		t.Fatalf("no %s on %s; found:\n%s", kind, o.ID, describe(ms))
	}
	return found
}

// TestReconcileEachProvider: per provider, against its sandbox over HTTP — a clean
// day is MATCHED; money moved at the provider behind our back (simulate) is found
// on the right order with the right kind; a rerun (also two at once) replaces the
// report's content and keeps a resolution; an order the provider does not know, and one whose quantities or
// status we recorded differently, are each reported.
func TestReconcileEachProvider(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := start(t, d)
		// What a refund made at the provider behind our back is reported as: an
		// operation of its own where the provider names its operations (Billie's
		// credit notes, Billwerk+'s refund listing), a difference of totals otherwise.
		simulatedRefund := map[domain.Provider]domain.MismatchKind{
			domain.ProviderBillie: domain.MismatchMissingHere, domain.ProviderBillwerk: domain.MismatchMissingHere,
			domain.ProviderPaywerk: domain.MismatchAmount, domain.ProviderBetterPayment: domain.MismatchAmount,
		}
		for _, p := range []domain.Provider{domain.ProviderBillie, domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBetterPayment} {
			t.Run(string(p), func(t *testing.T) {
				o := e.busyOrder(t, p, "REC-"+string(p))
				rep, ms := e.run(t, p)
				if rep.Status != domain.ReconciliationMatched || len(ms) != 0 {
					t.Fatalf("a clean day is %s with:\n%s", rep.Status, describe(ms))
				}
				if rep.OperationsChecked < 3 {
					t.Errorf("operationsChecked = %d, want at least the order, its fulfilment and refund", rep.OperationsChecked)
				}

				e.simulate(t, p, o.ProviderReference, "refund", "5.00")
				rep2, ms := e.run(t, p)
				if rep2.Status != domain.ReconciliationMismatched {
					t.Fatalf("after a refund at the provider the day is %s", rep2.Status)
				}
				m := onOrder(t, ms, o, simulatedRefund[p])
				// 5.00, or the provider's refund total that much above ours (Paywerk
				// refunds the quantity 5.00 buys: 4.95).
				ours := int64(0)
				if m.OursMinor != nil {
					ours = *m.OursMinor
				}
				if m.TheirsMinor == nil || *m.TheirsMinor-ours <= 400 || *m.TheirsMinor-ours > 500 {
					t.Errorf("ours %v, theirs %v: want the provider 5.00 above us", m.OursMinor, m.TheirsMinor)
				}

				// Resolve, rerun: one report for the day, the same difference, still resolved.
				if _, err := e.rec.Resolve(e.staff, reconciliation.ResolveInput{MismatchID: m.ID, Note: "credited by hand"}); err != nil {
					t.Fatal(err)
				}
				rep3, ms3 := e.run(t, p)
				n, err := d.Ent.ReconciliationReport.Query().Where(reconciliationreport.ProviderEQ(p), reconciliationreport.Date(e.today)).Count(e.staff)
				if err != nil || n != 1 {
					t.Fatalf("reports of the day after a rerun: %d (%v), want 1", n, err)
				}
				if rep3.ID != rep2.ID || len(ms3) != len(ms) {
					t.Errorf("rerun: report %s → %s, %d → %d differences", rep2.ID, rep3.ID, len(ms), len(ms3))
				}
				again := onOrder(t, ms3, o, simulatedRefund[p])
				if again.ResolvedAt == nil || again.ResolutionNote == nil || *again.ResolutionNote != "credited by hand" {
					t.Errorf("the resolution did not carry over to the rerun: %+v", again)
				}

				// Two runs of the day at once leave one report with each difference once.
				var wg sync.WaitGroup
				for range 2 {
					wg.Go(func() {
						if _, err := e.rec.Run(e.staff, reconciliation.RunInput{Provider: &p}); err != nil {
							t.Errorf("concurrent run: %v", err)
						}
					})
				}
				wg.Wait()
				rep4, ms4 := e.run(t, p)
				if rep4.ID != rep2.ID || len(ms4) != len(ms) {
					t.Errorf("after concurrent runs: report %s, %d differences; want %s, %d:\n%s", rep4.ID, len(ms4), rep2.ID, len(ms), describe(ms4))
				}
			})
		}

		t.Run("crafted records", func(t *testing.T) {
			sys := auth.System(context.Background())
			for _, p := range []domain.Provider{domain.ProviderBillie, domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBetterPayment} {
				gone := e.busyOrder(t, p, "GONE-"+string(p))
				if err := d.Ent.Order.UpdateOne(gone).SetProviderReference("never-sent-" + string(p)).Exec(sys); err != nil {
					t.Fatal(err)
				}
				wrongStatus := e.busyOrder(t, p, "STATUS-"+string(p))
				if err := d.Ent.Order.UpdateOneID(wrongStatus.ID).SetStatus("CANCELLED").Exec(sys); err != nil {
					t.Fatal(err)
				}
				_, ms := e.run(t, p)
				if got := kindsOn(ms, gone.ID); len(got) != 1 || len(got[domain.MismatchMissingAtProvider]) != 1 {
					t.Errorf("%s: want MISSING_AT_PROVIDER alone on an order the provider does not know: %s", p, describe(ms))
				}
				if got := kindsOn(ms, wrongStatus.ID); len(got) != 1 || len(got[domain.MismatchStatus]) != 1 {
					t.Errorf("%s: want STATUS_MISMATCH alone on an order cancelled here, confirmed there: %s", p, describe(ms))
				}
			}
		})

		t.Run("Paywerk card, paid at authorisation", func(t *testing.T) {
			o := e.busyOrderOf(t, domain.ProviderPaywerk, domain.ProductPayNowCard, "CARD-PAYWERK")
			_, ms := e.run(t, domain.ProviderPaywerk)
			if got := kindsOn(ms, o.ID); len(got) != 0 {
				t.Errorf("a clean card order has differences: %v\n%s", got, describe(ms))
			}
		})

		t.Run("quantities", func(t *testing.T) {
			// Billie and Paywerk keep per-line quantities: a quantity recorded
			// differently is found even when the amounts agree.
			sys := auth.System(context.Background())
			for _, p := range []domain.Provider{domain.ProviderBillie, domain.ProviderPaywerk} {
				o := e.busyOrder(t, p, "QTY-"+string(p))
				if _, err := d.Ent.OrderItem.Update().Where(orderitem.OrderID(o.ID), orderitem.Sku("LAMP-OAK")).
					SetFulfilledQuantity(money.Units(0)).Save(sys); err != nil {
					t.Fatal(err)
				}
				_, ms := e.run(t, p)
				q := kindsOn(ms, o.ID)
				if len(q) != 1 || len(q[domain.MismatchQuantity]) != 1 || !strings.Contains(q[domain.MismatchQuantity][0].Detail, "LAMP-OAK") {
					t.Errorf("%s: want one QUANTITY_MISMATCH on LAMP-OAK of %s, got:\n%s", p, o.ID, describe(ms))
				}
			}
		})
	})
}

// TestOnlyStaffReconcile: merchants are refused, and see no report.
func TestOnlyStaffReconcile(t *testing.T) {
	d := testdb.SQLite(t)
	e := start(t, d)
	if _, err := e.rec.Run(psptest.As(e.MerchantUser), reconciliation.RunInput{}); err == nil {
		t.Fatal("a merchant ran a reconciliation")
	}
	future := e.today.AddDays(1)
	if _, err := e.rec.Run(e.staff, reconciliation.RunInput{Date: &future}); err == nil {
		t.Fatal("a day in the future was reconciled")
	}
	if _, err := e.rec.Run(e.staff, reconciliation.RunInput{}); err != nil {
		t.Fatal(err)
	}
	n, err := d.Ent.ReconciliationReport.Query().Count(psptest.As(e.MerchantUser))
	if err != nil || n != 0 {
		t.Fatalf("a merchant sees %d reports (%v)", n, err)
	}
	if n, _ := d.Ent.ReconciliationReport.Query().Count(e.staff); n != 4 {
		t.Fatalf("staff see %d reports, want one per provider", n)
	}
}

// TestProviderWithoutAccount: a PSP with no account at a provider has nothing to
// reconcile there — skipped in a run of every provider, refused when named.
func TestProviderWithoutAccount(t *testing.T) {
	d := testdb.SQLite(t)
	e := start(t, d)
	box, err := secrets.NewBox(psptest.Secret)
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Ent.ProviderAccount.Query().Count(auth.System(context.Background()))
	if err != nil || n != 0 {
		t.Fatalf("the test PSP has %d stored provider accounts (%v), want none", n, err)
	}
	rec := reconciliation.New(reconciliation.Config{DB: d, Clients: registry.New(d.Ent, box, false)})
	reps, err := rec.Run(e.staff, reconciliation.RunInput{})
	if err != nil || len(reps) != 0 {
		t.Fatalf("every provider without accounts: %d reports, %v; want none and no error", len(reps), err)
	}
	p := domain.ProviderBillie
	_, err = rec.Run(e.staff, reconciliation.RunInput{Provider: &p})
	if !errors.Is(err, reconciliation.ErrNoAccount) {
		t.Fatalf("a named provider without an account: %v, want ErrNoAccount", err)
	}
}
