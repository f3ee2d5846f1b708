package psp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/fulfilmentline"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/ent/refundline"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// The second half of every fulfilment and refund: the provider call, made after the
// reserving transaction committed, and its outcome. The request makes the call once
// right away; the reconcile job, inserted in the reserving transaction and scheduled
// ReconcileAfter later, makes it again for an operation still PENDING then (the
// request timed out, the provider answered 5xx, the process died between the two
// steps). Both send the same request with the operation id as the idempotency key,
// and both record the outcome with a compare-and-set on status = PENDING, so the
// provider acts once and the outcome is recorded once.
//
// Outcomes:
//   - success: SUCCEEDED, and the order's money totals move (fulfilledAmount; for a
//     refund refundedAmount up and amount down).
//   - a temporary error (5xx, 429, timeout, no answer): still PENDING; the job tries
//     again with River's backoff.
//   - any other error (validation, 409 conflict, decline, …): FAILED, and the
//     quantities and amounts the operation reserved on its items are given back.
//
// A provider without idempotency keys (Capabilities.NoIdempotencyKey: Paywerk) is
// asked for the payment's status before a repeat: when its captured, returned and
// cancelled totals already hold this operation (beyond what our SUCCEEDED and older
// PENDING operations account for), the operation is recorded SUCCEEDED without a
// second call. The check assumes operations reach the provider in the order they
// were created, which holds unless two requests on one order raced and only the
// later one arrived.

// opKind names the two kinds of operation.
type opKind string

const (
	opFulfilment opKind = "fulfilment"
	opRefund     opKind = "refund"
)

// operation is a fulfilment or refund as the provider call needs it.
type operation struct {
	kind      opKind
	id        string
	status    domain.OperationStatus
	createdAt time.Time
	order     *ent.Order
	currency  string
	amount    money.Money
	ret, cnl  money.Money // refunds: the RETURN and CANCEL parts
	reason    string
	lines     []opLine
}

// opLine is one line of an operation with its item.
type opLine struct {
	item     *ent.OrderItem
	kind     domain.RefundType // "" for a capture
	quantity money.Quantity
	amount   money.Money
}

// loadOperation reads an operation with its order, lines and items.
func (s *Operations) loadOperation(ctx context.Context, kind opKind, id string) (*operation, error) {
	c := s.cfg.DB.Ent
	switch kind {
	case opFulfilment:
		f, err := c.Fulfilment.Query().Where(fulfilment.ID(id)).WithOrder().
			WithLines(func(q *ent.FulfilmentLineQuery) { q.WithItem().Order(fulfilmentline.ByID()) }).Only(ctx)
		if err != nil {
			return nil, err
		}
		op := &operation{kind: kind, id: f.ID, status: f.Status, createdAt: f.CreatedAt, order: f.Edges.Order,
			currency: f.Currency, amount: money.New(f.AmountMinor, f.Currency)}
		for _, l := range f.Edges.Lines {
			op.lines = append(op.lines, opLine{item: l.Edges.Item, quantity: l.Quantity, amount: money.New(l.AmountMinor, l.Currency)})
		}
		return op, nil
	case opRefund:
		r, err := c.Refund.Query().Where(refund.ID(id)).WithOrder().
			WithLines(func(q *ent.RefundLineQuery) { q.WithItem().Order(refundline.ByID()) }).Only(ctx)
		if err != nil {
			return nil, err
		}
		op := &operation{kind: kind, id: r.ID, status: r.Status, createdAt: r.CreatedAt, order: r.Edges.Order,
			currency: r.Currency, amount: money.New(r.AmountMinor, r.Currency), reason: r.Reason,
			ret: money.New(r.ReturnAmountMinor, r.Currency), cnl: money.New(r.CancelAmountMinor, r.Currency)}
		for _, l := range r.Edges.Lines {
			op.lines = append(op.lines, opLine{item: l.Edges.Item, kind: l.RefundType, quantity: l.Quantity, amount: money.New(l.AmountMinor, l.Currency)})
		}
		return op, nil
	}
	return nil, fmt.Errorf("psp: unknown operation kind %q", kind)
}

// providerLine is a line as providers take it.
func (l opLine) providerLine() providers.Line {
	return providers.Line{SKU: l.item.Sku, Name: l.item.Name, Quantity: l.quantity,
		UnitPrice: money.New(l.item.UnitPriceMinor, l.item.Currency), VATRateBps: l.item.VatRateBps, Total: l.amount}
}

// errNoCall: the operation moves nothing the provider could be told of (a zero
// amount sent by amount), so no call is made and it succeeds as it is.
var errNoCall = errors.New("nothing to send")

