package psp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// The second half of every fulfilment and refund: its provider calls, made after
// the reserving transaction committed, and their outcomes. The calls are the
// operation's stored steps (steps.go): the request makes them once right away; the
// reconcile job, inserted in the reserving transaction and scheduled ReconcileAfter
// later, makes them again for an operation still PENDING then (the request timed
// out, the provider answered 5xx, the process died between two calls). Both replay
// the same steps with the same keys, and record each outcome under the operation's
// row lock while it is PENDING, so the provider acts once and we record it once.
//
// Outcomes of a step:
//   - success: the step is SUCCEEDED with what the provider reported; when every
//     step is, the operation is SUCCEEDED and the order's money totals move by what
//     the provider reported (a difference from the plan is counted and logged).
//   - a temporary error (5xx, 429, timeout, no answer): still PENDING; the job tries
//     again with River's backoff.
//   - any other error (validation, 409 conflict, decline, …): when no step of the
//     operation moved money, FAILED, and the quantities and amounts it reserved are
//     given back. When an earlier step moved money, the operation stays PENDING with
//     the refusal as its failure reason, and the job sends the refused step again:
//     the reservation is never released while money moved at the provider.
//
// A provider without idempotency keys (Capabilities.NoIdempotencyKey: Paywerk)
// cannot be asked about one call. Each call is stamped with a send sequence before
// it goes out; a stamped step whose answer is missing is resolved by
// reconcileUnkeyed from the provider's per-item quantities, one step at a time in
// the order they were sent, before anything is sent again.

// opKind names the two kinds of operation.
type opKind string

const (
	opFulfilment opKind = "fulfilment"
	opRefund     opKind = "refund"
)

// operation is a fulfilment or refund as the provider calls need it.
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
	steps     []domain.OperationStep
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
	return s.loadOperationWith(ctx, s.cfg.DB.Ent, kind, id)
}

func (s *Operations) loadOperationWith(ctx context.Context, c *ent.Client, kind opKind, id string) (*operation, error) {
	rows := kind.rows()
	if rows == nil {
		return nil, errUnknownKind(kind)
	}
	return rows.load(ctx, c, id)
}

// item is the operation's order item of an id.
func (op *operation) item(id string) *ent.OrderItem {
	for _, l := range op.lines {
		if l.item.ID == id {
			return l.item
		}
	}
	return nil
}

// moved tells whether a step of the operation moved money at the provider.
func (op *operation) moved() bool {
	for _, st := range op.steps {
		if st.Status == domain.OperationSucceeded && (st.AmountMinor != 0 || st.ProviderOperationID != "") {
			return true
		}
	}
	return false
}

// sentUnanswered tells whether a step went out without a definite answer.
func (op *operation) sentUnanswered() bool {
	for _, st := range op.steps {
		if st.Status == domain.OperationPending && st.SentSeq > 0 {
			return true
		}
	}
	return false
}

// errNoCall: the step moves nothing the provider could be told of (a zero amount
// sent by amount), so no call is made and it succeeds as it is.
var errNoCall = errors.New("nothing to send")

