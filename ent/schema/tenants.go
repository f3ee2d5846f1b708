package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// PSP is the payment service provider running this backoffice: the top tenant.
type PSP struct{ ent.Schema }

func (PSP) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "psps"}, entgql.Type("PSP")}
}
func (PSP) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "psp"}, TimeMixin{}} }
func (PSP) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		field.String("legal_name").Optional(),
		field.String("country").MaxLen(2).Default("DE"),
		// Where merchants who owe money transfer it (MERCHANT_OWES settlements).
		field.String("iban").Optional(),
		field.String("bic").Optional(),
		// Staff without two-factor sign-in may only enrol (internal/auth, mfa.go).
		field.Bool("require_staff_mfa").Default(false),
	}
}
func (PSP) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("provider_accounts", ProviderAccount.Type).Annotations(hidden()),
		edge.To("users", User.Type).Annotations(hidden()),
		edge.To("merchants", Merchant.Type).Annotations(hidden()),
	}
}

// ProviderAccount is a PSP's account at one provider: where to call and with what
// credentials. Credentials and webhook secrets are stored encrypted and never exposed.
type ProviderAccount struct{ ent.Schema }

func (ProviderAccount) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "pac"}, TimeMixin{}} }
func (ProviderAccount) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.Enum("provider").GoType(domain.Provider("")).Annotations(entgql.Type("Provider")),
		field.Enum("environment").Values("SANDBOX", "LIVE").Default("SANDBOX"),
		field.String("base_url"),
		field.String("external_psp_id").Optional(),
		field.Bytes("credentials_enc").Sensitive().Optional().Annotations(hidden()),
		field.Bytes("webhook_secret_enc").Sensitive().Optional().Annotations(hidden()),
	}
}
func (ProviderAccount) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("psp", PSP.Type).Ref("provider_accounts").Field("psp_id").Unique().Required().Immutable().Annotations(hidden()),
	}
}
func (ProviderAccount) Indexes() []ent.Index {
	return []ent.Index{index.Fields("psp_id", "provider", "environment").Unique()}
}

// User is a person who logs in: PSP staff (merchant empty) or a merchant's user.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "usr"}, TimeMixin{}} }
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Optional().Nillable().Immutable(),
		field.String("email").NotEmpty(),
		field.String("name").Optional(),
		field.Enum("role").GoType(domain.Role("")).Annotations(entgql.Type("Role")),
		field.String("password_hash").Optional().Sensitive().Annotations(hidden()),
		// A one-time set-password token (hashed) from an invitation, and when it expires.
		field.Bytes("invite_token_hash").Optional().Nillable().Sensitive().Annotations(hidden()),
		field.Time("invite_expires_at").Optional().Nillable().Annotations(hidden()),
		field.Time("last_login_at").Optional().Nillable(),
		field.Bool("disabled").Default(false),
		// Login tokens carry it; raising it (logout, new password) ends every session.
		field.Int("token_version").Default(0).Annotations(hidden()),
		// Two-factor sign-in (TOTP, internal/auth/mfa.go): the secret sealed like provider
		// credentials, one being enrolled until it is confirmed, when it was turned on,
		// and the last time step a code was accepted for (each code works once).
		field.Bytes("mfa_secret_enc").Optional().Nillable().Sensitive().Annotations(hidden()),
		field.Bytes("mfa_pending_enc").Optional().Nillable().Sensitive().Annotations(hidden()),
		field.Time("mfa_enabled_at").Optional().Nillable(),
		field.Int64("mfa_last_step").Default(0).Annotations(hidden()),
	}
}
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("psp", PSP.Type).Ref("users").Field("psp_id").Unique().Required().Immutable().Annotations(hidden()),
		edge.From("merchant", Merchant.Type).Ref("users").Field("merchant_id").Unique().Immutable(),
	}
}
func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("email").Unique(), index.Fields("invite_token_hash")}
}
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(adminsOnly)}
}

// Merchant is a PSP's customer: a group of companies (legal entities) and shops.
type Merchant struct{ ent.Schema }

func (Merchant) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "mer"}, TimeMixin{}} }
func (Merchant) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.String("country").MaxLen(2),
		field.String("email").Optional(),
		field.Enum("status").Values("ONBOARDING", "ACTIVE", "SUSPENDED").Default("ONBOARDING").
			Annotations(entgql.OrderField("STATUS")),
		field.String("suspension_reason").Optional(),
		// The merchant's users without two-factor sign-in may only enrol (internal/auth, mfa.go).
		field.Bool("require_mfa").Default(false),
	}
}
func (Merchant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("psp", PSP.Type).Ref("merchants").Field("psp_id").Unique().Required().Immutable().Annotations(hidden()),
		edge.To("companies", Company.Type),
		edge.To("shops", Shop.Type),
		edge.To("users", User.Type),
		edge.To("api_keys", APIKey.Type),
		edge.To("orders", Order.Type).Annotations(entgql.RelayConnection()),
	}
}
func (Merchant) Indexes() []ent.Index {
	return []ent.Index{index.Fields("psp_id", "created_at")}
}
func (Merchant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Directives(anyUser)}
}

