package psp

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/events"
)

// Merchant callbacks and webhook endpoints are internal/events' (docs/events.md):
// each change below is recorded there, in its own transaction, with the order's next
// sequence number, and delivered to the order's callbackUrl and the company's
// endpoints.

// WebhookSigningSecret is the company's key for its orders' callbackUrl deliveries.
func (o *Orders) WebhookSigningSecret(companyID string) string {
	return o.events.CallbackSecret(companyID)
}

// orderEvents are the events of an order's payment status.
var orderEvents = map[order.Status]event.Type{
	order.StatusCONFIRMED: event.TypeORDER_CONFIRMED,
	order.StatusFAILED:    event.TypeORDER_FAILED,
	order.StatusCANCELLED: event.TypeORDER_CANCELLED,
}

// recordStatus records the event of an order's new payment status, in the
// transaction that made the change.
func (o *Orders) recordStatus(ctx context.Context, tx *db.Tx, ord *ent.Order) error {
	t, ok := orderEvents[ord.Status]
	if !ok {
		return nil
	}
	_, err := o.events.Record(ctx, tx, events.Change{Type: t, Order: ord})
	return err
}

// legacyCallbackArgs is a merchant callback queued before events existed (River kind
// psp_merchant_callback, still waiting at an upgrade): it becomes the event of the
// status it announced, delivered like any other (docs/events.md).
type legacyCallbackArgs struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

func (legacyCallbackArgs) Kind() string { return "psp_merchant_callback" }

type legacyCallbackWorker struct {
	river.WorkerDefaults[legacyCallbackArgs]
	o *Orders
}

// Work records the announced status's event of the order, if the order still exists.
func (w *legacyCallbackWorker) Work(ctx context.Context, job *river.Job[legacyCallbackArgs]) error {
	t, ok := orderEvents[order.Status(job.Args.Status)]
	if !ok {
		return nil
	}
	return w.o.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		ord, err := tx.Ent.Order.Get(auth.System(ctx), job.Args.OrderID)
		if ent.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		_, err = w.o.events.Record(ctx, tx, events.Change{Type: t, Order: ord})
		return err
	})
}