// sendStep makes one stored step's provider call, exactly as planned.
func (s *Operations) sendStep(ctx context.Context, p providers.Provider, op *operation, merchantID string, st domain.OperationStep) (string, *providers.Moved, error) {
	amount, tax := money.New(st.AmountMinor, st.Currency), money.New(st.TaxMinor, st.Currency)
	lines := make([]providers.Line, 0, len(st.Lines))
	ret, cnl := money.Zero(st.Currency), money.Zero(st.Currency)
	for _, l := range st.Lines {
		it := op.item(l.ItemID)
		if it == nil {
			return "", nil, fmt.Errorf("psp: step of %s names item %s the operation does not have", op.id, l.ItemID)
		}
		lt := money.New(l.AmountMinor, st.Currency)
		lines = append(lines, providers.Line{SKU: it.Sku, Name: it.Name, Quantity: l.Quantity,
			UnitPrice: money.New(it.UnitPriceMinor, it.Currency), VATRateBps: it.VatRateBps, Total: lt})
		if l.Kind == domain.RefundCancel {
			cnl = mustAdd(cnl, lt)
		} else {
			ret = mustAdd(ret, lt)
		}
	}
	if !st.ByLines && !amount.IsPositive() {
		return "", nil, errNoCall
	}
	if st.Kind == domain.StepCapture {
		req := providers.CaptureRequest{ProviderReference: op.order.ProviderReference, ExternalMerchantID: merchantID,
			OperationID: st.Key, Amount: amount, Tax: &tax}
		if st.ByLines {
			req.Lines = lines
		}
		res, err := p.Capture(ctx, req)
		return res.ProviderOperationID, res.Moved, err
	}
	req := providers.RefundRequest{ProviderReference: op.order.ProviderReference, ExternalMerchantID: merchantID,
		OperationID: st.Key, Amount: amount, ReturnAmount: money.Zero(st.Currency), CancelAmount: money.Zero(st.Currency),
		CreditTo: st.Target, Reason: op.reason}
	switch st.Kind {
	case domain.StepReturn:
		req.ReturnAmount, req.Tax = amount, &tax
	case domain.StepCancel:
		req.CancelAmount, req.Tax = amount, &tax
	default:
		req.ReturnAmount, req.CancelAmount = ret, cnl
	}
	if st.ByLines {
		for i, l := range st.Lines {
			req.Lines = append(req.Lines, providers.RefundLine{Line: lines[i], Kind: providers.RefundKind(l.Kind)})
		}
	}
	res, err := p.Refund(ctx, req)
	return res.ProviderOperationID, res.Moved, err
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

// errStillPending: the provider did not give a definite answer; the operation stays
// PENDING for the reconcile job.
var errStillPending = errors.New("operation still pending at the provider")

// execute makes the provider calls of a PENDING operation and records their
// outcomes. It runs as the system, detached from the request: a client that hangs
// up must not cut a capture in half. It answers errStillPending (wrapping the
// provider's error) when the outcome is open.
func (s *Operations) execute(ctx context.Context, kind opKind, id string, recheck bool) error {
	op, err := s.loadOperation(auth.System(ctx), kind, id)
	if err != nil {
		return err
	}
	return s.executeOp(ctx, op, recheck)
}

// executeOp is execute for an operation in hand (the request has just reserved it).
// recheck: a call may have gone out before (the reconcile job).
func (s *Operations) executeOp(ctx context.Context, op *operation, recheck bool) error {
	if op.status != domain.OperationPending {
		return nil
	}
	ctx, cancel := context.WithTimeout(auth.System(context.WithoutCancel(ctx)), s.cfg.ProviderTimeout)
	defer cancel()
	if len(op.steps) == 0 {
		if err := s.planLegacy(ctx, op); err != nil {
			return err
		}
	}
	p, err := s.cfg.Registry.For(ctx, op.order.PspID, op.order.Provider)
	if err != nil {
		cause := fmt.Errorf("no %s client: %w", op.order.Provider, err)
		if op.moved() || op.sentUnanswered() {
			return s.recordPending(ctx, op, -1, cause)
		}
		// Nothing was sent: failing is safe, and the merchant can ask again.
		return s.recordFailed(ctx, op, -1, cause.Error())
	}
	caps := p.Capabilities()
	if recheck && caps.NoIdempotencyKey && op.sentUnanswered() {
		if err := s.reconcileUnkeyed(ctx, p, op.order); err != nil {
			return s.recordPending(ctx, op, -1, err)
		}
		if op, err = s.loadOperation(ctx, op.kind, op.id); err != nil || op.status != domain.OperationPending {
			return err
		}
	}
	merchantID, err := s.externalMerchantID(ctx, op.order)
	if err != nil {
		return err
	}
	for i := range op.steps {
		if op.steps[i].Status == domain.OperationSucceeded {
			continue
		}
		if caps.NoIdempotencyKey {
			if err := s.markSent(ctx, op, i); err != nil {
				return err
			}
		}
		ref, moved, err := s.sendStep(ctx, p, op, merchantID, op.steps[i])
		if err != nil && !temporary(err) && !errors.Is(err, errNoCall) && recheck && !caps.NoIdempotencyKey {
			// A refusal of a call an earlier attempt may have made (the process died,
			// the answer was lost) proves nothing about that attempt: ask again with
			// the same key, which the provider answers from its records when the
			// first call went through. Only a refusal given twice is taken.
			ref, moved, err = s.sendStep(ctx, p, op, merchantID, op.steps[i])
		}
		switch {
		case err == nil, errors.Is(err, errNoCall):
			done, rerr := s.recordStep(ctx, op, i, ref, moved)
			if rerr != nil || done {
				return rerr
			}
			continue
		case temporary(err):
			return s.recordPending(ctx, op, i, err)
		}
		if !op.moved() {
			return s.recordFailed(ctx, op, i, err.Error())
		}
		return s.recordRefusedAfterMoving(ctx, op, i, err)
	}
	return nil
}

// temporary tells whether an error leaves the outcome open: the provider's
// temporary class, and anything that is not a provider answer at all (a broken
// connection, our own deadline) — the call may or may not have arrived.
func temporary(err error) bool {
	var pe *providers.Error
	return providers.IsTemporary(err) || !errors.As(err, &pe)
}

// lockedOp is an operation's status and steps, read with its row locked (on SQLite
// the transaction holds the write lock), so concurrent attempts record one at a time.
func (s *Operations) lockedOp(ctx context.Context, tx *db.Tx, op *operation) (domain.OperationStatus, []domain.OperationStep, error) {
	return op.kind.rows().locked(ctx, tx.Ent, op.id, s.cfg.DB.IsPostgres())
}

// saveSteps writes the steps of an operation still PENDING.
func (s *Operations) saveSteps(ctx context.Context, tx *db.Tx, op *operation, steps []domain.OperationStep, attempt bool, reason *string) error {
	_, err := op.kind.rows().whilePending(ctx, tx.Ent, op.id, func(m opMutation) {
		m.SetSteps(steps)
		if attempt {
			m.AddAttempts(1)
		}
		if reason != nil {
			m.SetFailureReason(truncate(*reason))
		}
	})
	return err
}

// markSent stamps a step with its send sequence before the call goes out, for a
// provider without idempotency keys: a stamp without an answer is what
// reconcileUnkeyed resolves. Nanoseconds order the sends of one order well enough:
// they are seconds apart or serialised by the same caller.
func (s *Operations) markSent(ctx context.Context, op *operation, i int) error {
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		status, steps, err := s.lockedOp(ctx, tx, op)
		if err != nil {
			return err
		}
		if status != domain.OperationPending || len(steps) != len(op.steps) {
			return fmt.Errorf("psp: %s is %s; not sent again", op.id, status)
		}
		if steps[i].SentSeq != op.steps[i].SentSeq || steps[i].Status != domain.OperationPending {
			// Another attempt (the sweep beside the job, another instance) stamped or
			// answered it since we read it: it is that attempt's call.
			return fmt.Errorf("%w: another attempt is sending %s", errStillPending, op.id)
		}
		steps[i].SentSeq, steps[i].InFlight = max(s.cfg.Now().UnixNano(), steps[i].SentSeq+1), true
		steps[i].Attempts++
		op.steps = steps
		return s.saveSteps(ctx, tx, op, steps, false, nil)
	})
}

