package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// quantity is a fixed-point quantity (thousandths), exposed as the Quantity scalar.
func quantity(name string) ent.Field {
	return field.Int64(name).GoType(money.Quantity(0)).Default(0).
		Annotations(entgql.Type("Quantity"), entgql.Skip(entgql.SkipWhereInput|entgql.SkipOrderField))
}

// Order is a shopper's purchase at a merchant's shop, paid through one provider.
// The tenant ids (psp, merchant, company, shop) are stored on the row so every
// tenant filter is a plain indexed comparison.
type Order struct{ ent.Schema }

func (Order) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "ord"}, TimeMixin{}} }
func (Order) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		field.String("shop_id").Immutable(),
		field.Enum("provider").GoType(domain.Provider("")).Annotations(entgql.Type("Provider")),
		// Chosen by the shopper on the payment page when the provider offers several.
		field.Enum("product_type").GoType(domain.ProductType("")).Optional().Nillable().
			Annotations(entgql.Type("ProductType")),
		field.String("reference").NotEmpty().MaxLen(100),
		field.Enum("status").Values("PENDING", "CONFIRMED", "FAILED", "CANCELLED").Default("PENDING").
			Annotations(entgql.OrderField("STATUS")),
		field.Enum("fulfilment_status").Values("UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED").Default("UNFULFILLED"),
		currency(),
		minor("initial_amount_minor"),
		field.Int64("amount_minor").Default(0).
			Annotations(entgql.Skip(entgql.SkipType|entgql.SkipWhereInput), entgql.OrderField("AMOUNT")),
		minor("fulfilled_amount_minor"),
		minor("refunded_amount_minor"),
		field.String("provider_reference").Optional(),
		// Exposed as Order.paymentUrl (docs/api.md) by a resolver.
		field.String("payment_url").Optional().Annotations(hidden()),
		field.String("lang").Default("en"),
		field.String("first_name").Optional(),
		field.String("last_name").Optional(),
		field.String("email").Optional(),
		field.String("phone").Optional(),
		// The buying business of a B2B order (Billie's debtor company).
		field.String("shopper_company_name").Optional(),
		field.JSON("billing_address", domain.Address{}).Annotations(hidden()),
		field.JSON("delivery_address", &domain.Address{}).Optional().Annotations(hidden()),
		field.String("success_url").Optional().Annotations(hidden()),
		field.String("failed_url").Optional().Annotations(hidden()),
		field.String("callback_url").Optional().Annotations(hidden()),
		// The shopper opened the payment page: the reference can no longer update this order.
		field.Bool("shopper_continued").Default(false).Annotations(hidden()),
		// How many provider sessions the order has had: a reference update creates a new
		// one, whose provider-side id (charge handle, external code) must be fresh.
		field.Int("session_version").Default(0).Annotations(hidden()),
		field.Time("confirmed_at").Optional().Nillable(),
		// Paid at confirmation (internal/settlement, payable.go): the day the whole order
		// becomes payable (confirmation + X days).
		field.String("payout_date").GoType(domain.Date("")).Optional().Nillable().
			Annotations(entgql.Type("Date"), entgql.Skip(entgql.SkipWhereInput|entgql.SkipOrderField)),
		field.String("settlement_id").Optional().Nillable().Annotations(hidden()),
		// The fee plan in force when this credit arose, frozen with it (internal/settlement,
		// fees.go): a later plan change applies only to later credits. Empty: a credit
		// recorded before fee plans had versions, charged by the current plan.
		field.String("fee_plan_version_id").Optional().Nillable().Annotations(hidden()),
		field.Int64("fee_bps").Optional().Nillable().Annotations(hidden()),
		field.Int64("fee_fixed_minor").Optional().Nillable().Annotations(hidden()),
		// The sequence number of the order's last event (internal/events): raised in the
		// transaction that writes the event, under the order's row lock.
		field.Int("event_sequence").Default(0).Annotations(hidden()),
	}
}
func (Order) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("merchant", Merchant.Type).Ref("orders").Field("merchant_id").Unique().Required().Immutable(),
		edge.From("company", Company.Type).Ref("orders").Field("company_id").Unique().Required().Immutable(),
		edge.From("shop", Shop.Type).Ref("orders").Field("shop_id").Unique().Required().Immutable(),
		edge.To("items", OrderItem.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("fulfilments", Fulfilment.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("refunds", Refund.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		// Order.events is a resolver (sequence order), graph/events.graphqls.
		edge.To("events", Event.Type).Annotations(hidden()),
		// The settlement that paid out a pay-now order.
		edge.From("settlement", Settlement.Type).Ref("orders").Field("settlement_id").Unique().Annotations(hidden()),
	}
}
func (Order) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("shop_id", "reference").Unique(),
		index.Fields("psp_id", "created_at"),
		index.Fields("merchant_id", "created_at"),
		index.Fields("company_id", "created_at"),
		index.Fields("provider", "provider_reference"),
		index.Fields("company_id", "payout_date"),
		// Settlement runs and the overview look only for what is not settled yet.
		index.Fields("company_id", "payout_date").StorageKey("order_unsettled_company_id_payout_date").
			Annotations(entsql.IndexWhere("settlement_id IS NULL")),
	}
}
func (Order) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(ordersReaders)}
}