// send makes the provider call of an operation, adapting to what the provider can
// do: lines when it takes them (and their quantities), else amounts.
func (s *Operations) send(ctx context.Context, p providers.Provider, op *operation) (string, error) {
	caps := p.Capabilities()
	lines := make([]providers.Line, len(op.lines))
	for i, l := range op.lines {
		lines[i] = l.providerLine()
	}
	merchantID, err := s.externalMerchantID(ctx, op.order)
	if err != nil {
		return "", err
	}
	switch op.kind {
	case opFulfilment:
		req := providers.CaptureRequest{ProviderReference: op.order.ProviderReference, ExternalMerchantID: merchantID,
			OperationID: op.id, Amount: op.amount}
		if caps.CaptureByLines(lines) {
			req.Lines = lines
		} else if !op.amount.IsPositive() {
			return "", errNoCall
		}
		res, err := p.Capture(ctx, req)
		return res.ProviderOperationID, err
	default:
		req := providers.RefundRequest{ProviderReference: op.order.ProviderReference, ExternalMerchantID: merchantID,
			OperationID: op.id, Amount: op.amount, ReturnAmount: op.ret, CancelAmount: op.cnl, Reason: op.reason}
		if caps.RefundByLines(lines) {
			for i, l := range op.lines {
				req.Lines = append(req.Lines, providers.RefundLine{Line: lines[i], Kind: providers.RefundKind(l.kind)})
			}
		} else if !op.amount.IsPositive() {
			return "", errNoCall
		}
		if req.CaptureRefs, err = s.captureRefs(ctx, op.order.ID); err != nil {
			return "", err
		}
		res, err := p.Refund(ctx, req)
		return res.ProviderOperationID, err
	}
}

// externalMerchantID is the company's id at the provider (Billie's merchant id).
func (s *Operations) externalMerchantID(ctx context.Context, ord *ent.Order) (string, error) {
	a, err := s.cfg.DB.Ent.ProviderActivation.Query().
		Where(provideractivation.CompanyID(ord.CompanyID), provideractivation.ProviderEQ(ord.Provider)).
		Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return a.ExternalMerchantID, nil
}

// captureRefs are the provider ids of the order's succeeded captures, newest first,
// for providers that refund against a capture.
func (s *Operations) captureRefs(ctx context.Context, orderID string) ([]string, error) {
	return s.cfg.DB.Ent.Fulfilment.Query().
		Where(fulfilment.OrderID(orderID), fulfilment.StatusEQ(domain.OperationSucceeded), fulfilment.ProviderOperationIDNEQ("")).
		Order(ent.Desc(fulfilment.FieldCreatedAt), ent.Desc(fulfilment.FieldID)).
		Select(fulfilment.FieldProviderOperationID).Strings(auth.System(ctx))
}

// errStillPending: the provider did not give a definite answer; the operation stays
// PENDING for the reconcile job.
var errStillPending = errors.New("operation still pending at the provider")

// execute makes the provider call of a PENDING operation and records its outcome.
// It runs as the system, detached from the request: a client that hangs up must not
// cut a capture in half. It answers errStillPending (wrapping the provider's error)
// when the outcome is open.
func (s *Operations) execute(ctx context.Context, kind opKind, id string, recheck bool) error {
	op, err := s.loadOperation(auth.System(ctx), kind, id)
	if err != nil {
		return err
	}
	return s.executeOp(ctx, op, recheck)
}

// executeOp is execute for an operation in hand (the request has just reserved it).
func (s *Operations) executeOp(ctx context.Context, op *operation, recheck bool) error {
	if op.status != domain.OperationPending {
		return nil
	}
	ctx, cancel := context.WithTimeout(auth.System(context.WithoutCancel(ctx)), s.cfg.ProviderTimeout)
	defer cancel()
	p, err := s.cfg.Registry.For(ctx, op.order.PspID, op.order.Provider)
	if err != nil {
		// Nothing was sent: failing is safe, and the merchant can ask again.
		return s.recordFailed(ctx, op, fmt.Sprintf("no %s client: %v", op.order.Provider, err))
	}
	if recheck && p.Capabilities().NoIdempotencyKey {
		applied, err := s.appliedAtProvider(ctx, p, op)
		if err != nil {
			return s.recordPending(ctx, op, err)
		}
		if applied {
			return s.recordSucceeded(ctx, op, "")
		}
	}
	ref, err := s.send(ctx, p, op)
	switch {
	case err == nil, errors.Is(err, errNoCall):
		return s.recordSucceeded(ctx, op, ref)
	case temporary(err):
		return s.recordPending(ctx, op, err)
	}
	return s.recordFailed(ctx, op, err.Error())
}

