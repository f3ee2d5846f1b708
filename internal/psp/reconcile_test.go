package psp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

func (e *opsEnv) fault(p domain.Provider, op string, kind sandboxkit.FaultKind) {
	e.t.Helper()
	if _, err := e.sb.Faults[p].Add(sandboxkit.Fault{Operation: op, Kind: kind}); err != nil {
		e.t.Fatal(err)
	}
}

// TestProviderFaults: an open answer (5xx, timeout) leaves the operation PENDING with
// its quantities reserved and the order's totals unmoved, until the reconcile job
// sends it again; a refusal (409) fails it and gives the quantities back.
func TestProviderFaults(t *testing.T) {
	eachOpsEnv(t, envOptions{clientTimeout: 400 * time.Millisecond}, func(t *testing.T, e *opsEnv) {
		for _, tt := range []struct {
			prov   domain.Provider
			op     string
			kind   sandboxkit.FaultKind
			refund bool
			want   domain.OperationStatus
		}{
			{domain.ProviderPaywerk, sandboxkit.OpCapture, sandboxkit.FaultStatus5xx, false, domain.OperationPending},
			{domain.ProviderPaywerk, sandboxkit.OpCapture, sandboxkit.FaultTimeout, false, domain.OperationPending},
			{domain.ProviderPaywerk, sandboxkit.OpCapture, sandboxkit.FaultConflict, false, domain.OperationFailed},
			{domain.ProviderPaywerk, sandboxkit.OpRefund, sandboxkit.FaultStatus5xx, true, domain.OperationPending},
			{domain.ProviderPaywerk, sandboxkit.OpRefund, sandboxkit.FaultConflict, true, domain.OperationFailed},
			{domain.ProviderBillie, sandboxkit.OpCapture, sandboxkit.FaultStatus5xx, false, domain.OperationPending},
			{domain.ProviderBillie, sandboxkit.OpRefund, sandboxkit.FaultTimeout, true, domain.OperationPending},
			{domain.ProviderBillwerk, sandboxkit.OpCapture, sandboxkit.FaultConflict, false, domain.OperationFailed},
		} {
			t.Run(string(tt.prov)+" "+tt.op+" "+string(tt.kind), func(t *testing.T) {
				t.Cleanup(e.sb.Faults[tt.prov].Clear)
				ord := e.confirmedOrder(tt.prov, productTypeOf(tt.prov), testLine{sku: "A", quantity: "3", unit: "50.00"})
				if tt.refund {
					if _, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("2")}}}); err != nil {
						t.Fatal(err)
					}
				}
				e.fault(tt.prov, tt.op, tt.kind)
				var (
					status domain.OperationStatus
					id     string
					err    error
					kind   = opFulfilment
				)
				if tt.refund {
					kind = opRefund
					var r *RefundResult
					r, err = e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}}})
					if r != nil {
						status, id = r.Refund.Status, r.Refund.ID
					}
				} else {
					var f *FulfilResult
					f, err = e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}}})
					if f != nil {
						status, id = f.Fulfilment.Status, f.Fulfilment.ID
					}
				}
				if status != tt.want {
					t.Fatalf("status %s (%v), want %s", status, err, tt.want)
				}
				s := e.checkInvariants(ord.ID)
				it := s.items["A"]
				switch tt.want {
				case domain.OperationPending:
					if err != nil {
						t.Fatalf("a pending operation answered %v", err)
					}
					// Reserved: nobody else can take it meanwhile, but no money moved.
					if tt.refund && it.ReturnedQuantity != mustQ("1") || !tt.refund && it.FulfilledQuantity != mustQ("1") {
						t.Fatalf("the pending operation reserved nothing: %+v", it)
					}
					e.sb.Faults[tt.prov].Clear()
					// The job comes ReconcileAfter later, when a call without an
					// answer can no longer be under way.
					op, err := e.ops.loadOperation(e.sys(), kind, id)
					if err != nil {
						t.Fatal(err)
					}
					e.ageStamps(op)
					if err := e.ops.Reconcile(context.Background(), kind, id); err != nil {
						t.Fatalf("reconcile: %v", err)
					}
					s = e.checkInvariants(ord.ID)
					if tt.refund && s.refunds[0].Status != domain.OperationSucceeded || !tt.refund && s.fulfilments[len(s.fulfilments)-1].Status != domain.OperationSucceeded {
						t.Fatalf("the reconcile job did not finish the operation")
					}
				case domain.OperationFailed:
					if !errors.Is(err, ErrProviderRefused) {
						t.Fatalf("a failed operation answered %v, want PROVIDER_ERROR", err)
					}
					if tt.refund && it.ReturnedQuantity != 0 || !tt.refund && it.FulfilledQuantity != 0 {
						t.Fatalf("the failed operation's quantities were not given back: %+v", it)
					}
					// Reconciling a decided operation does nothing.
					if err := e.ops.Reconcile(context.Background(), kind, id); err != nil {
						t.Fatal(err)
					}
					e.checkInvariants(ord.ID)
				}
				e.checkProviderAgrees(ord.ID)
			})
		}
	})
}

