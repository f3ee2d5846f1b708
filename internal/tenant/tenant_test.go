package tenant_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/migrate"
	"github.com/pspbackoffice/backoffice/ent/privacy"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/tenant"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// lister lists every id of one entity the context may see, through ent.
type lister func(ctx context.Context, c *ent.Client) ([]string, error)

// listers covers every entity of the schema; TestEveryEntityHasALister keeps it so.
var listers = map[string]lister{
	"PSP":             func(ctx context.Context, c *ent.Client) ([]string, error) { return c.PSP.Query().IDs(ctx) },
	"ProviderAccount": func(ctx context.Context, c *ent.Client) ([]string, error) { return c.ProviderAccount.Query().IDs(ctx) },
	"User":            func(ctx context.Context, c *ent.Client) ([]string, error) { return c.User.Query().IDs(ctx) },
	"Merchant":        func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Merchant.Query().IDs(ctx) },
	"Company":         func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Company.Query().IDs(ctx) },
	"FeeRule":         func(ctx context.Context, c *ent.Client) ([]string, error) { return c.FeeRule.Query().IDs(ctx) },
	"FeePlanVersion": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.FeePlanVersion.Query().IDs(ctx)
	},
	"OutboxMessage": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.OutboxMessage.Query().IDs(ctx)
	},
	"ReconciliationReport": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.ReconciliationReport.Query().IDs(ctx)
	},
	"ReconciliationMismatch": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.ReconciliationMismatch.Query().IDs(ctx)
	},
	"ProviderActivation": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.ProviderActivation.Query().IDs(ctx)
	},
	"Shop":            func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Shop.Query().IDs(ctx) },
	"APIKey":          func(ctx context.Context, c *ent.Client) ([]string, error) { return c.APIKey.Query().IDs(ctx) },
	"Order":           func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Order.Query().IDs(ctx) },
	"OrderItem":       func(ctx context.Context, c *ent.Client) ([]string, error) { return c.OrderItem.Query().IDs(ctx) },
	"Fulfilment":      func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Fulfilment.Query().IDs(ctx) },
	"FulfilmentLine":  func(ctx context.Context, c *ent.Client) ([]string, error) { return c.FulfilmentLine.Query().IDs(ctx) },
	"Refund":          func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Refund.Query().IDs(ctx) },
	"RefundLine":      func(ctx context.Context, c *ent.Client) ([]string, error) { return c.RefundLine.Query().IDs(ctx) },
	"Settlement":      func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Settlement.Query().IDs(ctx) },
	"SettlementEntry": func(ctx context.Context, c *ent.Client) ([]string, error) { return c.SettlementEntry.Query().IDs(ctx) },
	"SettlementTotal": func(ctx context.Context, c *ent.Client) ([]string, error) { return c.SettlementTotal.Query().IDs(ctx) },
	"AuditEvent":      func(ctx context.Context, c *ent.Client) ([]string, error) { return c.AuditEvent.Query().IDs(ctx) },
	"IdempotencyRecord": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.IdempotencyRecord.Query().IDs(ctx)
	},
	"WebhookEvent":  func(ctx context.Context, c *ent.Client) ([]string, error) { return c.WebhookEvent.Query().IDs(ctx) },
	"SandboxRecord": func(ctx context.Context, c *ent.Client) ([]string, error) { return c.SandboxRecord.Query().IDs(ctx) },
	"LoginSession":  func(ctx context.Context, c *ent.Client) ([]string, error) { return c.LoginSession.Query().IDs(ctx) },
	"MfaRecoveryCode": func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.MfaRecoveryCode.Query().IDs(ctx)
	},
}

var hasher = auth.NewKeyHasher([]byte("tenant test pepper"))