// recordStep records a step the provider carried out; when it was the last, the
// operation is SUCCEEDED (finish). done tells whether the operation is decided.
func (s *Operations) recordStep(ctx context.Context, op *operation, i int, ref string, moved *providers.Moved) (done bool, err error) {
	err = s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if len(op.steps) == 1 {
			// The only step: finishing is one compare-and-set on PENDING, no read needed.
			done = true
			applyAnswer(&op.steps[0], ref, moved)
			return s.finish(ctx, tx, op)
		}
		status, steps, err := s.lockedOp(ctx, tx, op)
		if err != nil {
			return err
		}
		if status != domain.OperationPending {
			done = true // someone else recorded the outcome
			return nil
		}
		applyAnswer(&steps[i], ref, moved)
		op.steps = steps
		for _, st := range steps {
			if st.Status != domain.OperationSucceeded {
				return s.saveSteps(ctx, tx, op, steps, false, nil)
			}
		}
		done = true
		return s.finish(ctx, tx, op)
	})
	return done, err
}

// applyAnswer marks a step SUCCEEDED with the provider's id and amounts.
func applyAnswer(st *domain.OperationStep, ref string, moved *providers.Moved) {
	st.Status, st.ProviderOperationID, st.Error, st.InFlight = domain.OperationSucceeded, ref, "", false
	if moved == nil || moved.Amount.Currency() != st.Currency {
		return
	}
	total := moved.Amount.Minor()
	st.ReportedMinor = &total
	for j := range st.Lines {
		l := &st.Lines[j]
		for _, ml := range moved.Lines {
			if ml.SKU == l.SKU && (ml.Kind == "" || string(ml.Kind) == string(l.Kind)) && ml.Amount.Currency() == st.Currency {
				v := ml.Amount.Minor()
				l.ReportedMinor = &v
			}
		}
	}
}