// TestCrashBetweenSteps: the process dies after reserving (nothing sent) or after
// the provider acted (nothing recorded). The reconcile job finishes the operation,
// and the provider acts once: providers with idempotency keys answer the repeated
// key from their records; Paywerk, which has none, is asked for its status first.
func TestCrashBetweenSteps(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		for _, prov := range []domain.Provider{domain.ProviderPaywerk, domain.ProviderBillie, domain.ProviderBillwerk, domain.ProviderBetterPayment} {
			for _, providerActed := range []bool{false, true} {
				name := prov.Slug() + " before the provider call"
				if providerActed {
					name = prov.Slug() + " after the provider acted"
				}
				t.Run(name, func(t *testing.T) {
					ord := e.confirmedOrder(prov, productTypeOf(prov),
						testLine{sku: "A", quantity: "2", unit: "60.00"}, testLine{sku: "B", quantity: "1", unit: "45.50"})
					crash := func(kind opKind, reserve func(ctx context.Context, tx *db.Tx) (*operation, error)) {
						t.Helper()
						var ref *operation
						err := e.d.InTx(e.as, func(ctx context.Context, tx *db.Tx) (err error) {
							ref, err = reserve(ctx, tx)
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						if providerActed {
							op, err := e.ops.loadOperation(e.sys(), kind, ref.id)
							if err != nil {
								t.Fatal(err)
							}
							e.sendUnrecorded(op)
						}
						e.checkInvariants(ord.ID)
						for range 2 { // the second run finds nothing to do
							if err := e.ops.Reconcile(context.Background(), kind, ref.id); err != nil {
								t.Fatalf("reconcile: %v", err)
							}
						}
						e.checkInvariants(ord.ID)
						e.checkProviderAgrees(ord.ID)
					}
					crash(opFulfilment, func(ctx context.Context, tx *db.Tx) (*operation, error) {
						return e.ops.reserveFulfilment(ctx, tx, "fulfilOrder", ord.ID, func(c string, items []ItemState) (Plan, error) {
							return PlanFulfilment(c, items, []FulfilRequestItem{{SKU: "A", Quantity: qty("1")}, {SKU: "B"}})
						})
					})
					crash(opRefund, func(ctx context.Context, tx *db.Tx) (*operation, error) {
						return e.ops.reserveRefund(ctx, tx, "refundOrder", ord.ID, "crash test", func(c string, items []ItemState) (Plan, error) {
							return PlanRefund(c, items, []RefundRequestItem{{SKU: "A", RefundType: domain.RefundAuto}, {SKU: "B", RefundType: domain.RefundReturn}})
						})
					})
					s := e.checkInvariants(ord.ID)
					for _, f := range s.fulfilments {
						wantStatus(t, "fulfilment", f.Status, domain.OperationSucceeded, f.FailureReason)
					}
					for _, r := range s.refunds {
						wantStatus(t, "refund", r.Status, domain.OperationSucceeded, r.FailureReason)
					}
					if s.order.AmountMinor != 0 {
						t.Fatalf("after refunding everything the shopper owes %d", s.order.AmountMinor)
					}
				})
			}
		}
	})
}

