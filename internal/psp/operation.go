package psp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/fulfilmentline"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/ent/refundline"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/idempotency"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// A fulfilment and a refund are one thing: an operation on a confirmed order that
// reserves item quantities, is recorded PENDING with its lines and planned provider
// calls, and ends SUCCEEDED or FAILED (fulfilment.go explains the two steps). What
// differs is only where each is stored and what it adds to the order: opRows says
// that for each kind, and the reservation (reserve, below) and the reconciliation
// (reconcile.go) are written once against it. The two tables share their columns
// through one ent mixin (ent/schema OperationMixin), so both generated mutations
// satisfy opMutation.

// opRows is where one kind of operation is stored.
type opRows interface {
	// prefix is the kind's id prefix.
	prefix() string
	// seesPendingCaptures: the rules deciding this kind count quantities still
	// awaiting a capture (a return may not take them).
	seesPendingCaptures() bool
	// insert records a just-reserved operation PENDING with its lines and answers
	// its creation time.
	insert(ctx context.Context, s *Operations, tx *db.Tx, lo *lockedOrder, id string, pl Plan, reason string, steps []domain.OperationStep) (time.Time, error)
	// load reads an operation with its order, lines and their items.
	load(ctx context.Context, c *ent.Client, id string) (*operation, error)
	// locked reads an operation's status and steps, its row locked when forUpdate.
	locked(ctx context.Context, c *ent.Client, id string, forUpdate bool) (domain.OperationStatus, []domain.OperationStep, error)
	// whilePending changes the operation's row only while it is PENDING (a
	// compare-and-set); n is 0 when another attempt recorded its outcome first.
	whilePending(ctx context.Context, c *ent.Client, id string, set func(opMutation)) (n int, err error)
	// moveLine moves the amount of the operation's line of an item (and kind) by d.
	moveLine(ctx context.Context, c *ent.Client, id, itemID string, kind domain.RefundType, d int64) error
	// credit adds what a SUCCEEDED operation moved to its order's totals.
	credit(u *ent.OrderUpdate, amount int64)
	// pendingSince: the ids of operations PENDING and untouched since cutoff, oldest first.
	pendingSince(ctx context.Context, c *ent.Client, cutoff time.Time, limit int) ([]string, error)
	// notFailed: the ids of the order's operations that are not FAILED.
	notFailed(ctx context.Context, c *ent.Client, orderID string) ([]string, error)
}

// opKinds are the kinds of operation, in the order the sweep and the unkeyed
// reconciliation take them.
var opKinds = []opKind{opFulfilment, opRefund}

var rowsOf = map[opKind]opRows{opFulfilment: fulfilmentRows{}, opRefund: refundRows{}}

// rows is where operations of the kind are stored; nil for an unknown kind.
func (k opKind) rows() opRows { return rowsOf[k] }

// opMutation is a create or update of an operation's row: the columns every kind
// has (OperationMixin).
type opMutation interface {
	SetID(string)
	SetOrderID(string)
	SetCompanyID(string)
	SetStatus(domain.OperationStatus)
	SetCurrency(string)
	SetAmountMinor(int64)
	SetSteps([]domain.OperationStep)
	SetProviderOperationID(string)
	SetFailureReason(string)
	SetCompletedAt(time.Time)
	AddAttempts(int)
}

// partsMutation is an operation's row that also keeps its RETURN and CANCEL parts
// (a refund's).
type partsMutation interface {
	SetReturnAmountMinor(int64)
	SetCancelAmountMinor(int64)
}

// lineMutation is a create of an operation's line: the columns every kind's lines have.
type lineMutation interface {
	SetOrderItemID(string)
	SetQuantity(money.Quantity)
	SetCurrency(string)
	SetAmountMinor(int64)
}

// newOperation fills a just-reserved operation's row.
func newOperation(m opMutation, id string, lo *lockedOrder, pl Plan, steps []domain.OperationStep) {
	m.SetID(id)
	m.SetOrderID(lo.order.ID)
	m.SetCompanyID(lo.order.CompanyID)
	m.SetStatus(domain.OperationPending)
	m.SetCurrency(lo.order.Currency)
	m.SetAmountMinor(pl.Amount.Minor())
	m.SetSteps(steps)
	if p, ok := m.(partsMutation); ok {
		p.SetReturnAmountMinor(pl.ReturnAmount.Minor())
		p.SetCancelAmountMinor(pl.CancelAmount.Minor())
	}
}