// TestEveryEntityIsInTheWorld keeps the world and the listers complete: a new entity
// needs an object in tenanttest.Build, a lister here and a rule in internal/tenant.
func TestEveryEntityIsInTheWorld(t *testing.T) {
	d := testdb.SQLite(t)
	w := tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
	tables, types := map[string]bool{}, map[string]bool{}
	for _, o := range w.Objects {
		table, err := ent.TableOfID(o.ID)
		if err != nil {
			t.Fatal(err)
		}
		tables[table] = true
		types[o.Type] = true
	}
	for _, table := range migrate.Tables {
		if !tables[table.Name] {
			t.Errorf("the world has no row in %s: add one to tenanttest.Build", table.Name)
		}
	}
	for typ := range types {
		if listers[typ] == nil {
			t.Errorf("no lister for %s", typ)
		}
	}
	if len(listers) != len(migrate.Tables) {
		t.Errorf("%d listers for %d tables", len(listers), len(migrate.Tables))
	}
}

// TestEachPrincipalSeesExactlyItsTenant lists every entity as every principal of the
// world and compares with the expectation (tenanttest.Sees): nothing of another
// tenant shows, nothing of its own is missing.
func TestEachPrincipalSeesExactlyItsTenant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
		for _, name := range sortedActors(w) {
			a := w.Actors[name]
			t.Run(name, func(t *testing.T) {
				ctx := auth.With(context.Background(), a.Principal)
				for typ, list := range listers {
					got, err := list(ctx, d.Ent)
					if err != nil {
						t.Fatalf("%s: %v", typ, err)
					}
					var want []string
					for _, o := range w.Objects {
						if o.Type == typ && tenanttest.Sees(a.Principal, o) {
							want = append(want, o.ID)
						}
					}
					sort.Strings(got)
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s sees %d %s, want %d:\n got %v\nwant %v", name, len(got), typ, len(want), names(w, got), names(w, want))
					}
				}
			})
		}
	})
}

func TestWithoutAPrincipalNothingIsRead(t *testing.T) {
	d := testdb.SQLite(t)
	tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
	for typ, list := range listers {
		if _, err := list(context.Background(), d.Ent); !errors.Is(err, privacy.Deny) {
			t.Errorf("%s without a principal: err = %v, want a privacy denial", typ, err)
		}
	}
	ids, err := listers["Order"](auth.System(context.Background()), d.Ent)
	if err != nil || len(ids) == 0 {
		t.Fatalf("the system sees no orders: %v", err)
	}
}

