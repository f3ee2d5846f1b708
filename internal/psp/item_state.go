package psp

import (
	"context"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/fulfilmentline"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// ItemStates are stored items as the rules see them, with the quantities still
// awaiting a capture at the provider (PendingFulfilled: returns may not take them).
// It is the one reading of an item's quantities: the fulfil and refund services
// decide on it, and GraphQL's OrderItem.openQuantity and returnableQuantity show it,
// so the UI offers exactly what a request would be allowed to take. All items must
// belong to one order; withPending false skips the query (fulfilments never look at
// pending captures).
func ItemStates(ctx context.Context, c *ent.Client, items []*ent.OrderItem, withPending bool) ([]ItemState, error) {
	out := make([]ItemState, len(items))
	ids := make([]string, 0, len(items))
	for i, it := range items {
		out[i] = itemStateOf(it)
		// Nothing fulfilled and not returned: no capture of it can be pending.
		if it.FulfilledQuantity-it.ReturnedQuantity > 0 {
			ids = append(ids, it.ID)
		}
	}
	if !withPending || len(ids) == 0 {
		return out, nil
	}
	// The items were read through the tenant policy; their lines are theirs.
	pending, err := c.FulfilmentLine.Query().
		Where(fulfilmentline.OrderItemIDIn(ids...), fulfilmentline.HasFulfilmentWith(fulfilment.OrderID(items[0].OrderID), fulfilment.StatusEQ(domain.OperationPending))).
		All(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		for _, l := range pending {
			if l.OrderItemID == it.ID {
				out[i].PendingFulfilled += l.Quantity
				out[i].PendingFulfilledAmount = mustAdd(out[i].PendingFulfilledAmount, money.New(l.AmountMinor, l.Currency))
			}
		}
	}
	return out, nil
}

// ItemStateOf is ItemStates of one item.
func ItemStateOf(ctx context.Context, c *ent.Client, it *ent.OrderItem, withPending bool) (ItemState, error) {
	st, err := ItemStates(ctx, c, []*ent.OrderItem{it}, withPending)
	if err != nil {
		return ItemState{}, err
	}
	return st[0], nil
}
