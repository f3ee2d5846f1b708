package psp

import (
	"context"
	"fmt"
	"math/big"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/fulfilmentline"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// An operation's provider plan: the calls it makes, decided once in the transaction
// that reserves it (under the order's lock) and stored with it as steps, so every
// attempt — the request, the reconcile job, a restart — replays the same calls with
// the same keys, amounts, tax splits and credited captures. Nothing is recomputed
// from the provider's or our current state. docs/provider-operations.md tells why.

// stepLines are plan lines as steps carry them, with the VAT each line holds.
func (lo *lockedOrder) stepLines(lines []PlannedLine) []domain.StepLine {
	out := make([]domain.StepLine, len(lines))
	for i, l := range lines {
		it := lo.items[l.Item]
		out[i] = domain.StepLine{ItemID: it.ID, SKU: it.Sku, Kind: l.Type, Quantity: l.Quantity,
			AmountMinor: l.Amount.Minor(), TaxMinor: providers.TaxOf(l.Amount, it.VatRateBps).Minor()}
	}
	return out
}

// newStep is a step of lines, by lines when the provider takes them as they are.
func newStep(kind domain.StepKind, key, currency string, lines []domain.StepLine, byLines func([]providers.Line) bool) domain.OperationStep {
	st := domain.OperationStep{Kind: kind, Key: key, Currency: currency, Lines: lines, Status: domain.OperationPending}
	pl := make([]providers.Line, len(lines))
	for i, l := range lines {
		st.AmountMinor += l.AmountMinor
		st.TaxMinor += l.TaxMinor
		pl[i] = providers.Line{SKU: l.SKU, Quantity: l.Quantity}
	}
	st.ByLines = byLines(pl)
	return st
}

// planSteps decides the provider calls of an operation being reserved.
func (s *Operations) planSteps(ctx context.Context, c *ent.Client, lo *lockedOrder, kind opKind, id string, pl Plan) ([]domain.OperationStep, error) {
	caps := s.cfg.Capabilities(lo.order.Provider)
	cur := lo.order.Currency
	lines := lo.stepLines(pl.Lines)
	if kind == opFulfilment {
		return []domain.OperationStep{newStep(domain.StepCapture, id, cur, lines, caps.CaptureByLines)}, nil
	}
	if caps.RefundInOneCall {
		return []domain.OperationStep{newStep(domain.StepRefund, id, cur, lines, caps.RefundByLines)}, nil
	}
	var ret, cnl []domain.StepLine
	for _, l := range lines {
		if l.Kind == domain.RefundCancel {
			cnl = append(cnl, l)
		} else {
			ret = append(ret, l)
		}
	}
	var cancel, returns []domain.OperationStep
	if len(cnl) > 0 {
		cancel = []domain.OperationStep{newStep(domain.StepCancel, id, cur, cnl, caps.RefundByLines)}
	}
	if len(ret) > 0 {
		st := newStep(domain.StepReturn, id, cur, ret, caps.RefundByLines)
		returns = []domain.OperationStep{st}
		if caps.RefundsAgainstCapture {
			var err error
			if returns, err = s.allocateCredits(ctx, c, lo, id, st); err != nil {
				return nil, err
			}
		}
	}
	if caps.CancelFirst {
		return append(cancel, returns...), nil
	}
	return append(returns, cancel...), nil
}

// captureRoom is what one capture has left to credit.
type captureRoom struct {
	fulfilment, ref string
	gross, tax      int64
	byLines         bool
	qty             map[string]money.Quantity // by item id
}

// allocateCredits spreads a RETURN over the order's captures for a provider whose
// credits belong to one capture (Billie): all of it to the newest capture that can
// take it with its lines, else by amount over the captures, newest first. What
// earlier refunds — SUCCEEDED or still PENDING — credited to a capture is taken
// from its room, and the order's lock is held, so concurrent returns never choose
// the same room. The last piece that empties a capture takes its exact remaining
// tax, so the credits of a capture add up to its invoice.
func (s *Operations) allocateCredits(ctx context.Context, c *ent.Client, lo *lockedOrder, id string, ret domain.OperationStep) ([]domain.OperationStep, error) {
	rooms, err := s.captureRooms(ctx, c, lo, id)
	if err != nil {
		return nil, err
	}
	if ret.ByLines {
		for _, r := range rooms {
			fits := r.byLines && r.gross >= ret.AmountMinor
			for _, l := range ret.Lines {
				fits = fits && r.qty[l.ItemID] >= l.Quantity
			}
			if fits {
				ret.Target, ret.TargetFulfilment = r.ref, r.fulfilment
				return []domain.OperationStep{ret}, nil
			}
		}
	}
	if ret.ByLines {
		// No one capture holds all the lines: split the lines themselves over the
		// captures, so every credit names what it returns. A credit by amount alone
		// would leave the provider's returned quantities behind ours.
		if out, ok := splitLines(lo, id, ret, rooms); ok {
			return out, nil
		}
	}
	// By amount: the captures that hold the return's items first (taken by lines,
	// for a return by lines), newest first, then the others. A return of an item
	// Billie does not know as a line (a fractional one) must not eat the invoice of
	// another item's lines: that item's own return could then no longer name its
	// line there, and the provider's returned quantity would fall behind ours.
	ordered := make([]*captureRoom, 0, len(rooms))
	holds := func(r *captureRoom) bool {
		for _, l := range ret.Lines {
			if r.qty[l.ItemID] > 0 && (r.byLines || !ret.ByLines) {
				return true
			}
		}
		return false
	}
	for _, first := range []bool{true, false} {
		for _, r := range rooms {
			if holds(r) == first {
				ordered = append(ordered, r)
			}
		}
	}
	var out []domain.OperationStep
	var from []*captureRoom
	rest := ret.AmountMinor
	for _, r := range ordered {
		if rest == 0 {
			break
		}
		take := min(rest, r.gross)
		if take <= 0 {
			continue
		}
		tax := r.tax
		if take < r.gross {
			tax = mulDivHalfUp(take, r.tax, r.gross)
		}
		key := id
		if len(out) > 0 {
			key = fmt.Sprintf("%s-%d", id, len(out)+1)
		}
		out = append(out, domain.OperationStep{Kind: domain.StepReturn, Key: key, Currency: ret.Currency,
			AmountMinor: take, TaxMinor: tax, Target: r.ref, TargetFulfilment: r.fulfilment, Status: domain.OperationPending})
		from = append(from, r)
		rest -= take
	}
	if rest > 0 {
		return nil, domain.RefuseErr(ErrReturnExceedsCaptures, domain.Field("items"), fmt.Sprintf(
			"the order's captures have %s less left to credit than this return", money.New(rest, ret.Currency)))
	}
	if ret.ByLines && attachLines(out, from, ret) {
		return out, nil
	}
	if len(out) == 1 {
		out[0].Lines = ret.Lines // by amount, but for one capture: still the return's lines
	}
	return out, nil
}

// attachLines gives the quantities of a RETURN by lines to its credits by amount:
// each credit on a capture taken by lines names what of the lines that capture
// still holds, its amount (and tax) shared over them by the lines' unit amounts.
// A credit by amount alone would leave the provider's returned quantities behind
// ours. It answers false, changing nothing, when the credited captures cannot hold
// all the quantities.
func attachLines(out []domain.OperationStep, from []*captureRoom, ret domain.OperationStep) bool {
	needQ := make([]money.Quantity, len(ret.Lines))
	for i, l := range ret.Lines {
		needQ[i] = l.Quantity
	}
	parts := make([][]domain.StepLine, len(out))
	for k, r := range from {
		if !r.byLines {
			continue
		}
		for i, l := range ret.Lines {
			if q := min(needQ[i], r.qty[l.ItemID]); q > 0 {
				part := l
				part.Quantity = q
				parts[k] = append(parts[k], part)
				needQ[i] -= q
			}
		}
	}
	for _, q := range needQ {
		if q != 0 {
			return false
		}
	}
	for k := range out {
		if len(parts[k]) == 0 {
			continue
		}
		// Weights: each part's share of its line's amount.
		w := make([]int64, len(parts[k]))
		var sum int64
		for j, p := range parts[k] {
			for _, l := range ret.Lines {
				if l.ItemID == p.ItemID && l.Kind == p.Kind {
					w[j] = mulDivHalfUp(int64(p.Quantity), l.AmountMinor, max(int64(l.Quantity), 1))
				}
			}
			sum += w[j]
		}
		leftA, leftT, leftW := out[k].AmountMinor, out[k].TaxMinor, sum
		for j := range parts[k] {
			a, t := leftA, leftT
			if j < len(parts[k])-1 {
				a, t = mulDivHalfUp(leftA, w[j], max(leftW, 1)), mulDivHalfUp(leftT, w[j], max(leftW, 1))
			}
			parts[k][j].AmountMinor, parts[k][j].TaxMinor = a, t
			leftA, leftT, leftW = leftA-a, leftT-t, leftW-w[j]
		}
		out[k].Lines, out[k].ByLines = parts[k], true
	}
	return true
}

// splitLines spreads a RETURN by lines over the captures taken by lines, newest
// first: each takes of every line what it holds, with that part of the line's amount
// (the part that takes a line's last quantity takes the rest of its amount), and
// becomes one credit of those lines. It answers false when the captures cannot take
// all the lines that way (a capture by amount, or not enough room).
func splitLines(lo *lockedOrder, id string, ret domain.OperationStep, rooms []*captureRoom) ([]domain.OperationStep, bool) {
	needQ := make([]money.Quantity, len(ret.Lines))
	needA := make([]int64, len(ret.Lines))
	for i, l := range ret.Lines {
		needQ[i], needA[i] = l.Quantity, l.AmountMinor
	}
	var out []domain.OperationStep
	for _, r := range rooms {
		if !r.byLines {
			continue
		}
		var lines []domain.StepLine
		for i, l := range ret.Lines {
			q := min(needQ[i], r.qty[l.ItemID])
			if q <= 0 {
				continue
			}
			a := needA[i]
			if q < needQ[i] {
				a = mulDivHalfUp(int64(q), needA[i], int64(needQ[i]))
			}
			part := l
			part.Quantity, part.AmountMinor = q, a
			part.TaxMinor = mulDivHalfUp(a, l.TaxMinor, max(l.AmountMinor, 1))
			for _, it := range lo.items {
				if it.ID == l.ItemID {
					part.TaxMinor = providers.TaxOf(money.New(a, ret.Currency), it.VatRateBps).Minor()
				}
			}
			lines = append(lines, part)
		}
		if len(lines) == 0 {
			continue
		}
		key := id
		if len(out) > 0 {
			key = fmt.Sprintf("%s-%d", id, len(out)+1)
		}
		st := domain.OperationStep{Kind: domain.StepReturn, Key: key, Currency: ret.Currency, Lines: lines, ByLines: true,
			Target: r.ref, TargetFulfilment: r.fulfilment, Status: domain.OperationPending}
		for _, l := range lines {
			st.AmountMinor += l.AmountMinor
			st.TaxMinor += l.TaxMinor
		}
		if st.AmountMinor > r.gross {
			return nil, false
		}
		for i, l := range ret.Lines {
			for _, p := range lines {
				if p.ItemID == l.ItemID && p.Kind == l.Kind {
					needQ[i] -= p.Quantity
					needA[i] -= p.AmountMinor
				}
			}
		}
		out = append(out, st)
	}
	for i := range needQ {
		if needQ[i] != 0 || needA[i] != 0 {
			return nil, false
		}
	}
	return out, true
}

// captureRooms are the order's confirmed captures, newest first, less what other
// refunds not FAILED credit to them.
func (s *Operations) captureRooms(ctx context.Context, c *ent.Client, lo *lockedOrder, except string) ([]*captureRoom, error) {
	fs, err := c.Fulfilment.Query().
		Where(fulfilment.OrderID(lo.order.ID), fulfilment.StatusEQ(domain.OperationSucceeded), fulfilment.ProviderOperationIDNEQ("")).
		Order(ent.Desc(fulfilment.FieldCreatedAt), ent.Desc(fulfilment.FieldID)).
		WithLines(func(q *ent.FulfilmentLineQuery) { q.Order(fulfilmentline.ByID()) }).All(ctx)
	if err != nil {
		return nil, err
	}
	vat := map[string]int64{}
	for _, it := range lo.items {
		vat[it.ID] = it.VatRateBps
	}
	rooms := make([]*captureRoom, len(fs))
	byFulfilment := map[string]*captureRoom{}
	for i, f := range fs {
		r := &captureRoom{fulfilment: f.ID, ref: f.ProviderOperationID, gross: f.AmountMinor, qty: map[string]money.Quantity{}}
		if len(f.Steps) == 1 {
			r.tax, r.byLines = f.Steps[0].TaxMinor, f.Steps[0].ByLines
		} else { // captured before steps were stored: as the client split it then
			r.byLines = true
			for _, l := range f.Edges.Lines {
				r.tax += providers.TaxOf(money.New(l.AmountMinor, l.Currency), vat[l.OrderItemID]).Minor()
				r.byLines = r.byLines && l.Quantity.IsWhole()
			}
		}
		for _, l := range f.Edges.Lines {
			r.qty[l.OrderItemID] += l.Quantity
		}
		rooms[i], byFulfilment[f.ID] = r, r
	}
	rs, err := c.Refund.Query().
		Where(refund.OrderID(lo.order.ID), refund.StatusIn(domain.OperationSucceeded, domain.OperationPending),
			refund.ReturnAmountMinorGT(0), refund.IDNEQ(except)).
		Order(ent.Asc(refund.FieldCreatedAt), ent.Asc(refund.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, rf := range rs {
		if len(rf.Steps) == 0 {
			// Refunded before steps were stored: the client credited newest first.
			rest := rf.ReturnAmountMinor
			for _, r := range rooms {
				take := min(rest, r.gross)
				r.take(take, r.tax*take/max(r.gross, 1), nil)
				rest -= take
			}
			continue
		}
		for _, st := range rf.Steps {
			if r := byFulfilment[st.TargetFulfilment]; st.Kind == domain.StepReturn && r != nil {
				var lines []domain.StepLine
				if st.ByLines {
					lines = st.Lines
				}
				r.take(st.AmountMinor, st.TaxMinor, lines)
			}
		}
	}
	return rooms, nil
}

func (r *captureRoom) take(gross, tax int64, lines []domain.StepLine) {
	r.gross -= gross
	r.tax -= tax
	for _, l := range lines {
		r.qty[l.ItemID] -= l.Quantity
	}
}

// mulDivHalfUp is round_half_up(a × b / d) for a, b ≥ 0, d > 0, exact.
func mulDivHalfUp(a, b, d int64) int64 {
	if d <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	n.Mul(n, big.NewInt(2)).Add(n, big.NewInt(d))
	return n.Quo(n, new(big.Int).Mul(big.NewInt(d), big.NewInt(2))).Int64()
}
