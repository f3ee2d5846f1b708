package psp

import (
	"context"
	"fmt"
	"sort"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// planLegacy plans the steps of an operation reserved before steps were stored, as
// its reservation would have: under the order's lock, once. For a provider without
// idempotency keys the old code may have sent it, so its steps count as sent.
func (s *Operations) planLegacy(ctx context.Context, op *operation) error {
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		lo, err := lockOrder(ctx, s.cfg.DB, tx, op.order.ID)
		if err != nil {
			return err
		}
		status, steps, err := s.lockedOp(ctx, tx, op)
		if err != nil {
			return err
		}
		if len(steps) > 0 || status != domain.OperationPending {
			op.status, op.steps = status, steps
			return nil
		}
		index := map[string]int{}
		for i, it := range lo.items {
			index[it.ID] = i
		}
		var pl Plan
		for _, l := range op.lines {
			pl.Lines = append(pl.Lines, PlannedLine{Item: index[l.item.ID], SKU: l.item.Sku, Type: l.kind, Quantity: l.quantity, Amount: l.amount})
		}
		if steps, err = s.planSteps(ctx, tx.Ent, lo, op.kind, op.id, pl); err != nil {
			return err
		}
		if s.cfg.Capabilities(op.order.Provider).NoIdempotencyKey {
			for i := range steps {
				steps[i].SentSeq = op.createdAt.UnixNano()
			}
		}
		op.steps = steps
		return s.saveSteps(ctx, tx, op, steps, false, nil)
	})
}

// qtys are an item's quantities as a provider holds them.
type qtys struct{ fulfilled, cancelled, returned money.Quantity }

// at is the quantity a line of a kind moves.
func (q *qtys) at(kind domain.StepKind, t domain.RefundType) *money.Quantity {
	switch {
	case kind == domain.StepCapture:
		return &q.fulfilled
	case t == domain.RefundCancel:
		return &q.cancelled
	}
	return &q.returned
}

// unanswered is a step that went out without a definite answer.
type unanswered struct {
	op   *operation
	step int
}

// reconcileUnkeyed resolves the order's calls that went out to a provider without
// idempotency keys and got no definite answer (Paywerk). Such a provider cannot be
// asked about one call, only about the order, so: take its per-item fulfilled,
// cancelled and returned quantities, take away what our answered steps account
// for, and walk the unanswered steps in the order they were sent: one whose lines
// the surplus covers was applied (SUCCEEDED, and the operation finished when it was
// its last step); one it does not cover never arrived or was refused, and loses its
// stamp, so it is sent again. Comparing quantities, not amounts, is what tells a
// 0.5-unit capture from another one; going in send order is what the provider did.
// The whole decision is taken under the order's lock. See paywerk/doc.go.
func (s *Operations) reconcileUnkeyed(ctx context.Context, p providers.Provider, ord *ent.Order) error {
	st, err := p.FetchStatus(ctx, ord.ProviderReference)
	if err != nil {
		return err
	}
	if st.Items == nil {
		return fmt.Errorf("%s gave no per-item quantities for %s", ord.Provider, ord.ProviderReference)
	}
	return s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		lo, err := lockOrder(ctx, s.cfg.DB, tx, ord.ID)
		if err != nil {
			return err
		}
		sku := map[string]string{}
		for _, it := range lo.items {
			sku[it.ID] = it.Sku
		}
		surplus := map[string]*qtys{}
		for _, it := range st.Items {
			surplus[it.SKU] = &qtys{fulfilled: it.Fulfilled, cancelled: it.Cancelled, returned: it.Returned}
		}
		get := func(s string) *qtys {
			if surplus[s] == nil {
				surplus[s] = &qtys{}
			}
			return surplus[s]
		}
		ops, err := s.orderOperations(ctx, tx.Ent, ord.ID)
		if err != nil {
			return err
		}
		var open []unanswered
		for _, op := range ops {
			if len(op.steps) == 0 { // older than steps: its lines are what it moved
				if op.status == domain.OperationSucceeded {
					for _, l := range op.lines {
						kind := domain.StepRefund
						if op.kind == opFulfilment {
							kind = domain.StepCapture
						}
						*get(l.item.Sku).at(kind, l.kind) -= l.quantity
					}
				}
				continue
			}
			for i, stp := range op.steps {
				switch {
				case stp.Status == domain.OperationSucceeded:
					for _, l := range stp.Lines {
						*get(sku[l.ItemID]).at(stp.Kind, l.Kind) -= l.Quantity
					}
				case op.status == domain.OperationPending && stp.Status == domain.OperationPending && stp.SentSeq > 0:
					open = append(open, unanswered{op, i})
				}
			}
		}
		sort.SliceStable(open, func(a, b int) bool {
			return open[a].op.steps[open[a].step].SentSeq < open[b].op.steps[open[b].step].SentSeq
		})
		touched := map[*operation]bool{}
		for _, u := range open {
			stp := &u.op.steps[u.step]
			covered := true
			for _, l := range stp.Lines {
				covered = covered && *get(sku[l.ItemID]).at(stp.Kind, l.Kind) >= l.Quantity
			}
			if covered {
				for _, l := range stp.Lines {
					*get(sku[l.ItemID]).at(stp.Kind, l.Kind) -= l.Quantity
				}
				stp.Status = domain.OperationSucceeded
				s.log.InfoContext(ctx, "unanswered call found applied at the provider", "operation", u.op.id, "provider", ord.Provider)
			} else {
				stp.SentSeq = 0 // not at the provider: send it again
				s.log.InfoContext(ctx, "unanswered call not found at the provider; it will be sent again", "operation", u.op.id, "provider", ord.Provider)
			}
			touched[u.op] = true
		}
		for _, u := range open {
			op := u.op
			if !touched[op] {
				continue
			}
			touched[op] = false
			done := true
			for _, stp := range op.steps {
				done = done && stp.Status == domain.OperationSucceeded
			}
			if done {
				err = s.finish(ctx, tx, op)
			} else {
				err = s.saveSteps(ctx, tx, op, op.steps, false, nil)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// orderOperations are the order's fulfilments and refunds that are not FAILED.
func (s *Operations) orderOperations(ctx context.Context, c *ent.Client, orderID string) ([]*operation, error) {
	fids, err := c.Fulfilment.Query().Where(fulfilment.OrderID(orderID), fulfilment.StatusNEQ(domain.OperationFailed)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	rids, err := c.Refund.Query().Where(refund.OrderID(orderID), refund.StatusNEQ(domain.OperationFailed)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []*operation
	for _, k := range []struct {
		kind opKind
		ids  []string
	}{{opFulfilment, fids}, {opRefund, rids}} {
		for _, id := range k.ids {
			op, err := s.loadOperationWith(ctx, c, k.kind, id)
			if err != nil {
				return nil, err
			}
			out = append(out, op)
		}
	}
	return out, nil
}
