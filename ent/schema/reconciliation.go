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

// ReconciliationReport is one provider's day compared with our records
// (internal/reconciliation, docs/reconciliation.md): at most one per PSP, provider
// and date, enforced by a unique index; a rerun replaces it.
type ReconciliationReport struct{ ent.Schema }

func (ReconciliationReport) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "rcr"}, TimeMixin{}}
}
func (ReconciliationReport) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.Enum("provider").GoType(domain.Provider("")).Immutable().Annotations(entgql.Type("Provider")),
		field.String("date").GoType(domain.Date("")).Immutable().
			Annotations(entgql.Type("Date"), entgql.OrderField("DATE")),
		field.Enum("status").GoType(domain.ReconciliationStatus("")).Annotations(entgql.Type("ReconciliationStatus")),
		field.Int("operations_checked").Default(0),
	}
}
func (ReconciliationReport) Edges() []ent.Edge {
	return []ent.Edge{
		// Exposed as ReconciliationReport.mismatches (non-null) by a resolver.
		edge.To("mismatches", ReconciliationMismatch.Type).Annotations(hidden()),
	}
}
func (ReconciliationReport) Indexes() []ent.Index {
	return []ent.Index{index.Fields("psp_id", "provider", "date").Unique(), index.Fields("psp_id", "date")}
}
func (ReconciliationReport) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)}
}

// ReconciliationMismatch is one difference a report found, on an order (none for a
// payment only the provider knows) and, where it is one, an operation; staff
// record what they did about it (resolved_*).
type ReconciliationMismatch struct{ ent.Schema }

func (ReconciliationMismatch) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "rcm"}, TimeMixin{}}
}
func (ReconciliationMismatch) Fields() []ent.Field {
	return []ent.Field{
		field.String("report_id").Immutable().Annotations(hidden()),
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.Enum("kind").GoType(domain.MismatchKind("")).Immutable().Annotations(entgql.Type("MismatchKind")),
		field.String("order_id").Optional().Nillable().Immutable().Annotations(hidden()),
		// The fulfilment or refund, ours (ful_…, ref_…) or the provider's id.
		field.String("operation_id").Optional().Nillable().Immutable().Annotations(hidden()),
		// The provider's reference of the payment (for one only the provider knows).
		field.String("provider_reference").Optional().Immutable().Annotations(hidden()),
		currency(),
		field.Int64("ours_minor").Optional().Nillable().Immutable().Annotations(hidden()),
		field.Int64("theirs_minor").Optional().Nillable().Immutable().Annotations(hidden()),
		field.String("detail").Immutable().MaxLen(500),
		field.Time("resolved_at").Optional().Nillable(),
		field.String("resolved_by").Optional().Nillable().Annotations(hidden()),
		field.String("resolution_note").Optional().Nillable().MaxLen(1000),
	}
}
func (ReconciliationMismatch) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("report", ReconciliationReport.Type).Ref("mismatches").Field("report_id").Unique().Required().Immutable().
			Annotations(hidden()),
		edge.To("order", Order.Type).Field("order_id").Unique().Immutable(),
	}
}
func (ReconciliationMismatch) Indexes() []ent.Index {
	return []ent.Index{index.Fields("report_id"), index.Fields("order_id")}
}
func (ReconciliationMismatch) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput)}
}