// newLine fills one planned line of an operation.
func newLine(m lineMutation, lo *lockedOrder, l PlannedLine) {
	m.SetOrderItemID(lo.items[l.Item].ID)
	m.SetQuantity(l.Quantity)
	m.SetCurrency(l.Amount.Currency())
	m.SetAmountMinor(l.Amount.Minor())
}

// addToItem moves an item's totals of a line kind ("" a capture, CANCEL, RETURN) by
// q and minor: reserving, giving back a failed operation, recording a provider's figure.
func addToItem(u *ent.OrderItemUpdate, kind domain.RefundType, q money.Quantity, minor int64) {
	switch kind {
	case "":
		if q != 0 {
			u.AddFulfilledQuantity(q)
		}
		u.AddFulfilledAmountMinor(minor)
	case domain.RefundCancel:
		if q != 0 {
			u.AddCancelledQuantity(q)
		}
		u.AddCancelledAmountMinor(minor)
	default:
		if q != 0 {
			u.AddReturnedQuantity(q)
		}
		u.AddReturnedAmountMinor(minor)
	}
}

// planFunc is one of the rules' planners, bound to its request.
type planFunc func(currency string, items []ItemState) (Plan, error)

// operate runs an operation request: the reservation under its idempotency key,
// then, unless the key was seen before, the provider calls. It answers the
// operation's id.
func (s *Operations) operate(ctx context.Context, req idempotency.Request, kind opKind, orderID, reason string, plan planFunc) (id string, replayed bool, err error) {
	var op *operation
	ref, replayed, err := idempotency.Run(ctx, s.cfg.DB, req, func(ctx context.Context, tx *db.Tx) (opRef, error) {
		var err error
		if op, err = s.reserve(ctx, tx, kind, req.Operation, orderID, reason, plan); err != nil {
			return opRef{}, err
		}
		return opRef{ID: op.id}, nil
	})
	if err != nil {
		return "", false, err
	}
	if !replayed {
		if err := s.executeOp(ctx, op, false); err != nil && !errors.Is(err, errStillPending) {
			return "", false, err
		}
	}
	return ref.ID, replayed, nil
}

// reserve is step 1 of a fulfilment or refund: decide under the order's lock,
// reserve the quantities, record the operation PENDING with its lines and planned
// provider calls, audit who asked, and schedule the reconcile job.
func (s *Operations) reserve(ctx context.Context, tx *db.Tx, kind opKind, action, orderID, reason string, plan planFunc) (*operation, error) {
	rows := kind.rows()
	lo, err := lockOrder(ctx, s.cfg.DB, tx, orderID)
	if err != nil {
		return nil, err
	}
	if err := lo.requireConfirmed(); err != nil {
		return nil, err
	}
	states, err := lo.states(ctx, tx.Ent, rows.seesPendingCaptures())
	if err != nil {
		return nil, err
	}
	pl, err := plan(lo.order.Currency, states)
	if err != nil {
		return nil, err
	}
	id := ids.New(rows.prefix())
	steps, err := s.planSteps(ctx, tx.Ent, lo, kind, id, pl)
	if err != nil {
		return nil, err
	}
	created, err := rows.insert(ctx, s, tx, lo, id, pl, reason, steps)
	if err != nil {
		return nil, err
	}
	if err := lo.reserve(ctx, tx, pl); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, action, lo.order, id, auditInput(pl, reason)); err != nil {
		return nil, err
	}
	if err := s.scheduleReconcile(ctx, tx, kind, id); err != nil {
		return nil, err
	}
	return lo.operation(kind, id, created, pl, reason, steps), nil
}

// refusedIf is the PROVIDER_ERROR refusal beside an operation the provider refused
// (FAILED); nil otherwise.
func refusedIf(ord *ent.Order, status domain.OperationStatus, what, reason string) error {
	if status != domain.OperationFailed {
		return nil
	}
	return providerRefused(ord, what, reason)
}

