package psp

import (
	"context"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/idempotency"
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
	id, replayed, err := s.operate(ctx, req, opRefund, orderID, reason, plan)
	if err != nil {
		return nil, err
	}
	r, err := s.cfg.DB.Ent.Refund.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ord, err := s.orderOf(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	return &RefundResult{Refund: r, Order: ord, Replayed: replayed}, refusedIf(ord, r.Status, "refund", r.FailureReason)
}