// OrderItem is a line of an order. It keeps what was fulfilled, cancelled and returned
// (quantities and amounts) so every rule is checked against one row under lock.
// Quantities include operations still PENDING at the provider: they are reserved.
type OrderItem struct{ ent.Schema }

func (OrderItem) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "itm"}, TimeMixin{}} }
func (OrderItem) Fields() []ent.Field {
	return []ent.Field{
		field.String("order_id").Immutable(),
		field.Int("position").Default(0),
		field.String("sku").NotEmpty().MaxLen(100),
		field.String("name"),
		quantity("quantity"),
		currency(),
		minor("unit_price_minor"),
		field.Int64("vat_rate_bps").Default(0).Annotations(hidden()),
		minor("total_minor"),
		quantity("fulfilled_quantity"),
		quantity("cancelled_quantity"),
		quantity("returned_quantity"),
		minor("fulfilled_amount_minor"),
		minor("cancelled_amount_minor"),
		minor("returned_amount_minor"),
	}
}
func (OrderItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", Order.Type).Ref("items").Field("order_id").Unique().Required().Immutable(),
	}
}
func (OrderItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("order_id", "sku").Unique()}
}

// OperationMixin is what a fulfilment and a refund share: one money operation on an
// order, reserved PENDING with its planned provider calls (docs/provider-operations.md),
// then SUCCEEDED or FAILED, and consumed by a settlement once SUCCEEDED. The two
// tables keep their own copies of these columns; internal/psp reads and writes
// them through one interface that both generated mutations satisfy.
type OperationMixin struct{ mixin.Schema }

func (OperationMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("order_id").Immutable(),
		orderCompany(),
		field.Enum("status").GoType(domain.OperationStatus("")).Annotations(entgql.Type("OperationStatus")),
		currency(),
		minor("amount_minor"),
		field.String("provider_operation_id").Optional(),
		field.String("failure_reason").Optional(),
		field.Int("attempts").Default(0).Annotations(hidden()),
		field.Time("completed_at").Optional().Nillable(),
		field.String("settlement_id").Optional().Nillable().Annotations(hidden()),
		// The provider calls, planned when the operation is reserved, with their
		// outcomes (docs/provider-operations.md). Empty for operations older than it.
		field.JSON("steps", []domain.OperationStep{}).Optional().Annotations(hidden()),
	}
}

// Hooks: the row carries its order's company (orderCompany).
func (OperationMixin) Hooks() []ent.Hook { return []ent.Hook{companyOfOrderHook()} }

// Fulfilment is one capture at the provider: some quantity of some items shipped.
type Fulfilment struct{ ent.Schema }

