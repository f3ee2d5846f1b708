// Package tenant decides, in one place, which rows a principal may see and change.
// ent/schema gives every entity this package's Policy (through IDMixin, see
// ent/schema/privacy.go), so every query — node, nodes, connections, nested edges,
// eager loads, counts, the domain services' own reads, the CSV exports — and every
// create, update and delete passes through it. No resolver can forget it.
//
// Decisions a reader would otherwise rediscover:
//   - Reads are filtered, never refused: another tenant's row is simply absent, so the
//     API answers NOT_FOUND (never FORBIDDEN) and lists leave it out.
//   - PSP staff reach their PSP; merchant users their merchant (its users and API keys:
//     merchant admins only, the same rule as the root fields); an API key its company
//     and shop (orders and their children), its company (settlements, fees,
//     activations), and itself. Keys need the area's scope to see orders or
//     settlements at all.
//   - Child rows without tenant columns are filtered through their parent's predicate
//     (an edge subquery): OrderItem/Fulfilment/Refund → Order, FulfilmentLine →
//     Fulfilment → Order, RefundLine → Refund → Order, FeeRule/FeePlanVersion/
//     ProviderActivation → Company. (SettlementEntry and SettlementTotal carry their settlement's tenant
//     ids themselves.)
//   - A context without a principal is denied; auth.System (jobs, seeds, login and key
//     lookups) passes. Never use privacy.DecisionContext to get around the rules.
//   - Creates check that every tenant column and every parent id of the new row is the
//     principal's own (parents by an existence query that is itself filtered).
//     Updates and deletes carry the read predicate, so another tenant's row is "not
//     found". Audit events are never updated or deleted except by auth.System.
//   - An entity without a rule here is denied to everyone but auth.System: a new
//     entity gets its rule before users or keys can touch it.
//
// Raw SQL (ent's ExecContext/QueryContext, *sql.DB) bypasses these rules: do not use
// it for anything a principal reads.
package tenant

