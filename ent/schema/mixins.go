// Package schema is the storage shape of the product: entities, their edges, the
// constraints the database enforces (uniqueness, foreign keys), and the annotations
// that decide what the GraphQL API exposes. Business rules live in internal/, not here.
//
// Money is stored as int64 minor units in fields named *_minor beside a currency
// column; those fields are hidden from the generated GraphQL types and exposed as
// Money by hand-written resolvers, so no client ever sees a bare integer amount.
// Quantities are int64 thousandths (money.Quantity).
package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/pspbackoffice/backoffice/internal/ids"
)

// IDMixin gives an entity a type-prefixed ULID id ("ord_01J…"). The prefix is also
// recorded as an annotation, from which a template generates the prefix → table map
// that Relay's node(id:) uses.
type IDMixin struct {
	mixin.Schema
	Prefix string
}

func (m IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty().MaxLen(40).DefaultFunc(ids.Generator(m.Prefix)),
	}
}

func (m IDMixin) Annotations() []schema.Annotation {
	return []schema.Annotation{IDPrefix{Prefix: m.Prefix}}
}

// IDPrefix is the annotation carrying an entity's id prefix.
type IDPrefix struct{ Prefix string }

func (IDPrefix) Name() string { return "IDPrefix" }

// TimeMixin records when a row was created and last changed.
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// hidden keeps a storage field out of the GraphQL API altogether.
func hidden() schema.Annotation { return entgql.Skip(entgql.SkipAll) }

// minor is an amount in minor units, hidden from GraphQL (exposed as Money by resolvers).
func minor(name string) ent.Field {
	return field.Int64(name).Default(0).Annotations(hidden())
}

// currency is an ISO 4217 code.
func currency() ent.Field {
	return field.String("currency").MaxLen(3).MinLen(3).Default("EUR")
}