// fulfilmentRows stores fulfilments (captures).
type fulfilmentRows struct{}

func (fulfilmentRows) prefix() string            { return "ful" }
func (fulfilmentRows) seesPendingCaptures() bool { return false }

func (fulfilmentRows) insert(ctx context.Context, s *Operations, tx *db.Tx, lo *lockedOrder, id string, pl Plan, _ string, steps []domain.OperationStep) (time.Time, error) {
	create := tx.Ent.Fulfilment.Create()
	newOperation(create.Mutation(), id, lo, pl, steps)
	if err := s.partCredit(ctx, tx.Ent, lo.order, create); err != nil {
		return time.Time{}, err
	}
	f, err := create.Save(ctx)
	if err != nil {
		return time.Time{}, err
	}
	lines := make([]*ent.FulfilmentLineCreate, len(pl.Lines))
	for i, l := range pl.Lines {
		lines[i] = tx.Ent.FulfilmentLine.Create().SetFulfilmentID(f.ID)
		newLine(lines[i].Mutation(), lo, l)
	}
	return f.CreatedAt, tx.Ent.FulfilmentLine.CreateBulk(lines...).Exec(ctx)
}

func (fulfilmentRows) load(ctx context.Context, c *ent.Client, id string) (*operation, error) {
	f, err := c.Fulfilment.Query().Where(fulfilment.ID(id)).WithOrder().
		WithLines(func(q *ent.FulfilmentLineQuery) { q.WithItem().Order(fulfilmentline.ByID()) }).Only(ctx)
	if err != nil {
		return nil, err
	}
	op := &operation{kind: opFulfilment, id: f.ID, status: f.Status, createdAt: f.CreatedAt, order: f.Edges.Order,
		currency: f.Currency, amount: money.New(f.AmountMinor, f.Currency), steps: f.Steps}
	for _, l := range f.Edges.Lines {
		op.lines = append(op.lines, opLine{item: l.Edges.Item, quantity: l.Quantity, amount: money.New(l.AmountMinor, l.Currency)})
	}
	return op, nil
}

func (fulfilmentRows) locked(ctx context.Context, c *ent.Client, id string, forUpdate bool) (domain.OperationStatus, []domain.OperationStep, error) {
	q := c.Fulfilment.Query().Where(fulfilment.ID(id))
	if forUpdate {
		q = q.ForUpdate()
	}
	f, err := q.Only(ctx)
	if err != nil {
		return "", nil, err
	}
	return f.Status, f.Steps, nil
}

func (fulfilmentRows) whilePending(ctx context.Context, c *ent.Client, id string, set func(opMutation)) (int, error) {
	u := c.Fulfilment.Update().Where(fulfilment.ID(id), fulfilment.StatusEQ(domain.OperationPending))
	set(u.Mutation())
	return u.Save(ctx)
}

func (fulfilmentRows) moveLine(ctx context.Context, c *ent.Client, id, itemID string, _ domain.RefundType, d int64) error {
	return c.FulfilmentLine.Update().Where(fulfilmentline.FulfilmentID(id), fulfilmentline.OrderItemID(itemID)).
		AddAmountMinor(d).Exec(ctx)
}

func (fulfilmentRows) credit(u *ent.OrderUpdate, amount int64) { u.AddFulfilledAmountMinor(amount) }

func (fulfilmentRows) pendingSince(ctx context.Context, c *ent.Client, cutoff time.Time, limit int) ([]string, error) {
	return c.Fulfilment.Query().
		Where(fulfilment.StatusEQ(domain.OperationPending), fulfilment.UpdatedAtLT(cutoff)).
		Order(ent.Asc(fulfilment.FieldUpdatedAt)).Limit(limit).IDs(ctx)
}

func (fulfilmentRows) notFailed(ctx context.Context, c *ent.Client, orderID string) ([]string, error) {
	return c.Fulfilment.Query().Where(fulfilment.OrderID(orderID), fulfilment.StatusNEQ(domain.OperationFailed)).IDs(ctx)
}