// finish records a PENDING operation whose every step succeeded as SUCCEEDED, with
// the amounts the provider reported: a line moves by the provider's figure for it,
// else by the plan (a step's reported total that its lines do not explain lands on
// its last line). A difference from the plan is counted and logged; the order's
// totals move by what the provider did.
func (s *Operations) finish(ctx context.Context, tx *db.Tx, op *operation) error {
	type key struct {
		item string
		kind domain.RefundType
	}
	delta := map[key]int64{}
	for _, st := range op.steps {
		var explained int64
		for _, l := range st.Lines {
			if l.ReportedMinor != nil {
				delta[key{l.ItemID, l.Kind}] += *l.ReportedMinor - l.AmountMinor
				explained += *l.ReportedMinor - l.AmountMinor
			}
		}
		if st.ReportedMinor != nil && len(st.Lines) > 0 {
			if rest := *st.ReportedMinor - st.AmountMinor - explained; rest != 0 {
				last := st.Lines[len(st.Lines)-1]
				delta[key{last.ItemID, last.Kind}] += rest
			}
		}
	}
	var diff, retDiff, cnlDiff int64
	for k, d := range delta {
		diff += d
		if k.kind == domain.RefundCancel {
			cnlDiff += d
		} else {
			retDiff += d
		}
	}
	now := s.cfg.Now()
	refs := make([]string, 0, len(op.steps))
	for _, st := range op.steps {
		if st.ProviderOperationID != "" {
			refs = append(refs, st.ProviderOperationID)
		}
	}
	ref := strings.Join(refs, ",")
	amount := op.amount.Minor() + diff
	rows := op.kind.rows()
	n, err := rows.whilePending(ctx, tx.Ent, op.id, func(m opMutation) {
		m.SetStatus(domain.OperationSucceeded)
		m.SetProviderOperationID(ref)
		m.SetCompletedAt(now)
		m.SetSteps(op.steps)
		m.SetAmountMinor(amount)
		if p, ok := m.(partsMutation); ok {
			p.SetReturnAmountMinor(op.ret.Minor() + retDiff)
			p.SetCancelAmountMinor(op.cnl.Minor() + cnlDiff)
		}
		m.SetFailureReason("")
		m.AddAttempts(1)
	})
	if err != nil || n == 0 {
		return err // n == 0: someone else recorded the outcome; nothing else moves
	}
	mismatch := false
	for k, d := range delta {
		if d == 0 {
			continue
		}
		mismatch = true
		if err := s.moveLine(ctx, tx, op, k.item, k.kind, d); err != nil {
			return err
		}
	}
	if mismatch {
		s.mismatches.WithLabelValues(string(op.order.Provider), string(op.kind)).Inc()
		s.log.WarnContext(ctx, "provider reported another amount than planned; recorded as reported",
			"operation", op.id, "provider", op.order.Provider, "planned", op.amount.Minor(), "reported", amount)
	}
	op.status = domain.OperationSucceeded
	upd := tx.Ent.Order.Update().Where(order.ID(op.order.ID))
	rows.credit(upd, amount)
	if err := upd.Exec(ctx); err != nil {
		return err
	}
	// A succeeded part or refund is unsettled money (docs/settlement.md "Unsettled totals").
	if err := settlement.RefreshUnsettled(ctx, tx, op.order.ID); err != nil {
		return err
	}
	return s.recordEvent(ctx, tx, op)
}