// TestReconcileJobRuns: the job inserted with the PENDING operation is worked by
// River once due, and finishes the operation without anyone asking.
func TestReconcileJobRuns(t *testing.T) {
	eachOpsEnv(t, envOptions{reconcileAfter: 200 * time.Millisecond}, func(t *testing.T, e *opsEnv) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := e.jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stop, c := context.WithTimeout(context.Background(), 10*time.Second)
			defer c()
			_ = e.jobs.Stop(stop)
		}()
		ord := e.confirmedOrder(domain.ProviderPaywerk, domain.ProductSlice, testLine{sku: "A", quantity: "2.5", unit: "80.00"})
		e.fault(domain.ProviderPaywerk, sandboxkit.OpCapture, sandboxkit.FaultStatus5xx)
		f, err := e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: ord.ID})
		if err != nil || f.Fulfilment.Status != domain.OperationPending {
			t.Fatalf("fulfilAll against a failing provider: %v %+v", err, f)
		}
		e.sb.Faults[domain.ProviderPaywerk].Clear()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := e.checkInvariants(ord.ID)
			if s.fulfilments[0].Status == domain.OperationSucceeded {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the reconcile job did not finish the fulfilment: %+v", s.fulfilments[0])
			}
			time.Sleep(100 * time.Millisecond)
		}
		e.checkProviderAgrees(ord.ID)
	})
}

// TestReconcileKeepsTryingWhileOpen: while the provider stays unreachable the job
// answers an error (River retries it) and the operation stays PENDING.
func TestReconcileKeepsTryingWhileOpen(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		ord := e.confirmedOrder(domain.ProviderPaywerk, domain.ProductInvoice, testLine{sku: "A", quantity: "1", unit: "150.00"})
		e.fault(domain.ProviderPaywerk, sandboxkit.OpCapture, sandboxkit.FaultStatus5xx)
		f, err := e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: ord.ID})
		if err != nil || f.Fulfilment.Status != domain.OperationPending {
			t.Fatalf("%v %+v", err, f)
		}
		if err := e.ops.Reconcile(context.Background(), opFulfilment, f.Fulfilment.ID); !errors.Is(err, errStillPending) {
			t.Fatalf("reconcile against a failing provider answered %v", err)
		}
		s := e.checkInvariants(ord.ID)
		if s.fulfilments[0].Status != domain.OperationPending || s.fulfilments[0].Attempts < 2 || s.fulfilments[0].FailureReason == "" {
			t.Fatalf("after two open attempts: %+v", s.fulfilments[0])
		}
		e.sb.Faults[domain.ProviderPaywerk].Clear()
		if err := e.ops.Reconcile(context.Background(), opFulfilment, f.Fulfilment.ID); err != nil {
			t.Fatal(err)
		}
		e.checkProviderAgrees(ord.ID)
	})
}

// sendUnrecorded makes an operation's provider calls as executeOp does (stamped
// first for a provider without idempotency keys) and records no answer: the process
// died right after the provider acted.
func (e *opsEnv) sendUnrecorded(op *operation) {
	e.t.Helper()
	ctx := e.sys()
	p := e.client(op.order.Provider)
	merchantID, err := e.ops.externalMerchantID(ctx, op.order)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range op.steps {
		if p.Capabilities().NoIdempotencyKey {
			if err := e.ops.markSent(ctx, op, i); err != nil {
				e.t.Fatal(err)
			}
		}
		if _, _, err := e.ops.sendStep(ctx, p, op, merchantID, op.steps[i]); err != nil && !errors.Is(err, errNoCall) {
			e.t.Fatalf("provider call: %v", err)
		}
	}
	e.ageStamps(op)
}

// ageStamps moves an operation's send stamps two minutes back: the reconcile job
// comes a minute after a crash, when no call of the dead process can be under way.
func (e *opsEnv) ageStamps(op *operation) {
	e.t.Helper()
	err := e.d.InTx(e.sys(), func(ctx context.Context, tx *db.Tx) error {
		_, steps, err := e.ops.lockedOp(ctx, tx, op)
		if err != nil {
			return err
		}
		for i := range steps {
			if steps[i].SentSeq > 0 {
				steps[i].SentSeq -= int64(2 * time.Minute)
			}
		}
		op.steps = steps
		return e.ops.saveSteps(ctx, tx, op, steps, false, nil)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
