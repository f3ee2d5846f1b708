package psp

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
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
// for, and find which of the unanswered steps the rest is made of, exactly, item by
// item, trying them in the order they were sent (earlier ones first when two
// choices fit, as the provider applies calls in the order they arrive). Those were
// applied (SUCCEEDED, and their operation finished when it was its last step); the
// others never arrived or were refused, and lose their stamp, so they are sent
// again. Comparing quantities, not amounts, is what tells a 0.5-unit capture from a
// 1-unit one. When no choice fits exactly, or a call may still be on its way (stamped
// less than twice ProviderTimeout ago and never answered), nothing is decided and the
// job asks again later.
// The decision is taken under the order's lock. See paywerk/doc.go.
func (s *Operations) reconcileUnkeyed(ctx context.Context, p providers.Provider, ord *ent.Order) error {
	// Every call is stamped before it goes out and recorded after: when nothing of
	// the order's operations changed around the status read, the status holds
	// exactly the calls our records know of. Otherwise a call moved meanwhile and
	// the comparison could count it on one side only: ask again later.
	before, err := s.orderOperations(ctx, s.cfg.DB.Ent, ord.ID)
	if err != nil {
		return err
	}
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
		if fingerprint(ops) != fingerprint(before) {
			return fmt.Errorf("calls to %s on this order moved while its status was read; asking again later", ord.Provider)
		}
		var open []unanswered
		var known [3]int64 // what our answered calls moved: fulfilled, cancelled, returned
		for _, op := range ops {
			if len(op.steps) == 0 { // older than steps: its lines are what it moved
				if op.status == domain.OperationSucceeded {
					for _, l := range op.lines {
						kind := domain.StepRefund
						if op.kind == opFulfilment {
							kind = domain.StepCapture
						}
						*get(l.item.Sku).at(kind, l.kind) -= l.quantity
						known[category(kind, l.kind)] += l.amount.Minor()
					}
				}
				continue
			}
			for i, stp := range op.steps {
				switch {
				case stp.Status == domain.OperationSucceeded:
					for _, l := range stp.Lines {
						*get(sku[l.ItemID]).at(stp.Kind, l.Kind) -= l.Quantity
						known[category(stp.Kind, l.Kind)] += lineMoved(l)
					}
				case op.status == domain.OperationPending && stp.Status == domain.OperationPending && stp.SentSeq > 0:
					open = append(open, unanswered{op, i})
				}
			}
		}
		sort.SliceStable(open, func(a, b int) bool {
			return open[a].op.steps[open[a].step].SentSeq < open[b].op.steps[open[b].step].SentSeq
		})
		// A call without an answer may still be on its way for a while after the sender
		// gave up (at ProviderTimeout): leave it alone for twice that.
		inFlight := s.cfg.Now().Add(-2 * s.cfg.ProviderTimeout).UnixNano()
		for _, u := range open {
			if st := u.op.steps[u.step]; st.InFlight && st.SentSeq > inFlight {
				return fmt.Errorf("a call to %s on this order may still be under way; asking again later", ord.Provider)
			}
		}
		if len(open) > maxUnanswered {
			return fmt.Errorf("%d unanswered calls to %s on one order: more than can be told apart", len(open), ord.Provider)
		}
		applied, ok := appliedSubset(open, surplus, sku)
		if !ok {
			return fmt.Errorf("%s holds quantities no set of our unanswered calls explains; left for an operator", ord.Provider)
		}
		// The provider computes amounts itself, and in the order calls arrived (the
		// part that takes a line's last quantity takes its rest): what its totals hold
		// beyond our answered calls and the plans of the applied ones belongs to the
		// applied ones, recorded as reported (and flagged) on the last of each kind.
		last := [3]*domain.StepLine{}
		for k, u := range open {
			if applied&(1<<k) == 0 {
				continue
			}
			stp := &u.op.steps[u.step]
			for j := range stp.Lines {
				c := category(stp.Kind, stp.Lines[j].Kind)
				known[c] += stp.Lines[j].AmountMinor
				last[c] = &stp.Lines[j]
			}
		}
		held := [3]int64{st.Captured.Minor(), st.Authorized.Minor() - st.Amount.Minor() - st.Refunded.Minor(), st.Refunded.Minor()}
		for c := range held {
			if d := held[c] - known[c]; d != 0 && last[c] != nil {
				v := last[c].AmountMinor + d
				last[c].ReportedMinor = &v
			}
		}
		touched := map[*operation]bool{}
		for k, u := range open {
			stp := &u.op.steps[u.step]
			if applied&(1<<k) != 0 {
				stp.Status, stp.InFlight = domain.OperationSucceeded, false
				s.log.InfoContext(ctx, "unanswered call found applied at the provider", "operation", u.op.id, "provider", ord.Provider)
			} else {
				stp.SentSeq, stp.InFlight = 0, false // not at the provider: send it again
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

// fingerprint is what of the order's operations a call to the provider changes:
// each operation's status and each step's status and send stamp.
func fingerprint(ops []*operation) string {
	parts := make([]string, 0, len(ops))
	for _, op := range ops {
		p := op.id + ":" + string(op.status)
		for _, st := range op.steps {
			p += fmt.Sprintf("/%s,%d,%t", st.Status, st.SentSeq, st.InFlight)
		}
		parts = append(parts, p)
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

// category is where a line's amount counts at the provider: 0 fulfilled, 1
// cancelled, 2 returned.
func category(kind domain.StepKind, t domain.RefundType) int {
	switch {
	case kind == domain.StepCapture:
		return 0
	case t == domain.RefundCancel:
		return 1
	}
	return 2
}

// lineMoved is what a line moved: the provider's figure when it gave one.
func lineMoved(l domain.StepLine) int64 {
	if l.ReportedMinor != nil {
		return *l.ReportedMinor
	}
	return l.AmountMinor
}

// maxUnanswered bounds the search over unanswered calls of one order (2^n subsets).
const maxUnanswered = 12

// appliedSubset is the set of unanswered steps (bit k: open[k]) whose lines make up
// the surplus exactly; among several, the one that takes the earliest-sent steps.
func appliedSubset(open []unanswered, surplus map[string]*qtys, sku map[string]string) (uint, bool) {
	n := len(open)
	// Subsets in the order "earliest-sent first": compare bit-reversed masks, so a
	// set with open[0] comes before any set without it.
	best, found := uint(0), false
	rank := func(m uint) uint {
		var r uint
		for k := 0; k < n; k++ {
			if m&(1<<k) != 0 {
				r |= 1 << (n - 1 - k)
			}
		}
		return r
	}
	for m := uint(0); m < 1<<n; m++ {
		rest := map[string]qtys{}
		for k, v := range surplus {
			rest[k] = *v
		}
		for k, u := range open {
			if m&(1<<k) == 0 {
				continue
			}
			stp := u.op.steps[u.step]
			for _, l := range stp.Lines {
				q := rest[sku[l.ItemID]]
				*q.at(stp.Kind, l.Kind) -= l.Quantity
				rest[sku[l.ItemID]] = q
			}
		}
		exact := true
		for _, q := range rest {
			exact = exact && q == qtys{}
		}
		if exact && (!found || rank(m) > rank(best)) {
			best, found = m, true
		}
	}
	return best, found
}

// orderOperations are the order's fulfilments and refunds that are not FAILED.
func (s *Operations) orderOperations(ctx context.Context, c *ent.Client, orderID string) ([]*operation, error) {
	var out []*operation
	for _, kind := range opKinds {
		ids, err := kind.rows().notFailed(ctx, c, orderID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			op, err := s.loadOperationWith(ctx, c, kind, id)
			if err != nil {
				return nil, err
			}
			out = append(out, op)
		}
	}
	return out, nil
}