func (Fulfilment) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "ful"}, TimeMixin{}, OperationMixin{}}
}
func (Fulfilment) Fields() []ent.Field {
	return []ent.Field{
		// Captured per part (internal/settlement, payable.go): the day this part becomes
		// payable (capture + X days, or fulfilment + Y days for pay later).
		field.String("payout_date").GoType(domain.Date("")).Optional().Nillable().
			Annotations(entgql.Type("Date"), entgql.Skip(entgql.SkipWhereInput|entgql.SkipOrderField)),
		// The fee plan in force when this credit arose, frozen with it (internal/settlement,
		// fees.go): a later plan change applies only to later credits. Empty: a credit
		// recorded before fee plans had versions, charged by the current plan.
		field.String("fee_plan_version_id").Optional().Nillable().Annotations(hidden()),
		field.Int64("fee_bps").Optional().Nillable().Annotations(hidden()),
		field.Int64("fee_fixed_minor").Optional().Nillable().Annotations(hidden()),
		// The sequence number of the order's last event (internal/events): raised in the
		// transaction that writes the event, under the order's row lock.
		field.Int("event_sequence").Default(0).Annotations(hidden()),
	}
}
func (Fulfilment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", Order.Type).Ref("fulfilments").Field("order_id").Unique().Required().Immutable(),
		edge.To("lines", FulfilmentLine.Type),
		edge.From("settlement", Settlement.Type).Ref("fulfilments").Field("settlement_id").Unique().Annotations(hidden()),
	}
}
func (Fulfilment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("order_id"), index.Fields("status", "payout_date"),
		// Settlement runs and the overview look only for what is not settled yet.
		index.Fields("payout_date").StorageKey("fulfilment_unsettled_payout_date").
			Annotations(entsql.IndexWhere("settlement_id IS NULL")),
		index.Fields("order_id").StorageKey("fulfilment_unsettled_order_id").
			Annotations(entsql.IndexWhere("settlement_id IS NULL")),
		// The overview finds a company's unsettled parts without going through orders.
		index.Fields("company_id", "payout_date").StorageKey("fulfilment_unsettled_company_id_payout_date").
			Annotations(entsql.IndexWhere("settlement_id IS NULL")),
		withoutCompanyIndex("fulfilment"),
	}
}

// FulfilmentLine is the quantity and amount of one item in a fulfilment.
type FulfilmentLine struct{ ent.Schema }

func (FulfilmentLine) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "fln"}, TimeMixin{}} }
func (FulfilmentLine) Fields() []ent.Field {
	return []ent.Field{
		field.String("fulfilment_id").Immutable(),
		field.String("order_item_id").Immutable(),
		quantity("quantity"),
		currency(),
		minor("amount_minor"),
	}
}
func (FulfilmentLine) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("fulfilment", Fulfilment.Type).Ref("lines").Field("fulfilment_id").Unique().Required().Immutable(),
		edge.To("item", OrderItem.Type).Field("order_item_id").Unique().Required().Immutable(),
	}
}
func (FulfilmentLine) Indexes() []ent.Index { return []ent.Index{index.Fields("fulfilment_id")} }

// Refund gives money back or lowers what is owed: RETURN lines (came back) and CANCEL
// lines (cannot be sent), resolved from AUTO before they are stored.
type Refund struct{ ent.Schema }

func (Refund) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "ref"}, TimeMixin{}, OperationMixin{}}
}
func (Refund) Fields() []ent.Field {
	return []ent.Field{
		// The RETURN and CANCEL parts of amount_minor.
		minor("return_amount_minor"),
		minor("cancel_amount_minor"),
		field.String("reason").Optional(),
	}
}
func (Refund) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", Order.Type).Ref("refunds").Field("order_id").Unique().Required().Immutable(),
		edge.To("lines", RefundLine.Type),
		edge.From("settlement", Settlement.Type).Ref("refunds").Field("settlement_id").Unique().Annotations(hidden()),
	}
}
func (Refund) Indexes() []ent.Index {
	return []ent.Index{index.Fields("order_id"), index.Fields("status", "settlement_id"),
		// The overview finds a company's unsettled refunds without going through orders.
		index.Fields("company_id").StorageKey("refund_unsettled_company_id").
			Annotations(entsql.IndexWhere("settlement_id IS NULL")),
		withoutCompanyIndex("refund"),
	}
}

// RefundLine is the quantity and amount of one item in a refund, RETURN or CANCEL.
type RefundLine struct{ ent.Schema }

func (RefundLine) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "rfl"}, TimeMixin{}} }
func (RefundLine) Fields() []ent.Field {
	return []ent.Field{
		field.String("refund_id").Immutable(),
		field.String("order_item_id").Immutable(),
		field.Enum("refund_type").GoType(domain.RefundType("")).Annotations(entgql.Type("RefundType")),
		quantity("quantity"),
		currency(),
		minor("amount_minor"),
	}
}
func (RefundLine) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("refund", Refund.Type).Ref("lines").Field("refund_id").Unique().Required().Immutable(),
		edge.To("item", OrderItem.Type).Field("order_item_id").Unique().Required().Immutable(),
	}
}
func (RefundLine) Indexes() []ent.Index { return []ent.Index{index.Fields("refund_id")} }