// Company is a merchant's legal entity: the unit of settlement, payout schedule and fees.
type Company struct{ ent.Schema }

func (Company) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "com"}, TimeMixin{}} }
func (Company) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Immutable(),
		field.String("legal_name").NotEmpty(),
		field.String("country").MaxLen(2),
		field.String("registration_number").Optional().Nillable(),
		field.String("vat_id").Optional(),
		field.String("iban"),
		// Where owed-balance mail goes (internal/settlement, outbox.go); empty: the merchant's email.
		field.String("finance_email").Optional(),
		currency(),
		field.Enum("payout_schedule").GoType(domain.PayoutSchedule("")).Annotations(entgql.Type("PayoutSchedule")),
		// The weekdays a WEEKLY (one) or WEEKDAYS (several) schedule pays out on.
		field.JSON("payout_weekdays", []domain.Weekday{}).Optional().Annotations(hidden()),
		field.Int("pay_now_delay_days").NonNegative().Default(0),
		field.Int("pay_later_delay_days").NonNegative().Default(0),
	}
}
func (Company) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("merchant", Merchant.Type).Ref("companies").Field("merchant_id").Unique().Required().Immutable(),
		edge.To("fees", FeeRule.Type),
		edge.To("fee_plan_versions", FeePlanVersion.Type).Annotations(hidden()),
		edge.To("activations", ProviderActivation.Type),
		edge.To("settlements", Settlement.Type).Annotations(entgql.RelayConnection()),
		edge.To("orders", Order.Type).Annotations(hidden()),
		edge.To("api_keys", APIKey.Type).Annotations(hidden()),
	}
}
func (Company) Indexes() []ent.Index {
	return []ent.Index{
		// A registration number identifies one legal entity within the PSP.
		index.Fields("psp_id", "registration_number").Unique(),
		index.Fields("merchant_id"),
	}
}

// FeeRule is a company's fee for one product type: basis points of the amount plus a
// fixed amount per order. Fees are not given back on refunds.
type FeeRule struct{ ent.Schema }

func (FeeRule) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "fee"}, TimeMixin{}} }
func (FeeRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("company_id").Immutable(),
		field.Enum("product_type").GoType(domain.ProductType("")).Annotations(entgql.Type("ProductType")),
		field.Int64("percent_bps").NonNegative().Max(10000),
		minor("fixed_minor"),
		currency(),
	}
}
func (FeeRule) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).Ref("fees").Field("company_id").Unique().Required().Immutable().Annotations(hidden()),
	}
}
func (FeeRule) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "product_type").Unique()}
}

// FeePlanVersion is one version of a company's fee plan, effective from its time on:
// every change of the plan (FeeRule, the current version) writes one. Credits record
// the version in force when they arose, so a change never re-prices earned money.
// Append-only.
type FeePlanVersion struct{ ent.Schema }

func (FeePlanVersion) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "fpv"}, TimeMixin{}} }
func (FeePlanVersion) Fields() []ent.Field {
	return []ent.Field{
		field.String("company_id").Immutable(),
		field.Int("version").Positive().Immutable(),
		field.Time("effective_at").Immutable(),
		field.JSON("fees", []domain.FeeRate{}).Immutable(),
	}
}
func (FeePlanVersion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).Ref("fee_plan_versions").Field("company_id").Unique().Required().Immutable(),
	}
}
func (FeePlanVersion) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "version").Unique()}
}
func (FeePlanVersion) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// ProviderActivation is a company's activation with one provider; for Billie it holds
// the merchant ID every later Billie call carries.
type ProviderActivation struct{ ent.Schema }

func (ProviderActivation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "act"}, TimeMixin{}}
}
func (ProviderActivation) Fields() []ent.Field {
	return []ent.Field{
		field.String("company_id").Immutable(),
		field.Enum("provider").GoType(domain.Provider("")).Annotations(entgql.Type("Provider")),
		field.Enum("status").GoType(domain.ActivationStatus("")).Annotations(entgql.Type("ActivationStatus")),
		field.String("external_merchant_id").Optional(),
		field.String("reason").Optional(),
		field.Int("attempts").Default(0),
		// Which application this is: 1, then one more for each resubmission after a
		// rejection. The provider sees each application under its own reference, so a
		// corrected resubmission is reviewed afresh while retries of one replay.
		field.Int("application").Default(1),
		field.Time("activated_at").Optional().Nillable(),
	}
}
func (ProviderActivation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).Ref("activations").Field("company_id").Unique().Required().Immutable(),
	}
}
func (ProviderActivation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "provider").Unique()}
}