// temporary tells whether an error leaves the outcome open: the provider's
// temporary class, and anything that is not a provider answer at all (a broken
// connection, our own deadline) — the call may or may not have arrived.
func temporary(err error) bool {
	var pe *providers.Error
	return providers.IsTemporary(err) || !errors.As(err, &pe)
}

// recordSucceeded marks the operation SUCCEEDED, once, and moves the order's totals.
func (s *Operations) recordSucceeded(ctx context.Context, op *operation, providerOpID string) error {
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		now := s.cfg.Now()
		var n int
		var err error
		switch op.kind {
		case opFulfilment:
			n, err = tx.Ent.Fulfilment.Update().
				Where(fulfilment.ID(op.id), fulfilment.StatusEQ(domain.OperationPending)).
				SetStatus(domain.OperationSucceeded).SetProviderOperationID(providerOpID).SetCompletedAt(now).
				SetFailureReason("").AddAttempts(1).Save(ctx)
		default:
			n, err = tx.Ent.Refund.Update().
				Where(refund.ID(op.id), refund.StatusEQ(domain.OperationPending)).
				SetStatus(domain.OperationSucceeded).SetProviderOperationID(providerOpID).SetCompletedAt(now).
				SetFailureReason("").AddAttempts(1).Save(ctx)
		}
		if err != nil || n == 0 {
			return err // n == 0: someone else recorded the outcome
		}
		upd := tx.Ent.Order.Update().Where(order.ID(op.order.ID))
		if op.kind == opFulfilment {
			upd.AddFulfilledAmountMinor(op.amount.Minor())
		} else {
			upd.AddRefundedAmountMinor(op.amount.Minor()).AddAmountMinor(-op.amount.Minor())
		}
		return upd.Exec(ctx)
	})
}

// recordPending notes an attempt whose outcome is open, and answers errStillPending.
func (s *Operations) recordPending(ctx context.Context, op *operation, cause error) error {
	s.log.WarnContext(ctx, "provider outcome open; the reconcile job will ask again",
		"operation", op.id, "provider", op.order.Provider, "err", cause)
	var err error
	switch op.kind {
	case opFulfilment:
		err = s.cfg.DB.Ent.Fulfilment.Update().Where(fulfilment.ID(op.id), fulfilment.StatusEQ(domain.OperationPending)).
			AddAttempts(1).SetFailureReason(truncate(cause.Error())).Exec(ctx)
	default:
		err = s.cfg.DB.Ent.Refund.Update().Where(refund.ID(op.id), refund.StatusEQ(domain.OperationPending)).
			AddAttempts(1).SetFailureReason(truncate(cause.Error())).Exec(ctx)
	}
	return errors.Join(fmt.Errorf("%w: %w", errStillPending, cause), err)
}

// recordFailed marks the operation FAILED, once, and gives its items back what it
// reserved; the order's fulfilment status follows.
func (s *Operations) recordFailed(ctx context.Context, op *operation, reason string) error {
	s.log.WarnContext(ctx, "provider refused an operation; its quantities are released",
		"operation", op.id, "provider", op.order.Provider, "reason", reason)
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		// Lock the order first, like every decision on its quantities.
		lo, err := lockOrder(ctx, s.cfg.DB, tx, op.order.ID)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		var n int
		switch op.kind {
		case opFulfilment:
			n, err = tx.Ent.Fulfilment.Update().
				Where(fulfilment.ID(op.id), fulfilment.StatusEQ(domain.OperationPending)).
				SetStatus(domain.OperationFailed).SetFailureReason(truncate(reason)).SetCompletedAt(now).
				AddAttempts(1).Save(ctx)
		default:
			n, err = tx.Ent.Refund.Update().
				Where(refund.ID(op.id), refund.StatusEQ(domain.OperationPending)).
				SetStatus(domain.OperationFailed).SetFailureReason(truncate(reason)).SetCompletedAt(now).
				AddAttempts(1).Save(ctx)
		}
		if err != nil || n == 0 {
			return err
		}
		for _, l := range op.lines {
			upd := tx.Ent.OrderItem.Update().Where(orderitem.ID(l.item.ID))
			switch l.kind {
			case "":
				upd.AddFulfilledQuantity(-l.quantity).AddFulfilledAmountMinor(-l.amount.Minor())
			case domain.RefundCancel:
				upd.AddCancelledQuantity(-l.quantity).AddCancelledAmountMinor(-l.amount.Minor())
			case domain.RefundReturn:
				upd.AddReturnedQuantity(-l.quantity).AddReturnedAmountMinor(-l.amount.Minor())
			}
			if err := upd.Exec(ctx); err != nil {
				return err
			}
		}
		items, err := tx.Ent.OrderItem.Query().Where(orderitem.OrderID(op.order.ID)).All(ctx)
		if err != nil {
			return err
		}
		states := make([]ItemState, len(items))
		for i, it := range items {
			states[i] = itemStateOf(it)
		}
		if st := FulfilmentStatusOf(states); st != lo.order.FulfilmentStatus {
			return tx.Ent.Order.Update().Where(order.ID(op.order.ID)).SetFulfilmentStatus(st).Exec(ctx)
		}
		return nil
	})
}