// refundRows stores refunds (RETURN and CANCEL).
type refundRows struct{}

func (refundRows) prefix() string            { return "ref" }
func (refundRows) seesPendingCaptures() bool { return true }

func (refundRows) insert(ctx context.Context, _ *Operations, tx *db.Tx, lo *lockedOrder, id string, pl Plan, reason string, steps []domain.OperationStep) (time.Time, error) {
	create := tx.Ent.Refund.Create().SetReason(reason)
	newOperation(create.Mutation(), id, lo, pl, steps)
	r, err := create.Save(ctx)
	if err != nil {
		return time.Time{}, err
	}
	lines := make([]*ent.RefundLineCreate, len(pl.Lines))
	for i, l := range pl.Lines {
		lines[i] = tx.Ent.RefundLine.Create().SetRefundID(r.ID).SetRefundType(l.Type)
		newLine(lines[i].Mutation(), lo, l)
	}
	return r.CreatedAt, tx.Ent.RefundLine.CreateBulk(lines...).Exec(ctx)
}

func (refundRows) load(ctx context.Context, c *ent.Client, id string) (*operation, error) {
	r, err := c.Refund.Query().Where(refund.ID(id)).WithOrder().
		WithLines(func(q *ent.RefundLineQuery) { q.WithItem().Order(refundline.ByID()) }).Only(ctx)
	if err != nil {
		return nil, err
	}
	op := &operation{kind: opRefund, id: r.ID, status: r.Status, createdAt: r.CreatedAt, order: r.Edges.Order,
		currency: r.Currency, amount: money.New(r.AmountMinor, r.Currency), reason: r.Reason,
		ret: money.New(r.ReturnAmountMinor, r.Currency), cnl: money.New(r.CancelAmountMinor, r.Currency), steps: r.Steps}
	for _, l := range r.Edges.Lines {
		op.lines = append(op.lines, opLine{item: l.Edges.Item, kind: l.RefundType, quantity: l.Quantity, amount: money.New(l.AmountMinor, l.Currency)})
	}
	return op, nil
}

func (refundRows) locked(ctx context.Context, c *ent.Client, id string, forUpdate bool) (domain.OperationStatus, []domain.OperationStep, error) {
	q := c.Refund.Query().Where(refund.ID(id))
	if forUpdate {
		q = q.ForUpdate()
	}
	r, err := q.Only(ctx)
	if err != nil {
		return "", nil, err
	}
	return r.Status, r.Steps, nil
}

func (refundRows) whilePending(ctx context.Context, c *ent.Client, id string, set func(opMutation)) (int, error) {
	u := c.Refund.Update().Where(refund.ID(id), refund.StatusEQ(domain.OperationPending))
	set(u.Mutation())
	return u.Save(ctx)
}

func (refundRows) moveLine(ctx context.Context, c *ent.Client, id, itemID string, kind domain.RefundType, d int64) error {
	return c.RefundLine.Update().Where(refundline.RefundID(id), refundline.OrderItemID(itemID), refundline.RefundTypeEQ(kind)).
		AddAmountMinor(d).Exec(ctx)
}

// credit: a refund lowers the order's amount by what it gave back or cancelled.
func (refundRows) credit(u *ent.OrderUpdate, amount int64) {
	u.AddRefundedAmountMinor(amount).AddAmountMinor(-amount)
}

func (refundRows) pendingSince(ctx context.Context, c *ent.Client, cutoff time.Time, limit int) ([]string, error) {
	return c.Refund.Query().
		Where(refund.StatusEQ(domain.OperationPending), refund.UpdatedAtLT(cutoff)).
		Order(ent.Asc(refund.FieldUpdatedAt)).Limit(limit).IDs(ctx)
}

func (refundRows) notFailed(ctx context.Context, c *ent.Client, orderID string) ([]string, error) {
	return c.Refund.Query().Where(refund.OrderID(orderID), refund.StatusNEQ(domain.OperationFailed)).IDs(ctx)
}

// errUnknownKind: a reconcile job names a kind of operation this code does not have.
func errUnknownKind(kind opKind) error { return fmt.Errorf("psp: unknown operation kind %q", kind) }
