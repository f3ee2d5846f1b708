package psp

import (
	"context"
	"errors"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/idempotency"
	"github.com/pspbackoffice/backoffice/internal/ids"
)

// Refunds give money back (RETURN: it came back, from what was captured) or lower
// what the shopper owes (CANCEL: it cannot be sent, from what was never captured);
// AUTO is resolved by the rules before anything is stored. A refund is one provider
// call with both parts, or one per part (steps.go), as the provider takes them; the
// settlement engine consumes SUCCEEDED refunds whose
// settlement_id is NULL.

// MaxReasonLength is the longest refund reason kept.
const MaxReasonLength = 500

// RefundInput is refundOrder's (and previewRefund's) input.
type RefundInput struct {
	OrderID        string
	Items          []RefundRequestItem
	Reason         string
	IdempotencyKey string
}

// RefundAllInput is refundAll's input.
type RefundAllInput struct {
	OrderID        string
	Reason         string
	IdempotencyKey string
}

// RefundResult is a refund and its order after the provider's answer (or their
// current state, for a replay).
type RefundResult struct {
	Refund   *ent.Refund
	Order    *ent.Order
	Replayed bool
}

// Refund refunds quantities of items. A refusal is a *domain.Refusal; when the
// provider refuses, the result carries the FAILED refund beside PROVIDER_ERROR.
func (s *Operations) Refund(ctx context.Context, in RefundInput) (*RefundResult, error) {
	if err := refuseTooManyItems(len(in.Items)); err != nil {
		return nil, err
	}
	req := idempotency.Request{Operation: "refundOrder", Key: in.IdempotencyKey,
		Input: struct {
			OrderID string              `json:"orderId"`
			Items   []RefundRequestItem `json:"items"`
			Reason  string              `json:"reason"`
		}{in.OrderID, in.Items, in.Reason}}
	return s.refund(ctx, req, in.OrderID, in.Reason, func(currency string, items []ItemState) (Plan, error) {
		return PlanRefund(currency, items, in.Items)
	})
}

// RefundAll refunds the whole order: RETURN of what was fulfilled, CANCEL of the rest.
func (s *Operations) RefundAll(ctx context.Context, in RefundAllInput) (*RefundResult, error) {
	req := idempotency.Request{Operation: "refundAll", Key: in.IdempotencyKey,
		Input: struct {
			OrderID string `json:"orderId"`
			Reason  string `json:"reason"`
		}{in.OrderID, in.Reason}}
	return s.refund(ctx, req, in.OrderID, in.Reason, PlanRefundAll)
}

func (s *Operations) refund(ctx context.Context, req idempotency.Request, orderID, reason string, plan planFunc) (*RefundResult, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReasonLength {
		return nil, domain.RefuseErr(ErrInvalidOperation, domain.Field("reason"), "the reason is longer than 500 characters")
	}
	var op *operation
	ref, replayed, err := idempotency.Run(ctx, s.cfg.DB, req, func(ctx context.Context, tx *db.Tx) (opRef, error) {
		var err error
		if op, err = s.reserveRefund(ctx, tx, req.Operation, orderID, reason, plan); err != nil {
			return opRef{}, err
		}
		return opRef{ID: op.id}, nil
	})
	if err != nil {
		return nil, err
	}
	if !replayed {
		if err := s.executeOp(ctx, op, false); err != nil && !errors.Is(err, errStillPending) {
			return nil, err
		}
	}
	r, err := s.cfg.DB.Ent.Refund.Query().Where(refund.ID(ref.ID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	ord, err := s.orderOf(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	res := &RefundResult{Refund: r, Order: ord, Replayed: replayed}
	if r.Status == domain.OperationFailed {
		return res, providerRefused(ord, "refund", r.FailureReason)
	}
	return res, nil
}

// reserveRefund is step 1 of a refund: decide under lock, reserve, record PENDING,
// schedule the reconcile job.
func (s *Operations) reserveRefund(ctx context.Context, tx *db.Tx, action, orderID, reason string, plan planFunc) (*operation, error) {
	lo, err := lockOrder(ctx, s.cfg.DB, tx, orderID)
	if err != nil {
		return nil, err
	}
	if err := lo.requireConfirmed(); err != nil {
		return nil, err
	}
	states, err := lo.states(ctx, tx.Ent, true)
	if err != nil {
		return nil, err
	}
	pl, err := plan(lo.order.Currency, states)
	if err != nil {
		return nil, err
	}
	id := ids.New("ref")
	steps, err := s.planSteps(ctx, tx.Ent, lo, opRefund, id, pl)
	if err != nil {
		return nil, err
	}
	r, err := tx.Ent.Refund.Create().SetID(id).SetSteps(steps).SetOrderID(orderID).SetCompanyID(lo.order.CompanyID).
		SetStatus(domain.OperationPending).SetCurrency(lo.order.Currency).SetAmountMinor(pl.Amount.Minor()).
		SetReturnAmountMinor(pl.ReturnAmount.Minor()).SetCancelAmountMinor(pl.CancelAmount.Minor()).
		SetReason(reason).Save(ctx)
	if err != nil {
		return nil, err
	}
	lines := make([]*ent.RefundLineCreate, len(pl.Lines))
	for i, l := range pl.Lines {
		lines[i] = tx.Ent.RefundLine.Create().SetRefundID(r.ID).SetOrderItemID(lo.items[l.Item].ID).
			SetRefundType(l.Type).SetQuantity(l.Quantity).SetCurrency(l.Amount.Currency()).SetAmountMinor(l.Amount.Minor())
	}
	if err := tx.Ent.RefundLine.CreateBulk(lines...).Exec(ctx); err != nil {
		return nil, err
	}
	if err := lo.reserve(ctx, tx, pl); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, action, lo.order, r.ID, auditInput(pl, reason)); err != nil {
		return nil, err
	}
	if err := s.scheduleReconcile(ctx, tx, opRefund, r.ID); err != nil {
		return nil, err
	}
	return lo.operation(opRefund, r.ID, r.CreatedAt, pl, reason, steps), nil
}
