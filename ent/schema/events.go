package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// EventTypes are the changes a merchant hears of (internal/events, docs/events.md).
var EventTypes = []string{
	"ORDER_CONFIRMED", "ORDER_FAILED", "ORDER_CANCELLED",
	"FULFILMENT_SUCCEEDED", "FULFILMENT_FAILED", "REFUND_SUCCEEDED", "REFUND_FAILED",
	"SETTLEMENT_CREATED", "SETTLEMENT_PAID",
}

// Event is one change a merchant cares about, written in the transaction of the change
// (internal/events). An order-bound event carries the order's next sequence number
// (Order.event_sequence, counted under the order's row lock): 1, 2, 3, … without gaps.
type Event struct{ ent.Schema }

func (Event) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "evt"}, TimeMixin{}} }
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable().Annotations(hidden()),
		field.String("company_id").Immutable().Annotations(hidden()),
		// The order's shop; empty for a settlement's events.
		field.String("shop_id").Optional().Immutable().Annotations(hidden()),
		field.String("order_id").Optional().Nillable().Immutable().Annotations(hidden()),
		field.Int("sequence").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput), entgql.OrderField("SEQUENCE")),
		field.Enum("type").Values(EventTypes...).Immutable().Annotations(entgql.Skip(entgql.SkipWhereInput)),
		// The fulfilment, refund or settlement the event is about.
		field.String("subject_id").Optional().Immutable().Annotations(hidden()),
	}
}
func (Event) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", Order.Type).Ref("events").Field("order_id").Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("deliveries", EventDelivery.Type).Annotations(hidden()),
	}
}
func (Event) Indexes() []ent.Index {
	return []ent.Index{
		// The database's backstop of the gap-free counter: one event per number.
		index.Fields("order_id", "sequence").Unique(),
		index.Fields("company_id", "created_at"),
		index.Fields("merchant_id", "created_at"),
		index.Fields("created_at"),
	}
}
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// WebhookEndpoint is a URL of a company's that receives its events, signed with the
// endpoint's own secret (sealed at rest); during a secret roll the previous secret
// signs too until it expires.
type WebhookEndpoint struct{ ent.Schema }

func (WebhookEndpoint) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "whk"}, TimeMixin{}} }
func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable().Annotations(hidden()),
		field.String("company_id").Immutable(),
		field.String("url").NotEmpty().MaxLen(2048),
		// Empty: every type.
		field.Strings("event_types").Optional().Annotations(hidden()),
		field.Bytes("secret_sealed").Sensitive().Annotations(hidden()),
		field.Bytes("previous_secret_sealed").Optional().Nillable().Sensitive().Annotations(hidden()),
		field.Time("previous_secret_expires_at").Optional().Nillable(),
		field.Bool("disabled").Default(false),
		field.String("disabled_reason").Optional().MaxLen(500),
		// Since when every delivery failed; nil after a success.
		field.Time("failing_since").Optional().Nillable(),
	}
}
func (WebhookEndpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).Ref("webhook_endpoints").Field("company_id").Unique().Required().Immutable(),
		edge.To("deliveries", EventDelivery.Type).Annotations(hidden()),
	}
}
func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id")}
}
func (WebhookEndpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}

// EventDelivery is one attempt to deliver an event to one URL: an endpoint's or the
// order's callbackUrl (endpoint_id empty). It carries its event's tenant ids.
type EventDelivery struct{ ent.Schema }

func (EventDelivery) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "evd"}} }
func (EventDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("event_id").Immutable(),
		field.String("endpoint_id").Optional().Nillable().Immutable(),
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		field.String("shop_id").Optional().Immutable(),
		field.Int("attempt").Immutable(),
		field.String("url").Immutable(),
		field.Time("at").Immutable(),
		field.Int("response_status").Optional().Nillable().Immutable(),
		field.String("error").Optional().Nillable().Immutable(),
		field.Int("duration_ms").Immutable(),
		// SUCCEEDED, HTTP_ERROR, TIMEOUT, NETWORK_ERROR, FORBIDDEN_ADDRESS (internal/events).
		field.String("outcome").Immutable(),
	}
}
func (EventDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", Event.Type).Ref("deliveries").Field("event_id").Unique().Required().Immutable(),
		edge.From("endpoint", WebhookEndpoint.Type).Ref("deliveries").Field("endpoint_id").Unique().Immutable(),
	}
}
func (EventDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("event_id"), index.Fields("endpoint_id", "at"), index.Fields("at")}
}
func (EventDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