// operationEvents are the events of an operation's outcome.
var operationEvents = map[opKind]map[domain.OperationStatus]event.Type{
	opFulfilment: {domain.OperationSucceeded: event.TypeFULFILMENT_SUCCEEDED, domain.OperationFailed: event.TypeFULFILMENT_FAILED},
	opRefund:     {domain.OperationSucceeded: event.TypeREFUND_SUCCEEDED, domain.OperationFailed: event.TypeREFUND_FAILED},
}

// recordEvent records the event of an operation's outcome (op.status) in the
// transaction that recorded it (internal/events).
func (s *Operations) recordEvent(ctx context.Context, tx *db.Tx, op *operation) error {
	t, ok := operationEvents[op.kind][op.status]
	if !ok {
		return nil
	}
	_, err := s.cfg.Events.Record(ctx, tx, events.Change{Type: t, Order: op.order, SubjectID: op.id})
	return err
}

// moveLine moves an operation line's amount, and its item's, by d.
func (s *Operations) moveLine(ctx context.Context, tx *db.Tx, op *operation, itemID string, kind domain.RefundType, d int64) error {
	if err := op.kind.rows().moveLine(ctx, tx.Ent, op.id, itemID, kind, d); err != nil {
		return err
	}
	item := tx.Ent.OrderItem.Update().Where(orderitem.ID(itemID))
	addToItem(item, kind, 0, d)
	return item.Exec(ctx)
}

// recordPending notes an attempt whose outcome is open, and answers errStillPending.
// step is the step that was sent (-1: none): its call is over on our side.
func (s *Operations) recordPending(ctx context.Context, op *operation, step int, cause error) error {
	s.log.WarnContext(ctx, "provider outcome open; the reconcile job will ask again",
		"operation", op.id, "provider", op.order.Provider, "err", cause)
	var err error
	if step >= 0 {
		reason := cause.Error()
		err = s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			status, steps, err := s.lockedOp(ctx, tx, op)
			if err != nil || status != domain.OperationPending || step >= len(steps) {
				return err
			}
			// A provider's answer (5xx) ends the call; a timeout or a broken connection
			// does not: the provider may still be working on it.
			var pe *providers.Error
			steps[step].InFlight = !errors.As(cause, &pe) || pe.HTTPStatus == 0
			steps[step].Error = truncate(reason)
			op.steps = steps
			return s.saveSteps(ctx, tx, op, steps, true, &reason)
		})
		return errors.Join(fmt.Errorf("%w: %w", errStillPending, cause), err)
	}
	_, err = op.kind.rows().whilePending(ctx, s.cfg.DB.Ent, op.id, func(m opMutation) {
		m.AddAttempts(1)
		m.SetFailureReason(truncate(cause.Error()))
	})
	return errors.Join(fmt.Errorf("%w: %w", errStillPending, cause), err)
}

// recordRefusedAfterMoving notes a step the provider refused after an earlier step
// of the operation moved money: the operation stays PENDING, its reservation held,
// and the reconcile job sends the step again. The answer wraps errStillPending.
func (s *Operations) recordRefusedAfterMoving(ctx context.Context, op *operation, i int, cause error) error {
	s.log.WarnContext(ctx, "provider refused a step after an earlier one moved money; the operation stays in progress",
		"operation", op.id, "step", i+1, "provider", op.order.Provider, "err", cause)
	reason := fmt.Sprintf("step %d of %d (%s) refused after earlier steps moved money; retried by the reconcile job: %v",
		i+1, len(op.steps), op.steps[i].Kind, cause)
	err := s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		status, steps, err := s.lockedOp(ctx, tx, op)
		if err != nil || status != domain.OperationPending {
			return err
		}
		steps[i].Error, steps[i].InFlight = truncate(cause.Error()), false
		op.steps = steps
		return s.saveSteps(ctx, tx, op, steps, true, &reason)
	})
	return errors.Join(fmt.Errorf("%w: %w", errStillPending, cause), err)
}

