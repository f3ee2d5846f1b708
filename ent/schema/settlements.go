package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Settlement is one payout (or claim) for one company on one day: at most one per
// company per date, enforced by a unique index.
type Settlement struct{ ent.Schema }

func (Settlement) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "set"}, TimeMixin{}} }
func (Settlement) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		field.String("date").GoType(domain.Date("")).Immutable().
			Annotations(entgql.Type("Date"), entgql.OrderField("DATE")),
		field.Enum("status").GoType(domain.SettlementStatus("")).Annotations(entgql.Type("SettlementStatus")),
		currency(),
		minor("gross_minor"),
		minor("refunds_minor"),
		minor("fees_minor"),
		minor("net_minor"),
		// What the merchant quotes when it transfers what it owes.
		field.String("payment_reference").Optional(),
		field.Time("paid_at").Optional().Nillable(),
	}
}
func (Settlement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).Ref("settlements").Field("company_id").Unique().Required().Immutable(),
		edge.To("entries", SettlementEntry.Type),
		edge.To("orders", Order.Type).Annotations(hidden()),
		edge.To("fulfilments", Fulfilment.Type).Annotations(hidden()),
		edge.To("refunds", Refund.Type).Annotations(hidden()),
	}
}
func (Settlement) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("company_id", "date").Unique(),
		index.Fields("merchant_id", "date"),
		index.Fields("psp_id", "date"),
	}
}
func (Settlement) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(settleReaders)}
}

// SettlementEntry is one line of a settlement: an order or fulfilment credit, a refund
// deduction or a fee, with the order it came from for drill-down.
type SettlementEntry struct{ ent.Schema }

func (SettlementEntry) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "sen"}, TimeMixin{}} }
func (SettlementEntry) Fields() []ent.Field {
	return []ent.Field{
		field.String("settlement_id").Immutable(),
		// The tenant ids of the settlement, copied so the tenant filter of an entry
		// reached directly (node(id:)) is a plain comparison like on every other row.
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		// OWED: an earlier MERCHANT_OWES settlement still unpaid, deducted here
		// (owed_settlement_id); it has no order.
		field.Enum("kind").Values("ORDER", "FULFILMENT", "REFUND", "FEE", "OWED").Immutable(),
		field.String("order_id").Optional().Immutable(),
		field.String("fulfilment_id").Optional().Nillable().Immutable(),
		field.String("refund_id").Optional().Nillable().Immutable(),
		field.Enum("product_type").GoType(domain.ProductType("")).Optional().Annotations(entgql.Type("ProductType")),
		currency(),
		minor("amount_minor"),
		field.String("owed_settlement_id").Optional().Nillable().Immutable(),
		// The day the credit became payable (or the refund succeeded).
		field.String("payable_date").GoType(domain.Date("")).Immutable().
			Annotations(entgql.Type("Date"), entgql.Skip(entgql.SkipWhereInput|entgql.SkipOrderField)),
	}
}
func (SettlementEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("settlement", Settlement.Type).Ref("entries").Field("settlement_id").Unique().Required().Immutable(),
		edge.To("order", Order.Type).Field("order_id").Unique().Immutable(),
		edge.To("fulfilment", Fulfilment.Type).Field("fulfilment_id").Unique().Immutable(),
		edge.To("refund", Refund.Type).Field("refund_id").Unique().Immutable(),
	}
}
func (SettlementEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("settlement_id"), index.Fields("order_id")}
}

// SettlementTotal is a settlement's amounts for one product type, written by the run
// beside its entries, so the overview adds up months of settlements by day, week and
// month from a few rows per settlement instead of every entry. Read only by the
// settlement service, after it checked that the principal may see the company.
type SettlementTotal struct{ ent.Schema }

func (SettlementTotal) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "stt"}, TimeMixin{}} }
func (SettlementTotal) Fields() []ent.Field {
	return []ent.Field{
		field.String("settlement_id").Immutable(),
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		// The settlement's date.
		field.String("date").GoType(domain.Date("")).Immutable(),
		field.Enum("product_type").GoType(domain.ProductType("")).Immutable(),
		currency(),
		minor("gross_minor"),
		minor("refunds_minor"),
		minor("fees_minor"),
	}
}
func (SettlementTotal) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("settlement_id", "product_type").Unique(),
		index.Fields("company_id", "date"),
	}
}
func (SettlementTotal) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// OutboxMessage is an e-mail the backoffice writes to a merchant (a MERCHANT_OWES
// settlement's payment instructions), kept whether it was sent or not, so PSP staff
// see what each merchant was told. Written by the settlement run, sent by a River job
// through SMTP_URL (internal/settlement, outbox.go). PSP staff read it.
type OutboxMessage struct{ ent.Schema }

func (OutboxMessage) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "obx"}, TimeMixin{}} }
func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		field.String("settlement_id").Optional().Nillable().Immutable(),
		field.String("to_address"),
		field.String("subject").Immutable(),
		field.Text("body").Immutable(),
		// QUEUED → SENT, or FAILED after the last attempt; NOT_SENT when no SMTP server
		// is configured or the merchant has no address.
		field.Enum("status").Values("QUEUED", "SENT", "FAILED", "NOT_SENT"),
		field.Int("attempts").Default(0),
		field.String("last_error").Optional(),
		field.Time("sent_at").Optional().Nillable(),
	}
}
func (OutboxMessage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status"), index.Fields("psp_id", "created_at")}
}
func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(pspStaff)}
}