// Shop is where a merchant sells: its own product types and order amount limits.
type Shop struct{ ent.Schema }

func (Shop) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "shp"}, TimeMixin{}} }
func (Shop) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Immutable(),
		field.String("name").NotEmpty(),
		field.String("url").Optional(),
		field.String("default_lang").Default("en"),
		field.JSON("product_types", []domain.ProductType{}).Optional().Annotations(hidden()),
		field.Int64("min_amount_minor").Optional().Nillable().Annotations(hidden()),
		field.Int64("max_amount_minor").Optional().Nillable().Annotations(hidden()),
		currency(),
	}
}
func (Shop) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("merchant", Merchant.Type).Ref("shops").Field("merchant_id").Unique().Required().Immutable(),
		edge.To("orders", Order.Type).Annotations(hidden()),
		edge.To("api_keys", APIKey.Type).Annotations(hidden()),
	}
}
func (Shop) Indexes() []ent.Index { return []ent.Index{index.Fields("merchant_id")} }

// APIKey is an integrator's credential, bound to one company and one shop of one
// merchant (docs/api.md "Credentials"). Only its prefix and a keyed hash are stored.
type APIKey struct{ ent.Schema }

func (APIKey) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "key"}, TimeMixin{}} }
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Immutable(),
		field.String("company_id").Immutable(),
		field.String("shop_id").Immutable(),
		field.String("created_by_id").Optional().Nillable().Immutable(),
		field.String("name").NotEmpty(),
		field.String("prefix").Immutable(),
		field.Bytes("secret_hash").Sensitive().Immutable().Annotations(hidden()),
		field.String("environment").Default("test"),
		field.Strings("scopes").Optional().Annotations(hidden()),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		// The key that replaced this one (rollApiKey; ApiKey.replacedByID): set once, so a key
		// is rolled at most once and its successor is the one to roll next
		// (internal/merchants, apikeys.go).
		field.String("replaced_by_id").Optional().Nillable().
			Annotations(entgql.Type("ID"),
				entgql.Skip(entgql.SkipWhereInput|entgql.SkipOrderField|entgql.SkipMutationCreateInput|entgql.SkipMutationUpdateInput)),
	}
}
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("merchant", Merchant.Type).Ref("api_keys").Field("merchant_id").Unique().Required().Immutable(),
		edge.From("company", Company.Type).Ref("api_keys").Field("company_id").Unique().Required().Immutable(),
		edge.From("shop", Shop.Type).Ref("api_keys").Field("shop_id").Unique().Required().Immutable(),
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable(),
	}
}
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("prefix").Unique(), index.Fields("merchant_id")}
}
func (APIKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "api_keys"}, entgql.Type("ApiKey"), entgql.RelayConnection(),
		entgql.QueryField("apiKeys").Directives(adminsOnly)}
}

// LoginSession is one login: the login token names it, so it can be ended on its own
// (revokeSession) and listed with the device and address it came from. Read and
// written by internal/auth as the system, always for the acting user's own id.
type LoginSession struct{ ent.Schema }

func (LoginSession) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "login_sessions"}, entgql.Skip(entgql.SkipAll)}
}
func (LoginSession) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "ses"}, TimeMixin{}} }
func (LoginSession) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Optional().Nillable().Immutable(),
		// The browser's User-Agent and the client address at login (bounded).
		field.String("device").MaxLen(256).Default("").Immutable(),
		field.String("address").MaxLen(64).Default("").Immutable(),
		field.Time("last_seen_at"),
		field.Time("expires_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}
func (LoginSession) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "expires_at")}
}

// MfaRecoveryCode is one of a user's ten single-use recovery codes, stored as an
// HMAC under a key derived from BACKOFFICE_SECRET (never the code itself).
type MfaRecoveryCode struct{ ent.Schema }

func (MfaRecoveryCode) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "mfa_recovery_codes"}, entgql.Skip(entgql.SkipAll)}
}
func (MfaRecoveryCode) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{Prefix: "mrc"}, TimeMixin{}} }
func (MfaRecoveryCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		field.String("psp_id").Immutable(),
		field.String("merchant_id").Optional().Nillable().Immutable(),
		field.Bytes("code_hash").Sensitive().Immutable(),
		field.Time("used_at").Optional().Nillable(),
	}
}
func (MfaRecoveryCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "code_hash").Unique()}
}