// updaters touch one row of each entity (its updated_at), for the update rule.
var updaters = map[string]func(ctx context.Context, c *ent.Client, id string) error{
	"ProviderAccount": func(ctx context.Context, c *ent.Client, id string) error {
		return c.ProviderAccount.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"User": func(ctx context.Context, c *ent.Client, id string) error {
		return c.User.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Merchant": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Merchant.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Company": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Company.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"FeeRule": func(ctx context.Context, c *ent.Client, id string) error {
		return c.FeeRule.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"FeePlanVersion": func(ctx context.Context, c *ent.Client, id string) error {
		return c.FeePlanVersion.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"OutboxMessage": func(ctx context.Context, c *ent.Client, id string) error {
		return c.OutboxMessage.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"ReconciliationReport": func(ctx context.Context, c *ent.Client, id string) error {
		return c.ReconciliationReport.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"ReconciliationMismatch": func(ctx context.Context, c *ent.Client, id string) error {
		return c.ReconciliationMismatch.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"ProviderActivation": func(ctx context.Context, c *ent.Client, id string) error {
		return c.ProviderActivation.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Shop": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Shop.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"APIKey": func(ctx context.Context, c *ent.Client, id string) error {
		return c.APIKey.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Order": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Order.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"OrderItem": func(ctx context.Context, c *ent.Client, id string) error {
		return c.OrderItem.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Fulfilment": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Fulfilment.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"FulfilmentLine": func(ctx context.Context, c *ent.Client, id string) error {
		return c.FulfilmentLine.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Refund": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Refund.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"RefundLine": func(ctx context.Context, c *ent.Client, id string) error {
		return c.RefundLine.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"Settlement": func(ctx context.Context, c *ent.Client, id string) error {
		return c.Settlement.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"SettlementEntry": func(ctx context.Context, c *ent.Client, id string) error {
		return c.SettlementEntry.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"SettlementTotal": func(ctx context.Context, c *ent.Client, id string) error {
		return c.SettlementTotal.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"IdempotencyRecord": func(ctx context.Context, c *ent.Client, id string) error {
		return c.IdempotencyRecord.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"PSP": func(ctx context.Context, c *ent.Client, id string) error {
		return c.PSP.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"WebhookEvent": func(ctx context.Context, c *ent.Client, id string) error {
		return c.WebhookEvent.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"SandboxRecord": func(ctx context.Context, c *ent.Client, id string) error {
		return c.SandboxRecord.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"LoginSession": func(ctx context.Context, c *ent.Client, id string) error {
		return c.LoginSession.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"MfaRecoveryCode": func(ctx context.Context, c *ent.Client, id string) error {
		return c.MfaRecoveryCode.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(ctx)
	},
	"AuditEvent": func(ctx context.Context, c *ent.Client, id string) error {
		return c.AuditEvent.DeleteOneID(id).Exec(ctx) // every field is immutable
	},
}

// writers are the principal kinds that may change an entity at all (the roles are
// the API's business): the product writes the rest itself.
var writers = map[string][]string{
	"ProviderAccount": {"psp"}, "Settlement": {"psp"}, "SettlementEntry": {"psp"}, "SettlementTotal": {"psp"},
	"ReconciliationReport": {"psp"}, "ReconciliationMismatch": {"psp"},
	"Merchant": {"psp", "merchant"}, "User": {"psp", "merchant"}, "Company": {"psp", "merchant"},
	"FeeRule": {"psp", "merchant"}, "FeePlanVersion": {"psp", "merchant"}, "ProviderActivation": {"psp", "merchant"}, "Shop": {"psp", "merchant"},
	"APIKey": {"psp", "merchant"},
	"Order":  {"psp", "merchant", "key"}, "OrderItem": {"psp", "merchant", "key"}, "Fulfilment": {"psp", "merchant", "key"},
	"FulfilmentLine": {"psp", "merchant", "key"}, "Refund": {"psp", "merchant", "key"}, "RefundLine": {"psp", "merchant", "key"},
	"IdempotencyRecord": {"psp", "merchant", "key"},
}

func kindOf(p *auth.Principal) string {
	switch {
	case p.IsAPIKey():
		return "key"
	case p.IsPSPStaff():
		return "psp"
	}
	return "merchant"
}

// TestEachPrincipalChangesOnlyItsTenant updates every row of the world as every
// principal: only rows it sees and may write change; the others are not found.
func TestEachPrincipalChangesOnlyItsTenant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
		for _, name := range sortedActors(w) {
			p := w.Actors[name].Principal
			ctx := auth.With(context.Background(), p)
			for objName, o := range w.ByName {
				update := updaters[o.Type]
				if update == nil {
					t.Fatalf("no updater for %s", o.Type)
				}
				err := update(ctx, d.Ent, o.ID)
				want := tenanttest.Sees(p, o) && slices.Contains(writers[o.Type], kindOf(p))
				switch {
				case want && err != nil:
					t.Errorf("%s cannot change its own %s: %v", name, objName, err)
				case !want && err == nil:
					t.Errorf("%s changed %s", name, objName)
				case !want && !errors.Is(err, privacy.Deny) && !ent.IsNotFound(err):
					t.Errorf("%s changing %s: %v, want a denial or not found", name, objName, err)
				}
			}
		}
	})
}

// TestWritesStayInTheTenant: updates and deletes of another tenant's rows find
// nothing; creates that point at another tenant are refused; one's own work passes.
func TestWritesStayInTheTenant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
		c := d.Ent
		as := func(name string) context.Context { return auth.With(context.Background(), w.Actors[name].Principal) }
		obj := func(name string) string { return w.ByName[name].ID }
		denied := func(err error) bool { return errors.Is(err, privacy.Deny) || ent.IsNotFound(err) }
		for _, tc := range []struct {
			name    string
			write   func() error
			allowed bool
		}{
			{"a merchant admin renames another merchant's shop", func() error {
				return c.Shop.UpdateOneID(obj("shop A2/a")).SetName("x").Exec(as("adminA1"))
			}, false},
			{"a merchant admin renames its own shop", func() error {
				return c.Shop.UpdateOneID(obj("shop A1/a")).SetName("renamed").Exec(as("adminA1"))
			}, true},
			{"PSP staff suspend another PSP's merchant", func() error {
				return c.Merchant.UpdateOneID(obj("merchant A1")).SetStatus("SUSPENDED").Exec(as("staffB"))
			}, false},
			{"an API key changes an order of its company's other shop", func() error {
				return c.Order.UpdateOneID(obj("order A1/a/b")).SetEmail("x@y.z").Exec(as("keyA1"))
			}, false},
			{"an API key changes its own shop's order", func() error {
				return c.Order.UpdateOneID(obj("order A1/a/a")).SetEmail("x@y.z").Exec(as("keyA1"))
			}, true},
			{"an API key changes an item of another shop's order", func() error {
				return c.OrderItem.UpdateOneID(obj("item A1/a/b")).SetName("x").Exec(as("keyA1"))
			}, false},
			{"a bulk update reaches only one's own rows", func() error {
				n, err := c.Order.Update().SetEmail("bulk@y.z").Save(as("adminA2"))
				if err == nil && n != 1 {
					return errors.New("updated other tenants' orders")
				}
				return err
			}, true},
			{"a merchant admin deletes another merchant's fee rule", func() error {
				return c.FeeRule.DeleteOneID(obj("fee A2/a")).Exec(as("adminA1"))
			}, false},
			{"a key creates an order in its company's other shop", func() error {
				p := w.Actors["keyA1"].Principal
				return c.Order.Create().SetPspID(p.PSPID).SetMerchantID(p.MerchantID).SetCompanyID(p.CompanyID).
					SetShopID(obj("shop A1/b")).SetProvider(domain.ProviderPaywerk).SetReference("k1").
					SetBillingAddress(domain.Address{Country: "DE"}).Exec(as("keyA1"))
			}, false},
			{"a key creates an order in its own shop", func() error {
				p := w.Actors["keyA1"].Principal
				return c.Order.Create().SetPspID(p.PSPID).SetMerchantID(p.MerchantID).SetCompanyID(p.CompanyID).
					SetShopID(p.ShopID).SetProvider(domain.ProviderPaywerk).SetReference("k2").
					SetBillingAddress(domain.Address{Country: "DE"}).Exec(as("keyA1"))
			}, true},
			{"a key adds an item to another shop's order", func() error {
				return c.OrderItem.Create().SetOrderID(obj("order A1/a/b")).SetSku("S").SetName("S").
					SetQuantity(money.Units(1)).Exec(as("keyA1"))
			}, false},
			{"a memo of what another principal saw vouches for nothing", func() error {
				// staffA may see A2's item; the memo is staffA's, the write adminA1's.
				ctx := tenant.WithSeen(as("staffA"))
				tenant.MarkSeen(ctx, obj("item A2/a/a"))
				ctx = auth.With(ctx, w.Actors["adminA1"].Principal)
				tenant.MarkSeen(ctx, obj("item A2/a/a")) // not the memo's principal: ignored
				return c.FulfilmentLine.Create().SetFulfilmentID(obj("fulfilment A1/a/a")).SetOrderItemID(obj("item A2/a/a")).
					SetQuantity(money.Units(1)).Exec(ctx)
			}, false},
			{"a merchant user fulfils a line of its own item, parents remembered", func() error {
				ctx := tenant.WithSeen(as("adminA1"))
				tenant.MarkSeen(ctx, obj("fulfilment A1/a/a"), obj("item A1/a/a"))
				return c.FulfilmentLine.Create().SetFulfilmentID(obj("fulfilment A1/a/a")).SetOrderItemID(obj("item A1/a/a")).
					SetQuantity(money.Units(1)).Exec(ctx)
			}, true},
			{"a merchant user fulfils a line of another merchant's item", func() error {
				return c.FulfilmentLine.Create().SetFulfilmentID(obj("fulfilment A1/a/a")).SetOrderItemID(obj("item A2/a/a")).
					SetQuantity(money.Units(1)).Exec(as("adminA1"))
			}, false},
			{"PSP staff add a company to another PSP's merchant", func() error {
				return c.Company.Create().SetPspID(w.Actors["staffB"].Principal.PSPID).SetMerchantID(obj("merchant A1")).
					SetLegalName("x").SetCountry("DE").SetIban("x").SetPayoutSchedule(domain.PayoutDaily).Exec(as("staffB"))
			}, false},
			{"a merchant admin adds a fee to another merchant's company", func() error {
				return c.FeeRule.Create().SetCompanyID(obj("company A2/a")).SetProductType(domain.ProductSlice).
					SetPercentBps(1).Exec(as("adminA1"))
			}, false},
			{"a merchant admin adds its item to another merchant's fulfilment", func() error {
				return c.FulfilmentLine.Create().SetFulfilmentID(obj("fulfilment A2/a/a")).SetOrderItemID(obj("item A1/a/a")).
					SetQuantity(money.Units(1)).Exec(as("adminA1"))
			}, false},
			{"a merchant admin adds its item to another merchant's refund", func() error {
				return c.RefundLine.Create().SetRefundID(obj("refund A2/a/a")).SetOrderItemID(obj("item A1/a/a")).
					SetRefundType(domain.RefundCancel).SetQuantity(money.Units(1)).Exec(as("adminA1"))
			}, false},
			{"PSP staff file their order into another PSP's settlement", func() error {
				p := w.Actors["staffB"].Principal
				return c.SettlementEntry.Create().SetSettlementID(obj("settlement A1/a")).SetPspID(p.PSPID).
					SetMerchantID(obj("merchant B1")).SetCompanyID(obj("company B1/a")).SetKind("ORDER").
					SetOrderID(obj("order B1/a/a")).SetProductType(domain.ProductInvoice).SetPayableDate("2026-11-01").Exec(as("staffB"))
			}, false},
			{"an API key points its order at another tenant's settlement", func() error {
				return c.Order.UpdateOneID(obj("order A1/a/a")).SetSettlementID(obj("settlement B1/a")).Exec(as("keyA1"))
			}, false},
			{"a merchant admin makes a key in the name of another merchant's user", func() error {
				p := w.Actors["adminA1"].Principal
				return c.APIKey.Create().SetPspID(p.PSPID).SetMerchantID(p.MerchantID).SetCompanyID(obj("company A1/a")).
					SetShopID(obj("shop A1/a")).SetCreatedByID(obj("user adminA2")).SetName("k").SetPrefix("p2").
					SetSecretHash([]byte{1}).Exec(as("adminA1"))
			}, false},
			{"a merchant admin invites into another merchant", func() error {
				p := w.Actors["adminA1"].Principal
				return c.User.Create().SetPspID(p.PSPID).SetMerchantID(obj("merchant A2")).SetEmail("new@x.example").
					SetRole(domain.RoleMerchantAdmin).Exec(as("adminA1"))
			}, false},
			{"a merchant admin creates PSP staff", func() error {
				p := w.Actors["adminA1"].Principal
				return c.User.Create().SetPspID(p.PSPID).SetEmail("boss@x.example").SetRole(domain.RolePSPAdmin).Exec(as("adminA1"))
			}, false},
			{"an API key creates a user", func() error {
				p := w.Actors["keyA1"].Principal
				return c.User.Create().SetPspID(p.PSPID).SetMerchantID(p.MerchantID).SetEmail("bot@x.example").
					SetRole(domain.RoleMerchantAdmin).Exec(as("keyA1"))
			}, false},
			{"an API key makes another API key", func() error {
				p := w.Actors["keyA1"].Principal
				return c.APIKey.Create().SetPspID(p.PSPID).SetMerchantID(p.MerchantID).SetCompanyID(p.CompanyID).
					SetShopID(p.ShopID).SetName("k").SetPrefix("p").SetSecretHash([]byte{1}).Exec(as("keyA1"))
			}, false},
			{"PSP staff rewrite the audit trail", func() error {
				return c.AuditEvent.DeleteOneID(obj("audit A")).Exec(as("staffA"))
			}, false},
			{"a merchant user writes another PSP's audit event", func() error {
				return c.AuditEvent.Create().SetPspID(w.Actors["staffB"].Principal.PSPID).SetMerchantID(obj("merchant A1")).
					SetActorType("USER").SetAction("x").Exec(as("adminA1"))
			}, false},
			{"a key writes an idempotency record under another principal", func() error {
				return c.IdempotencyRecord.Create().SetPrincipal(w.Actors["adminA1"].Principal.Key()).SetKey("k").
					SetOperation("x").SetRequestHash([]byte{1}).SetExpiresAt(time.Now().Add(time.Hour)).Exec(as("keyA1"))
			}, false},
			{"a user changes a webhook event", func() error {
				return c.WebhookEvent.UpdateOneID(obj("webhook event")).SetError("x").Exec(as("staffA"))
			}, false},
			{"nobody at all writes anything", func() error {
				return c.Shop.UpdateOneID(obj("shop A1/a")).SetName("y").Exec(context.Background())
			}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.write()
				switch {
				case tc.allowed && err != nil:
					t.Fatalf("refused: %v", err)
				case !tc.allowed && err == nil:
					t.Fatal("allowed")
				case !tc.allowed && !denied(err):
					t.Fatalf("refused with %v, want a privacy denial or not found", err)
				}
			})
		}
		// Nothing of the refused writes reached the rows.
		sys := auth.System(context.Background())
		if s := c.Shop.GetX(sys, obj("shop A2/a")); s.Name == "x" {
			t.Error("another merchant's shop was renamed")
		}
		if m := c.Merchant.GetX(sys, obj("merchant A1")); m.Status == "SUSPENDED" {
			t.Error("another PSP's merchant was suspended")
		}
		if o := c.Order.GetX(sys, obj("order A1/a/b")); strings.Contains(o.Email, "@") {
			t.Error("another shop's order was changed")
		}
	})
}

func sortedActors(w *tenanttest.World) []string {
	out := make([]string, 0, len(w.Actors))
	for n := range w.Actors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// names shows ids as the world's names, for readable failures.
func names(w *tenanttest.World, ids []string) []string {
	byID := map[string]string{}
	for n, o := range w.ByName {
		byID[o.ID] = n
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out
}

// TestRememberedParentsAreNotQueriedAgain: a create naming parents the operation
// already read through the policy sends only its insert; without the memo the policy
// asks the database for each parent.
func TestRememberedParentsAreNotQueriedAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := tenanttest.Build(t, d.Ent, hasher, auth.EnvTest)
		var statements atomic.Int64
		c := ent.NewClient(ent.Driver(dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL),
			func(context.Context, ...any) { statements.Add(1) })))
		obj := func(name string) string { return w.ByName[name].ID }
		create := func(ctx context.Context) int64 {
			statements.Store(0)
			if err := c.FulfilmentLine.Create().SetFulfilmentID(obj("fulfilment A1/a/a")).SetOrderItemID(obj("item A1/a/a")).
				SetQuantity(money.Units(1)).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			return statements.Load()
		}
		as := auth.With(context.Background(), w.Actors["adminA1"].Principal)
		asked := create(as)
		ctx := tenant.WithSeen(as)
		tenant.MarkSeen(ctx, obj("fulfilment A1/a/a"), obj("item A1/a/a"))
		if remembered := create(ctx); remembered != asked-2 {
			t.Fatalf("with both parents remembered the create sent %d statements, without %d; want 2 fewer", remembered, asked)
		}
	})
}