// recordFailed marks the operation FAILED, once, and gives its items back what it
// reserved; the order's fulfilment status follows. Only for an operation no step of
// which moved money. step is the refused step, -1 when none was sent.
func (s *Operations) recordFailed(ctx context.Context, op *operation, step int, reason string) error {
	s.log.WarnContext(ctx, "provider refused an operation; its quantities are released",
		"operation", op.id, "provider", op.order.Provider, "reason", reason)
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		// Lock the order first, like every decision on its quantities.
		lo, err := lockOrder(ctx, s.cfg.DB, tx, op.order.ID)
		if err != nil {
			return err
		}
		status, steps, err := s.lockedOp(ctx, tx, op)
		if err != nil || status != domain.OperationPending {
			return err
		}
		for _, st := range steps {
			if st.Status == domain.OperationSucceeded && (st.AmountMinor != 0 || st.ProviderOperationID != "") {
				return fmt.Errorf("psp: %s moved money in an earlier step; not failed", op.id)
			}
		}
		if step >= 0 && step < len(steps) {
			steps[step].Status, steps[step].Error, steps[step].InFlight = domain.OperationFailed, truncate(reason), false
		}
		now := s.cfg.Now()
		n, err := op.kind.rows().whilePending(ctx, tx.Ent, op.id, func(m opMutation) {
			m.SetStatus(domain.OperationFailed)
			m.SetFailureReason(truncate(reason))
			m.SetCompletedAt(now)
			m.SetSteps(steps)
			m.AddAttempts(1)
		})
		if err != nil || n == 0 {
			return err
		}
		op.status, op.steps = domain.OperationFailed, steps
		if err := s.recordEvent(ctx, tx, op); err != nil {
			return err
		}
		for _, l := range op.lines {
			upd := tx.Ent.OrderItem.Update().Where(orderitem.ID(l.item.ID))
			addToItem(upd, l.kind, -l.quantity, -l.amount.Minor())
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

// sweepArgs asks for one sweep of operations left PENDING.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "psp_reconcile_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	s *Operations
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error { return w.s.Sweep(ctx) }

// Timeout leaves room for a batch of provider calls.
func (w *sweepWorker) Timeout(*river.Job[sweepArgs]) time.Duration { return 10 * time.Minute }

// sweepBatch bounds one sweep per kind.
const sweepBatch = 50

// Sweep reconciles operations that stayed PENDING, untouched, for longer than
// ReconcileAfter + ProviderTimeout: their reconcile job died with a process (River
// rescues a job stuck "running" only after an hour) or ran out of attempts. Oldest
// first, at most sweepBatch of each kind per run; recording is compare-and-set and
// the calls are the stored steps, so running beside a job is harmless.
func (s *Operations) Sweep(ctx context.Context) error {
	ctx = auth.System(ctx)
	cutoff := s.cfg.Now().Add(-s.cfg.ReconcileAfter - s.cfg.ProviderTimeout)
	pending := make([][]string, len(opKinds))
	for i, kind := range opKinds {
		var err error
		if pending[i], err = kind.rows().pendingSince(ctx, s.cfg.DB.Ent, cutoff, sweepBatch); err != nil {
			return err
		}
	}
	for i, kind := range opKinds {
		for _, id := range pending[i] {
			if err := s.Reconcile(ctx, kind, id); err != nil && !errors.Is(err, errStillPending) {
				s.log.ErrorContext(ctx, "sweep: reconcile failed", "operation", id, "err", err)
			}
		}
	}
	return nil
}

// PeriodicJobs is the sweep, every ReconcileAfter and once when the leader starts.
func (s *Operations) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(s.cfg.ReconcileAfter),
		func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
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