func truncate(s string) string {
	const max = 1000
	if len(s) > max {
		return s[:max]
	}
	return s
}

// appliedAtProvider tells whether a provider without idempotency keys already holds
// the operation: its totals exceed what our SUCCEEDED operations and the older
// PENDING ones of the same kind account for by at least this one's amounts.
func (s *Operations) appliedAtProvider(ctx context.Context, p providers.Provider, op *operation) (bool, error) {
	st, err := p.FetchStatus(ctx, op.order.ProviderReference)
	if err != nil {
		return false, err
	}
	c := s.cfg.DB.Ent
	before := func(created time.Time, id string) bool {
		return created.Before(op.createdAt) || (created.Equal(op.createdAt) && id < op.id)
	}
	switch op.kind {
	case opFulfilment:
		fs, err := c.Fulfilment.Query().Where(fulfilment.OrderID(op.order.ID),
			fulfilment.StatusIn(domain.OperationSucceeded, domain.OperationPending)).All(ctx)
		if err != nil {
			return false, err
		}
		known := op.amount.Minor()
		for _, f := range fs {
			if f.Status == domain.OperationSucceeded || (f.ID != op.id && before(f.CreatedAt, f.ID)) {
				known += f.AmountMinor
			}
		}
		return st.Captured.Minor() >= known, nil
	default:
		rs, err := c.Refund.Query().Where(refund.OrderID(op.order.ID),
			refund.StatusIn(domain.OperationSucceeded, domain.OperationPending)).All(ctx)
		if err != nil {
			return false, err
		}
		ret, cnl := op.ret.Minor(), op.cnl.Minor()
		for _, r := range rs {
			if r.Status == domain.OperationSucceeded || (r.ID != op.id && before(r.CreatedAt, r.ID)) {
				ret += r.ReturnAmountMinor
				cnl += r.CancelAmountMinor
			}
		}
		cancelled := st.Authorized.Minor() - st.Amount.Minor() - st.Refunded.Minor()
		return (op.ret.IsZero() || st.Refunded.Minor() >= ret) && (op.cnl.IsZero() || cancelled >= cnl), nil
	}
}

// ReconcileArgs asks to resolve an operation left PENDING.
type ReconcileArgs struct {
	Operation string `json:"operation"` // "fulfilment" or "refund"
	ID        string `json:"id"`
}

func (ReconcileArgs) Kind() string { return "psp_reconcile_operation" }

// reconcileWorker resolves PENDING operations; River retries it with backoff while
// the provider's answer stays open.
type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	s *Operations
}

func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[ReconcileArgs]) error {
	return w.s.Reconcile(ctx, opKind(job.Args.Operation), job.Args.ID)
}

// Reconcile resolves one operation if it is still PENDING: the same provider call
// again (after a status check for providers without idempotency keys), then its
// outcome. It answers an error wrapping errStillPending while the outcome is open.
func (s *Operations) Reconcile(ctx context.Context, kind opKind, id string) error {
	return s.execute(ctx, kind, id, true)
}

// scheduleReconcile inserts the reconcile job in the reserving transaction.
func (s *Operations) scheduleReconcile(ctx context.Context, tx *db.Tx, kind opKind, id string) error {
	if s.jobs == nil {
		return errors.New("psp: operations have no job client (UseJobs)")
	}
	_, err := s.jobs.InsertTx(ctx, tx.SQL, ReconcileArgs{Operation: string(kind), ID: id},
		&river.InsertOpts{ScheduledAt: s.cfg.Now().Add(s.cfg.ReconcileAfter)})
	return err
}

// order is the order after an operation, as the principal sees it.
func (s *Operations) orderOf(ctx context.Context, id string) (*ent.Order, error) {
	return s.cfg.DB.Ent.Order.Query().Where(order.ID(id)).Only(ctx)
}
