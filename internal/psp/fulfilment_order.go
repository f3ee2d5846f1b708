package psp

import (
	"context"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	pkgaudit "github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/tenant"
)

// lockedOrder is an order with its items, read in a transaction that holds the
// order's rows: on PostgreSQL SELECT … FOR UPDATE on the order and its items; on
// SQLite the transaction already holds the database's write lock. Every decision on
// the order's quantities is taken on this, so no interleaving can over-fulfil or
// over-refund.
type lockedOrder struct {
	order *ent.Order
	items []*ent.OrderItem // by position
}

// lockOrder reads and locks an order the principal sees; another tenant's order is
// NOT_FOUND, like a missing one.
func lockOrder(ctx context.Context, d *db.DB, tx *db.Tx, id string) (*lockedOrder, error) {
	q := tx.Ent.Order.Query().Where(order.ID(id))
	if d.IsPostgres() {
		q = q.ForUpdate()
	}
	ord, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, domain.RefuseErr(ErrOrderNotFound, domain.Field("orderId"), "no order "+id)
	}
	if err != nil {
		return nil, err
	}
	iq := tx.Ent.OrderItem.Query().Where(orderitem.OrderID(id)).Order(orderitem.ByPosition(), orderitem.ByID())
	if d.IsPostgres() {
		iq = iq.ForUpdate()
	}
	items, err := iq.All(ctx)
	if err != nil {
		return nil, err
	}
	// Read through the tenant policy: the operation's rows may name them as parents
	// without the policy asking the database again (tenant.Seen).
	tenant.MarkSeen(ctx, ord.ID, ord.CompanyID) // an order one sees is of a company one sees
	for _, it := range items {
		tenant.MarkSeen(ctx, it.ID)
	}
	return &lockedOrder{order: ord, items: items}, nil
}

// requireConfirmed refuses operations on an order whose payment is not confirmed.
func (lo *lockedOrder) requireConfirmed() error {
	if lo.order.Status != order.StatusCONFIRMED {
		return domain.RefuseErr(ErrOrderNotConfirmed, domain.Field("orderId"),
			fmt.Sprintf("order %s is %s: only CONFIRMED orders are fulfilled or refunded", lo.order.Reference, lo.order.Status))
	}
	return nil
}

// states are the items as the rules see them (ItemStates).
func (lo *lockedOrder) states(ctx context.Context, c *ent.Client, forRefund bool) ([]ItemState, error) {
	return ItemStates(ctx, c, lo.items, forRefund)
}

// itemStateOf reads a stored item.
func itemStateOf(it *ent.OrderItem) ItemState {
	m := func(minor int64) money.Money { return money.New(minor, it.Currency) }
	return ItemState{SKU: it.Sku, Ordered: it.Quantity, UnitPrice: m(it.UnitPriceMinor), Total: m(it.TotalMinor),
		Fulfilled: it.FulfilledQuantity, Cancelled: it.CancelledQuantity, Returned: it.ReturnedQuantity,
		FulfilledAmount: m(it.FulfilledAmountMinor), CancelledAmount: m(it.CancelledAmountMinor),
		ReturnedAmount: m(it.ReturnedAmountMinor), PendingFulfilledAmount: m(0)}
}

// reserve writes what a plan took into the items it touched and the order's
// fulfilment status: the quantities and amounts count from now on, before the
// provider has answered, so a concurrent request sees them as taken.
func (lo *lockedOrder) reserve(ctx context.Context, tx *db.Tx, pl Plan) error {
	touched := map[int]bool{}
	for _, l := range pl.Lines {
		touched[l.Item] = true
	}
	for i := range touched {
		it, st := lo.items[i], pl.Items[i]
		// Update, not UpdateOne: no read-back of the row.
		err := tx.Ent.OrderItem.Update().Where(orderitem.ID(it.ID)).
			SetFulfilledQuantity(st.Fulfilled).SetFulfilledAmountMinor(st.FulfilledAmount.Minor()).
			SetCancelledQuantity(st.Cancelled).SetCancelledAmountMinor(st.CancelledAmount.Minor()).
			SetReturnedQuantity(st.Returned).SetReturnedAmountMinor(st.ReturnedAmount.Minor()).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("reserve item %s: %w", it.Sku, err)
		}
	}
	if s := FulfilmentStatusOf(pl.Items); s != lo.order.FulfilmentStatus {
		return tx.Ent.Order.Update().Where(order.ID(lo.order.ID)).SetFulfilmentStatus(s).Exec(ctx)
	}
	return nil
}

// operation is a just-reserved operation as the provider call needs it, so the
// request need not read back what it wrote.
func (lo *lockedOrder) operation(kind opKind, id string, created time.Time, pl Plan, reason string, steps []domain.OperationStep) *operation {
	op := &operation{kind: kind, id: id, status: domain.OperationPending, createdAt: created, order: lo.order,
		currency: lo.order.Currency, amount: pl.Amount, ret: pl.ReturnAmount, cnl: pl.CancelAmount, reason: reason,
		steps: steps}
	for _, l := range pl.Lines {
		op.lines = append(op.lines, opLine{item: lo.items[l.Item], kind: l.Type, quantity: l.Quantity, amount: l.Amount})
	}
	return op
}

// FulfilmentStatusOf derives an order's fulfilment status from its items: nothing
// fulfilled is UNFULFILLED; something fulfilled and something still open is
// PARTIALLY_FULFILLED; something fulfilled and nothing open is FULFILLED. A cancelled
// quantity closes its part of an item (it will never be sent), so an order shipped
// except for what was cancelled is FULFILLED, and an order cancelled whole without
// shipping anything stays UNFULFILLED. Returns do not reopen anything: what came back
// was fulfilled. Fulfilled counts parts still PENDING at the provider; a failed
// capture gives them back and the status with them.
func FulfilmentStatusOf(items []ItemState) order.FulfilmentStatus {
	fulfilled, open := false, false
	for _, it := range items {
		fulfilled = fulfilled || it.Fulfilled > 0
		open = open || it.Open() > 0
	}
	switch {
	case !fulfilled:
		return order.FulfilmentStatusUNFULFILLED
	case open:
		return order.FulfilmentStatusPARTIALLY_FULFILLED
	}
	return order.FulfilmentStatusFULFILLED
}

// audit records who asked for which operation on which order, and what was decided,
// atomically with the reservation.
func audit(ctx context.Context, tx *db.Tx, action string, ord *ent.Order, objectID string, input map[string]any) error {
	if auth.From(ctx).IsSystem() {
		return nil // jobs resolve operations people asked for; those were recorded
	}
	return pkgaudit.WriteTx(ctx, tx.Ent, pkgaudit.Event{Action: action, Input: input,
		ObjectIDs: []string{ord.ID, objectID}, PSPID: ord.PspID, MerchantID: ord.MerchantID})
}