import (
	"context"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/apikey"
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/feeplanversion"
	"github.com/pspbackoffice/backoffice/ent/feerule"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/fulfilmentline"
	"github.com/pspbackoffice/backoffice/ent/idempotencyrecord"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/outboxmessage"
	"github.com/pspbackoffice/backoffice/ent/predicate"
	"github.com/pspbackoffice/backoffice/ent/privacy"
	"github.com/pspbackoffice/backoffice/ent/provideraccount"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/psp"
	"github.com/pspbackoffice/backoffice/ent/reconciliationmismatch"
	"github.com/pspbackoffice/backoffice/ent/reconciliationreport"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/ent/refundline"
	"github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/ent/settlemententry"
	"github.com/pspbackoffice/backoffice/ent/settlementtotal"
	"github.com/pspbackoffice/backoffice/ent/shop"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Policy is the privacy policy of every entity.
func Policy() entgo.Policy { return policy{} }

type policy struct{}

// reach is how far a principal sees.
type reach int

const (
	reachNone reach = iota
	reachPSP
	reachMerchant
	reachKey
)

// reachOf classifies a principal; an inconsistent one (a PSP role with a merchant, a
// key without its shop) reaches nothing.
func reachOf(p *auth.Principal) reach {
	switch {
	case p.PSPID == "":
		return reachNone
	case p.IsPSPStaff() && p.MerchantID == "":
		return reachPSP
	case p.IsMerchantUser():
		return reachMerchant
	case p.IsAPIKey() && p.MerchantID != "" && p.CompanyID != "" && p.ShopID != "":
		return reachKey
	}
	return reachNone
}

// errNoPrincipal: storage was used without saying who acts.
func errNoPrincipal() error {
	return privacy.Denyf("tenant: no principal in the context (background work uses auth.System)")
}

// EvalQuery adds the principal's tenant predicate to every query.
func (policy) EvalQuery(ctx context.Context, q entgo.Query) error {
	p := auth.From(ctx)
	switch {
	case p == nil:
		return errNoPrincipal()
	case p.IsSystem():
		return privacy.Skip
	}
	if !restrictQuery(p, q) {
		return privacy.Denyf("tenant: no rule for %T", q)
	}
	return privacy.Skip
}

// EvalMutation keeps writes within the principal's tenant.
func (policy) EvalMutation(ctx context.Context, m entgo.Mutation) error {
	p := auth.From(ctx)
	switch {
	case p == nil:
		return errNoPrincipal()
	case p.IsSystem():
		return privacy.Skip
	}
	r := reachOf(p)
	if !mayWrite(r, m) {
		return privacy.Denyf("tenant: %s cannot %s %s", p.Kind, m.Op(), m.Type())
	}
	if !m.Op().Is(entgo.OpCreate) {
		if !restrictMutation(p, m) {
			return privacy.Denyf("tenant: no rule for %T", m)
		}
	}
	return checkReferences(ctx, p, r, m)
}

// mayWrite answers which kinds of principal may write an entity at all; roles are
// checked at the API (@auth), this is the storage's backstop.
func mayWrite(r reach, m entgo.Mutation) bool {
	if r == reachNone {
		return false
	}
	create := m.Op().Is(entgo.OpCreate)
	switch m.(type) {
	case *ent.PSPMutation, *ent.WebhookEventMutation, *ent.SandboxRecordMutation:
		return false
	case *ent.ProviderAccountMutation, *ent.SettlementMutation, *ent.SettlementEntryMutation, *ent.SettlementTotalMutation,
		*ent.ReconciliationReportMutation, *ent.ReconciliationMismatchMutation:
		return r == reachPSP
	case *ent.MerchantMutation:
		return r == reachPSP || (!create && r == reachMerchant)
	case *ent.UserMutation, *ent.CompanyMutation, *ent.ShopMutation, *ent.FeeRuleMutation, *ent.FeePlanVersionMutation,
		*ent.ProviderActivationMutation, *ent.APIKeyMutation:
		return r == reachPSP || r == reachMerchant
	case *ent.OrderMutation, *ent.OrderItemMutation, *ent.FulfilmentMutation, *ent.FulfilmentLineMutation,
		*ent.RefundMutation, *ent.RefundLineMutation, *ent.IdempotencyRecordMutation:
		return true
	case *ent.AuditEventMutation:
		return create // the trail is append-only
	}
	return false
}

// restrictQuery adds the read predicate; false when the type has no rule.
func restrictQuery(p *auth.Principal, q entgo.Query) bool {
	switch q := q.(type) {
	case *ent.PSPQuery:
		q.Where(psps(p))
	case *ent.ProviderAccountQuery:
		q.Where(providerAccounts(p))
	case *ent.UserQuery:
		q.Where(users(p))
	case *ent.MerchantQuery:
		q.Where(merchants(p))
	case *ent.CompanyQuery:
		q.Where(companies(p))
	case *ent.FeeRuleQuery:
		q.Where(feeRules(p))
	case *ent.FeePlanVersionQuery:
		q.Where(feeplanversion.HasCompanyWith(companies(p)))
	case *ent.ProviderActivationQuery:
		q.Where(activations(p))
	case *ent.ShopQuery:
		q.Where(shops(p))
	case *ent.APIKeyQuery:
		q.Where(apiKeys(p))
	case *ent.OrderQuery:
		q.Where(orders(p))
	case *ent.OrderItemQuery:
		q.Where(orderitem.HasOrderWith(orders(p)))
	case *ent.FulfilmentQuery:
		q.Where(fulfilments(p))
	case *ent.FulfilmentLineQuery:
		q.Where(fulfilmentline.HasFulfilmentWith(fulfilments(p)))
	case *ent.RefundQuery:
		q.Where(refunds(p))
	case *ent.RefundLineQuery:
		q.Where(refundline.HasRefundWith(refunds(p)))
	case *ent.SettlementQuery:
		q.Where(settlements(p))
	case *ent.SettlementEntryQuery:
		q.Where(settlementEntries(p))
	case *ent.SettlementTotalQuery:
		q.Where(settlementTotals(p))
	case *ent.AuditEventQuery:
		q.Where(auditEvents(p))
	case *ent.ReconciliationReportQuery:
		q.Where(reconciliationReports(p))
	case *ent.ReconciliationMismatchQuery:
		q.Where(reconciliationMismatches(p))
	case *ent.IdempotencyRecordQuery:
		q.Where(idempotencyrecord.Principal(p.Key()))
	case *ent.WebhookEventQuery:
		q.Where(nothing[predicate.WebhookEvent]())
	case *ent.OutboxMessageQuery:
		if reachOf(p) == reachPSP {
			q.Where(outboxmessage.PspID(p.PSPID))
		} else {
			q.Where(nothing[predicate.OutboxMessage]())
		}
	case *ent.SandboxRecordQuery:
		q.Where(nothing[predicate.SandboxRecord]())
	case *ent.LoginSessionQuery: // internal/auth reads sessions and recovery codes as the system
		q.Where(nothing[predicate.LoginSession]())
	case *ent.MfaRecoveryCodeQuery:
		q.Where(nothing[predicate.MfaRecoveryCode]())
	default:
		return false
	}
	return true
}

// restrictMutation makes updates and deletes reach only rows the principal sees.
func restrictMutation(p *auth.Principal, m entgo.Mutation) bool {
	switch m := m.(type) {
	case *ent.ProviderAccountMutation:
		m.Where(providerAccounts(p))
	case *ent.UserMutation:
		m.Where(users(p))
	case *ent.MerchantMutation:
		m.Where(merchants(p))
	case *ent.CompanyMutation:
		m.Where(companies(p))
	case *ent.FeeRuleMutation:
		m.Where(feeRules(p))
	case *ent.FeePlanVersionMutation:
		m.Where(feeplanversion.HasCompanyWith(companies(p)))
	case *ent.ProviderActivationMutation:
		m.Where(activations(p))
	case *ent.ShopMutation:
		m.Where(shops(p))
	case *ent.APIKeyMutation:
		m.Where(apiKeys(p))
	case *ent.OrderMutation:
		m.Where(orders(p))
	case *ent.OrderItemMutation:
		m.Where(orderitem.HasOrderWith(orders(p)))
	case *ent.FulfilmentMutation:
		m.Where(fulfilments(p))
	case *ent.FulfilmentLineMutation:
		m.Where(fulfilmentline.HasFulfilmentWith(fulfilments(p)))
	case *ent.RefundMutation:
		m.Where(refunds(p))
	case *ent.RefundLineMutation:
		m.Where(refundline.HasRefundWith(refunds(p)))
	case *ent.SettlementMutation:
		m.Where(settlements(p))
	case *ent.SettlementEntryMutation:
		m.Where(settlementEntries(p))
	case *ent.SettlementTotalMutation:
		m.Where(settlementTotals(p))
	case *ent.IdempotencyRecordMutation:
		m.Where(idempotencyrecord.Principal(p.Key()))
	case *ent.ReconciliationReportMutation:
		m.Where(reconciliationReports(p))
	case *ent.ReconciliationMismatchMutation:
		m.Where(reconciliationMismatches(p))
	default:
		return false
	}
	return true
}

// nothing is a predicate no row satisfies.
func nothing[P ~func(*sql.Selector)]() P {
	return P(func(s *sql.Selector) { s.Where(sql.False()) })
}

func psps(p *auth.Principal) predicate.PSP { return psp.ID(p.PSPID) }

func providerAccounts(p *auth.Principal) predicate.ProviderAccount {
	return scoped(p, provideraccount.PspID, provideraccount.And, nil, nil)
}

// users: a merchant's team is for PSP staff and the merchant's admins, as the root
// fields say (@auth on users and apiKeys); here it holds for every edge too.
func users(p *auth.Principal) predicate.User {
	return scoped(p, user.PspID, user.And, when(isMerchantAdmin(p), user.MerchantID(p.MerchantID)), nil)
}

func merchants(p *auth.Principal) predicate.Merchant {
	return scoped(p, merchant.PspID, merchant.And, merchant.ID(p.MerchantID), merchant.ID(p.MerchantID))
}

func companies(p *auth.Principal) predicate.Company {
	return scoped(p, company.PspID, company.And, company.MerchantID(p.MerchantID), company.ID(p.CompanyID))
}

func feeRules(p *auth.Principal) predicate.FeeRule {
	return feerule.HasCompanyWith(companies(p))
}

func activations(p *auth.Principal) predicate.ProviderActivation {
	return provideractivation.HasCompanyWith(companies(p))
}

func shops(p *auth.Principal) predicate.Shop {
	return scoped(p, shop.PspID, shop.And, shop.MerchantID(p.MerchantID), shop.ID(p.ShopID))
}

// apiKeys: like users, a merchant's keys are for its admins; a key sees itself.
func apiKeys(p *auth.Principal) predicate.APIKey {
	return scoped(p, apikey.PspID, apikey.And, when(isMerchantAdmin(p), apikey.MerchantID(p.MerchantID)), apikey.ID(p.ID))
}

func orders(p *auth.Principal) predicate.Order {
	return scoped(p, order.PspID, order.And, order.MerchantID(p.MerchantID),
		when(p.CanReadOrders(), order.And(order.CompanyID(p.CompanyID), order.ShopID(p.ShopID))))
}

func fulfilments(p *auth.Principal) predicate.Fulfilment { return fulfilment.HasOrderWith(orders(p)) }

func refunds(p *auth.Principal) predicate.Refund { return refund.HasOrderWith(orders(p)) }

func settlements(p *auth.Principal) predicate.Settlement {
	return scoped(p, settlement.PspID, settlement.And, settlement.MerchantID(p.MerchantID),
		when(p.CanReadSettlements(), settlement.CompanyID(p.CompanyID)))
}

// settlementEntries: an entry carries its settlement's tenant ids.
func settlementEntries(p *auth.Principal) predicate.SettlementEntry {
	return scoped(p, settlemententry.PspID, settlemententry.And, settlemententry.MerchantID(p.MerchantID),
		when(p.CanReadSettlements(), settlemententry.CompanyID(p.CompanyID)))
}

// settlementTotals: a settlement's totals carry its tenant ids.
func settlementTotals(p *auth.Principal) predicate.SettlementTotal {
	return scoped(p, settlementtotal.PspID, settlementtotal.And, settlementtotal.MerchantID(p.MerchantID),
		when(p.CanReadSettlements(), settlementtotal.CompanyID(p.CompanyID)))
}

// reconciliationReports: reconciliation is the PSP's own business with its
// providers; merchants and keys see none of it.
func reconciliationReports(p *auth.Principal) predicate.ReconciliationReport {
	if reachOf(p) == reachPSP {
		return reconciliationreport.PspID(p.PSPID)
	}
	return nothing[predicate.ReconciliationReport]()
}

// reconciliationMismatches carry their report's PSP.
func reconciliationMismatches(p *auth.Principal) predicate.ReconciliationMismatch {
	if reachOf(p) == reachPSP {
		return reconciliationmismatch.PspID(p.PSPID)
	}
	return nothing[predicate.ReconciliationMismatch]()
}

// auditEvents: the trail is for PSP staff and merchant admins.
func auditEvents(p *auth.Principal) predicate.AuditEvent {
	return scoped(p, auditevent.PspID, auditevent.And, when(isMerchantAdmin(p), auditevent.MerchantID(p.MerchantID)), nil)
}

// scoped is the predicate of an entity that carries psp_id: PSP staff reach their
// PSP; a merchant's user and an API key reach the rows of their PSP that also satisfy
// merchantReach or keyReach. A nil reach sees nothing.
func scoped[P ~func(*sql.Selector)](p *auth.Principal, pspID func(string) P, and func(...P) P, merchantReach, keyReach P) P {
	var narrow P
	switch reachOf(p) {
	case reachPSP:
		return pspID(p.PSPID)
	case reachMerchant:
		narrow = merchantReach
	case reachKey:
		narrow = keyReach
	}
	if narrow == nil {
		return nothing[P]()
	}
	return and(pspID(p.PSPID), narrow)
}

// when is pred if ok and otherwise nil (for scoped: that reach sees nothing).
func when[P ~func(*sql.Selector)](ok bool, pred P) P {
	if ok {
		return pred
	}
	return nil
}

func isMerchantAdmin(p *auth.Principal) bool { return p.Role == domain.RoleMerchantAdmin }

// checkReferences refuses a write that points outside the principal's tenant: each
// tenant column must be the principal's own and each parent id one it can see.
func checkReferences(ctx context.Context, p *auth.Principal, r reach, m entgo.Mutation) error {
	c, ok := m.(interface{ Client() *ent.Client })
	if !ok {
		return privacy.Denyf("tenant: %T has no client", m)
	}
	if m.Op().Is(entgo.OpCreate) {
		switch m.(type) {
		case *ent.UserMutation, *ent.AuditEventMutation:
			// A merchant's principal writes rows of its merchant, never PSP-wide ones.
			if _, set := m.Field("merchant_id"); !set && r != reachPSP {
				return privacy.Denyf("tenant: %s must name the merchant", m.Type())
			}
		case *ent.IdempotencyRecordMutation:
			if v, _ := m.Field("principal"); v != p.Key() {
				return privacy.Denyf("tenant: idempotency records belong to their principal")
			}
		}
	}
	for _, name := range m.Fields() {
		v, _ := m.Field(name)
		id, isString := v.(string)
		if !isString {
			continue
		}
		if err := checkReference(ctx, c.Client(), p, r, m.Type(), name, id); err != nil {
			return err
		}
	}
	if m.Op().Is(entgo.OpCreate) {
		// The new row's own id: its parents were just checked, so children created
		// later in the operation may name it without another query.
		if idm, ok := m.(interface{ ID() (string, bool) }); ok {
			if id, set := idm.ID(); set {
				MarkSeen(ctx, id)
			}
		}
	}
	return nil
}

// checkReference checks one column that names a tenant or a parent row.
func checkReference(ctx context.Context, c *ent.Client, p *auth.Principal, r reach, typ, field, id string) error {
	var (
		own    bool
		exists func(context.Context) (bool, error)
	)
	switch field {
	case "psp_id":
		own = id == p.PSPID
	case "merchant_id":
		own = id == p.MerchantID
		if r == reachPSP {
			exists = c.Merchant.Query().Where(merchant.ID(id)).Exist
		}
	case "company_id":
		own = id == p.CompanyID
		if r != reachKey {
			exists = c.Company.Query().Where(company.ID(id)).Exist
		}
	case "shop_id":
		own = id == p.ShopID
		if r != reachKey {
			exists = c.Shop.Query().Where(shop.ID(id)).Exist
		}
	case "order_id":
		exists = c.Order.Query().Where(order.ID(id)).Exist
	case "order_item_id":
		exists = c.OrderItem.Query().Where(orderitem.ID(id)).Exist
	case "fulfilment_id":
		exists = c.Fulfilment.Query().Where(fulfilment.ID(id)).Exist
	case "refund_id":
		exists = c.Refund.Query().Where(refund.ID(id)).Exist
	case "settlement_id":
		exists = c.Settlement.Query().Where(settlement.ID(id)).Exist
	case "created_by_id":
		exists = c.User.Query().Where(user.ID(id)).Exist
	default:
		return nil
	}
	if exists != nil && wasSeen(ctx, p, id) {
		exists, own = nil, true
	}
	if exists != nil {
		found, err := exists(ctx)
		if err != nil {
			return err
		}
		own = found
	}
	if !own {
		return privacy.Denyf("tenant: %s.%s %s is not yours", typ, field, id)
	}
	return nil
}
