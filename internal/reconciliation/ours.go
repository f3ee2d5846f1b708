package reconciliation

import (
	"context"
	"slices"

	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// loadChunk is how many orders are loaded (with their items and operations) at once.
const loadChunk = 500

// loadOurs reads the day's orders of a PSP at a provider (package doc), with their
// items and every fulfilment and refund, from Source.
func (s *Service) loadOurs(ctx context.Context, pspID string, pr domain.Provider, day domain.Date) ([]ourOrder, error) {
	c := s.cfg.Source
	from := day.Time()
	to := from.AddDate(0, 0, 1)
	ofPSP := order.And(order.PspID(pspID), order.ProviderEQ(pr))
	created, err := c.Order.Query().Where(ofPSP, order.CreatedAtGTE(from), order.CreatedAtLT(to)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var fulfilled, refunded []string
	if err := c.Fulfilment.Query().Where(fulfilment.CreatedAtGTE(from), fulfilment.CreatedAtLT(to), fulfilment.HasOrderWith(ofPSP)).
		Unique(true).Select(fulfilment.FieldOrderID).Scan(ctx, &fulfilled); err != nil {
		return nil, err
	}
	if err := c.Refund.Query().Where(refund.CreatedAtGTE(from), refund.CreatedAtLT(to), refund.HasOrderWith(ofPSP)).
		Unique(true).Select(refund.FieldOrderID).Scan(ctx, &refunded); err != nil {
		return nil, err
	}
	ids := append(append(created, fulfilled...), refunded...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]ourOrder, 0, len(ids))
	for chunk := range slices.Chunk(ids, loadChunk) {
		orders, err := c.Order.Query().Where(order.IDIn(chunk...)).
			WithItems().WithFulfilments().WithRefunds().Order(order.ByID()).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orders {
			out = append(out, ourOrder{order: o, items: o.Edges.Items, fulfilments: o.Edges.Fulfilments, refunds: o.Edges.Refunds})
		}
	}
	return out, nil
}
