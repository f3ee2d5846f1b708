package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// IdempotencyRecord stores the first response to a money-moving mutation per principal
// and key, so a retry replays it instead of moving money twice.
type IdempotencyRecord struct{ ent.Schema }

func (IdempotencyRecord) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "idm"}, TimeMixin{}} }
func (IdempotencyRecord) Fields() []ent.Field {
	return []ent.Field{
		field.String("principal").Immutable(),
		field.String("key").Immutable().MaxLen(255),
		field.String("operation").Immutable(),
		field.Bytes("request_hash").Immutable(),
		field.Bytes("response").Optional(),
		field.Bool("completed").Default(false),
		field.Time("expires_at"),
	}
}
func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("principal", "key").Unique(), index.Fields("expires_at")}
}
func (IdempotencyRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// WebhookEvent is an inbound provider notification, stored once per provider event id
// so duplicates and replays are harmless.
type WebhookEvent struct{ ent.Schema }

func (WebhookEvent) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "whe"}, TimeMixin{}} }
func (WebhookEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("provider").GoType(domain.Provider("")).Immutable(),
		field.String("event_id").Immutable(),
		field.String("kind").Immutable(),
		field.String("provider_reference").Optional().Immutable(),
		field.Bytes("payload").Immutable(),
		field.Time("processed_at").Optional().Nillable(),
		field.String("error").Optional(),
	}
}
func (WebhookEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("provider", "event_id").Unique()}
}
func (WebhookEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AuditEvent records who did what to which objects: every state-changing mutation.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "aud"}} }
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable().Annotations(hidden()),
		field.String("merchant_id").Optional().Nillable().Immutable(),
		field.Enum("actor_type").Values("USER", "API_KEY", "SYSTEM").Immutable(),
		field.String("actor_id").Optional().Immutable(),
		field.String("actor_label").Optional().Immutable(),
		field.String("action").Immutable(),
		field.Strings("object_ids").Optional().Immutable(),
		// The input with secrets removed.
		field.JSON("input", map[string]any{}).Optional().Immutable().Annotations(hidden()),
		field.Time("created_at").Immutable().Default(time.Now).Annotations(entgql.OrderField("CREATED_AT")),
	}
}
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("psp_id", "created_at"), index.Fields("merchant_id", "created_at")}
}
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(adminsOnly)}
}

// SandboxRecord is the state of the provider sandboxes, kept in our database so a
// restart of `make run` does not forget the simulated payments.
type SandboxRecord struct{ ent.Schema }

func (SandboxRecord) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "sbx"}, TimeMixin{}} }
func (SandboxRecord) Fields() []ent.Field {
	return []ent.Field{
		field.String("namespace").Immutable(),
		field.String("kind").Immutable(),
		field.String("key").Immutable(),
		field.Bytes("value"),
	}
}
func (SandboxRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("namespace", "kind", "key").Unique()}
}
func (SandboxRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
