package psp

import (
	"context"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/order"
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
