// Package tenanttest builds a small world of several tenants with one row of every
// entity per tenant, the principals that act in it, and the expectation of who may
// see what, written independently of the rules in internal/tenant. The isolation
// tests (internal/tenant, internal/app) run against it.
package tenanttest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Password is every user's password in the world.
const Password = "tenant-test-password"

// Object is one row and where it lives. Merchant, Company and Shop are empty where
// the row does not belong to one (PSP-wide rows, a settlement has no shop).
type Object struct {
	Type    string // the ent type name, e.g. "Order"
	ID      string
	Marker  string // a string stored only in this row (a name or reference), "" if none
	PSP     string
	Merch   string
	Company string
	Shop    string
	// Principal is the owner of an idempotency record (auth.Principal.Key()).
	Principal string
}

// Actor is a principal of the world with its login or key.
type Actor struct {
	Name      string
	Principal *auth.Principal
	Email     string // users
	Key       string // API keys: the whole key
}

// World is what Build made.
type World struct {
	Objects []Object
	Actors  map[string]*Actor
	ByName  map[string]Object // "order A1/a/a", "company A1/b", …
}

// Hasher hashes the world's API keys; servers under test must use the same pepper.
type Hasher interface {
	Hash(auth.APIKeySecret) []byte
}

// Build writes the world:
//
//	PSP A: merchant A1 (companies a, b; shops a, b), merchant A2 (company a, shop a)
//	PSP B: merchant B1 (company a, shop a)
//
// Each (company, shop) pair used gets an order with an item, a fulfilment, a refund
// and their lines (A1 has orders in a/a, a/b and b/a); each company a settlement with
// an entry, a fee rule and a provider activation. Actors: PSP admins and operators,
// merchant admins and viewers, and API keys of A1 for a/a (every scope), a/a with
// settlements:read only, and b/a.
func Build(t testing.TB, c *ent.Client, h Hasher, env string) *World {
	t.Helper()
	ctx := auth.System(context.Background())
	w := &World{Actors: map[string]*Actor{}, ByName: map[string]Object{}}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, o Object) Object {
		w.Objects = append(w.Objects, o)
		w.ByName[name] = o
		return o
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	seq := 0
	marker := func(kind string) string { seq++; return fmt.Sprintf("mk%s%03d", kind, seq) }

	specs := []struct {
		psp       string
		merchants []string
	}{{"A", []string{"A1", "A2"}}, {"B", []string{"B1"}}}
	layout := map[string]struct{ companies, shops []string }{
		"A1": {[]string{"a", "b"}, []string{"a", "b"}},
		"A2": {[]string{"a"}, []string{"a"}},
		"B1": {[]string{"a"}, []string{"a"}},
	}
	orderPairs := map[string][][2]string{"A1": {{"a", "a"}, {"a", "b"}, {"b", "a"}}, "A2": {{"a", "a"}}, "B1": {{"a", "a"}}}

	user := func(name string, pspID string, merchantID string, role domain.Role) {
		email := strings.ToLower(fmt.Sprintf("%s@%s.example", name, pspID[len(pspID)-6:]))
		cr := c.User.Create().SetPspID(pspID).SetEmail(email).SetName(marker("usr")).SetRole(role).SetPasswordHash(hash)
		if merchantID != "" {
			cr.SetMerchantID(merchantID)
		}
		u, err := cr.Save(ctx)
		must(err)
		add("user "+name, Object{Type: "User", ID: u.ID, Marker: u.Name, PSP: pspID, Merch: merchantID})
		p, err := auth.UserPrincipal(u)
		must(err)
		w.Actors[name] = &Actor{Name: name, Principal: p, Email: email}
	}
	audit := func(name, pspID, merchantID string) {
		cr := c.AuditEvent.Create().SetPspID(pspID).SetActorType(auditevent.ActorTypeSYSTEM).SetAction(marker("aud"))
		if merchantID != "" {
			cr.SetMerchantID(merchantID)
		}
		e, err := cr.Save(ctx)
		must(err)
		add("audit "+name, Object{Type: "AuditEvent", ID: e.ID, Marker: e.Action, PSP: pspID, Merch: merchantID})
	}

	for _, sp := range specs {
		p, err := c.PSP.Create().SetName(marker("psp")).Save(ctx)
		must(err)
		add("psp "+sp.psp, Object{Type: "PSP", ID: p.ID, Marker: p.Name, PSP: p.ID})
		pa, err := c.ProviderAccount.Create().SetPspID(p.ID).SetProvider(domain.ProviderPaywerk).
			SetBaseURL("https://provider.example").SetExternalPspID(marker("pac")).Save(ctx)
		must(err)
		add("provider account "+sp.psp, Object{Type: "ProviderAccount", ID: pa.ID, Marker: pa.ExternalPspID, PSP: p.ID})
		user("staff"+sp.psp, p.ID, "", domain.RolePSPAdmin)
		user("operator"+sp.psp, p.ID, "", domain.RolePSPOperator)
		audit(sp.psp, p.ID, "")
		for _, mname := range sp.merchants {
			m, err := c.Merchant.Create().SetPspID(p.ID).SetName(marker("mer")).SetCountry("DE").
				SetStatus(merchant.StatusACTIVE).Save(ctx)
			must(err)
			add("merchant "+mname, Object{Type: "Merchant", ID: m.ID, Marker: m.Name, PSP: p.ID, Merch: m.ID})
			user("admin"+mname, p.ID, m.ID, domain.RoleMerchantAdmin)
			user("viewer"+mname, p.ID, m.ID, domain.RoleMerchantViewer)
			audit(mname, p.ID, m.ID)
			companies, shops := map[string]*ent.Company{}, map[string]*ent.Shop{}
			for _, cn := range layout[mname].companies {
				co, err := c.Company.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetLegalName(marker("com")).
					SetCountry("DE").SetIban("DE89370400440532013000").SetPayoutSchedule(domain.PayoutDaily).Save(ctx)
				must(err)
				companies[cn] = co
				add("company "+mname+"/"+cn, Object{Type: "Company", ID: co.ID, Marker: co.LegalName, PSP: p.ID, Merch: m.ID, Company: co.ID})
				fr, err := c.FeeRule.Create().SetCompanyID(co.ID).SetProductType(domain.ProductInvoice).SetPercentBps(290).
					SetFixedMinor(35).Save(ctx)
				must(err)
				add("fee "+mname+"/"+cn, Object{Type: "FeeRule", ID: fr.ID, PSP: p.ID, Merch: m.ID, Company: co.ID})
				fpv, err := c.FeePlanVersion.Create().SetCompanyID(co.ID).SetVersion(1).SetEffectiveAt(co.CreatedAt).
					SetFees([]domain.FeeRate{{ProductType: domain.ProductInvoice, PercentBps: 290, FixedMinor: 35, Currency: co.Currency}}).Save(ctx)
				must(err)
				add("fee plan "+mname+"/"+cn, Object{Type: "FeePlanVersion", ID: fpv.ID, PSP: p.ID, Merch: m.ID, Company: co.ID})
				obx, err := c.OutboxMessage.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).
					SetToAddress("finance@example.com").SetSubject(marker("obx")).SetBody("owed").SetStatus("NOT_SENT").Save(ctx)
				must(err)
				add("outbox "+mname+"/"+cn, Object{Type: "OutboxMessage", ID: obx.ID, Marker: obx.Subject, PSP: p.ID, Merch: m.ID, Company: co.ID})
				act, err := c.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(domain.ProviderPaywerk).
					SetStatus(domain.ActivationActive).SetExternalMerchantID(marker("act")).Save(ctx)
				must(err)
				add("activation "+mname+"/"+cn, Object{Type: "ProviderActivation", ID: act.ID, Marker: act.ExternalMerchantID, PSP: p.ID, Merch: m.ID, Company: co.ID})
			}
			for _, sn := range layout[mname].shops {
				sh, err := c.Shop.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetName(marker("shp")).Save(ctx)
				must(err)
				shops[sn] = sh
				add("shop "+mname+"/"+sn, Object{Type: "Shop", ID: sh.ID, Marker: sh.Name, PSP: p.ID, Merch: m.ID, Shop: sh.ID})
			}
			settlementOf := map[string]*ent.Settlement{}
			for cn, co := range companies {
				st, err := c.Settlement.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).
					SetDate(domain.Date("2026-11-0" + fmt.Sprint(len(settlementOf)+1))).SetStatus(domain.SettlementPending).
					SetPaymentReference(marker("set")).Save(ctx)
				must(err)
				settlementOf[cn] = st
				add("settlement "+mname+"/"+cn, Object{Type: "Settlement", ID: st.ID, Marker: st.PaymentReference, PSP: p.ID, Merch: m.ID, Company: co.ID})
				tot, err := c.SettlementTotal.Create().SetSettlementID(st.ID).SetPspID(p.ID).SetMerchantID(m.ID).
					SetCompanyID(co.ID).SetDate(st.Date).SetProductType(domain.ProductInvoice).SetGrossMinor(2000).Save(ctx)
				must(err)
				add("settlement total "+mname+"/"+cn, Object{Type: "SettlementTotal", ID: tot.ID, PSP: p.ID, Merch: m.ID, Company: co.ID})
			}
			for _, pair := range orderPairs[mname] {
				co, sh := companies[pair[0]], shops[pair[1]]
				where := mname + "/" + pair[0] + "/" + pair[1]
				o, err := c.Order.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).SetShopID(sh.ID).
					SetProvider(domain.ProviderPaywerk).SetReference(marker("ord")).SetStatus(order.StatusCONFIRMED).
					SetInitialAmountMinor(2000).SetAmountMinor(2000).SetBillingAddress(domain.Address{Country: "DE"}).Save(ctx)
				must(err)
				in := Object{PSP: p.ID, Merch: m.ID, Company: co.ID, Shop: sh.ID}
				addIn := func(name, typ, id, mk string) {
					o := in
					o.Type, o.ID, o.Marker = typ, id, mk
					add(name+" "+where, o)
				}
				addIn("order", "Order", o.ID, o.Reference)
				rep, err := c.ReconciliationReport.Create().SetPspID(p.ID).SetProvider(domain.ProviderPaywerk).
					SetDate(domain.Date(fmt.Sprintf("2026-10-%02d", len(w.Objects)%28+1))).
					SetStatus(domain.ReconciliationMismatched).SetOperationsChecked(3).Save(ctx)
				must(err)
				add("reconciliation report "+where, Object{Type: "ReconciliationReport", ID: rep.ID, PSP: p.ID})
				rm, err := c.ReconciliationMismatch.Create().SetReportID(rep.ID).SetPspID(p.ID).SetOrderID(o.ID).
					SetKind(domain.MismatchAmount).SetDetail(marker("rcm")).Save(ctx)
				must(err)
				add("reconciliation mismatch "+where, Object{Type: "ReconciliationMismatch", ID: rm.ID, Marker: rm.Detail, PSP: p.ID})
				it, err := c.OrderItem.Create().SetOrderID(o.ID).SetSku(marker("itm")).SetName("item").
					SetQuantity(money.Units(2)).SetUnitPriceMinor(1000).SetTotalMinor(2000).Save(ctx)
				must(err)
				addIn("item", "OrderItem", it.ID, it.Sku)
				f, err := c.Fulfilment.Create().SetOrderID(o.ID).SetStatus(domain.OperationSucceeded).SetAmountMinor(1000).
					SetProviderOperationID(marker("ful")).Save(ctx)
				must(err)
				addIn("fulfilment", "Fulfilment", f.ID, f.ProviderOperationID)
				fl, err := c.FulfilmentLine.Create().SetFulfilmentID(f.ID).SetOrderItemID(it.ID).SetQuantity(money.Units(1)).
					SetAmountMinor(1000).Save(ctx)
				must(err)
				addIn("fulfilment line", "FulfilmentLine", fl.ID, "")
				r, err := c.Refund.Create().SetOrderID(o.ID).SetStatus(domain.OperationSucceeded).SetAmountMinor(1000).
					SetReason(marker("ref")).Save(ctx)
				must(err)
				addIn("refund", "Refund", r.ID, r.Reason)
				rl, err := c.RefundLine.Create().SetRefundID(r.ID).SetOrderItemID(it.ID).SetRefundType(domain.RefundReturn).
					SetQuantity(money.Units(1)).SetAmountMinor(1000).Save(ctx)
				must(err)
				addIn("refund line", "RefundLine", rl.ID, "")
				if pair[1] == "a" { // settlements carry the orders of shop a only (see the package doc of internal/tenant)
					st := settlementOf[pair[0]]
					se, err := c.SettlementEntry.Create().SetSettlementID(st.ID).SetPspID(p.ID).SetMerchantID(m.ID).
						SetCompanyID(co.ID).SetKind("ORDER").SetOrderID(o.ID).
						SetProductType(domain.ProductPayNowCard).SetAmountMinor(2000).SetPayableDate(domain.Date("2026-11-01")).Save(ctx)
					must(err)
					add("settlement entry "+where, Object{Type: "SettlementEntry", ID: se.ID, PSP: p.ID, Merch: m.ID, Company: co.ID})
				}
			}
			for _, k := range []struct {
				name, company, shop string
				scopes              []string
			}{{"key" + mname, "a", "a", nil}, {"settlekey" + mname, "a", "a", []string{auth.ScopeSettlementsRead}}, {"keyb" + mname, "b", "a", nil}} {
				co, sh := companies[k.company], shops[k.shop]
				if co == nil || sh == nil || (mname != "A1" && k.name != "key"+mname) {
					continue
				}
				secret, err := auth.NewAPIKeySecret(env)
				must(err)
				row, err := c.APIKey.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).SetShopID(sh.ID).
					SetName(marker("key")).SetPrefix(secret.Prefix).SetSecretHash(h.Hash(secret)).SetEnvironment(env).
					SetScopes(k.scopes).Save(ctx)
				must(err)
				add("api key "+k.name, Object{Type: "APIKey", ID: row.ID, Marker: row.Name, PSP: p.ID, Merch: m.ID, Company: co.ID, Shop: sh.ID})
				pr := &auth.Principal{Kind: auth.KindAPIKey, ID: row.ID, Label: row.Name, PSPID: p.ID, MerchantID: m.ID,
					CompanyID: co.ID, ShopID: sh.ID, Scopes: k.scopes}
				w.Actors[k.name] = &Actor{Name: k.name, Principal: pr, Key: secret.String()}
			}
		}
	}
	for _, name := range []string{"keyA1", "adminA2"} {
		a := w.Actors[name]
		rec, err := c.IdempotencyRecord.Create().SetPrincipal(a.Principal.Key()).SetKey(marker("idm")).
			SetOperation("createOrder").SetRequestHash([]byte{1}).SetExpiresAt(time.Now().Add(time.Hour)).Save(ctx)
		must(err)
		add("idempotency "+name, Object{Type: "IdempotencyRecord", ID: rec.ID, Marker: rec.Key, PSP: a.Principal.PSPID,
			Merch: a.Principal.MerchantID, Principal: a.Principal.Key()})
	}
	we, err := c.WebhookEvent.Create().SetProvider(domain.ProviderPaywerk).SetEventID(marker("whe")).SetKind("payment").
		SetPayload([]byte("{}")).Save(ctx)
	must(err)
	add("webhook event", Object{Type: "WebhookEvent", ID: we.ID, Marker: we.EventID})
	sb, err := c.SandboxRecord.Create().SetNamespace("paywerk").SetKind("order").SetKey(marker("sbx")).SetValue([]byte("{}")).Save(ctx)
	must(err)
	add("sandbox record", Object{Type: "SandboxRecord", ID: sb.ID, Marker: sb.Key})
	// Login sessions and recovery codes are the product's own (internal/auth, as the
	// system): no principal reads them through storage. The session has ended, so no
	// viewer.sessions lists it.
	staff := w.Actors["staffB"].Principal
	ls, err := c.LoginSession.Create().SetUserID(staff.ID).SetPspID(staff.PSPID).SetDevice(marker("ses")).
		SetLastSeenAt(time.Now().Add(-48 * time.Hour)).SetExpiresAt(time.Now().Add(-36 * time.Hour)).Save(ctx)
	must(err)
	add("login session", Object{Type: "LoginSession", ID: ls.ID, Marker: ls.Device})
	rc, err := c.MfaRecoveryCode.Create().SetUserID(staff.ID).SetPspID(staff.PSPID).SetCodeHash([]byte(marker("mrc"))).Save(ctx)
	must(err)
	add("recovery code", Object{Type: "MfaRecoveryCode", ID: rc.ID})
	return w
}

// Sees is the expectation: may principal p see object o? It restates the isolation
// rules of the product in one table, independently of internal/tenant.
func Sees(p *auth.Principal, o Object) bool {
	switch o.Type {
	case "WebhookEvent", "SandboxRecord", "LoginSession", "MfaRecoveryCode":
		return false
	case "IdempotencyRecord":
		return o.Principal == p.Key()
	case "PSP":
		return o.PSP == p.PSPID
	}
	if o.PSP != p.PSPID {
		return false
	}
	switch {
	case p.Kind == auth.KindUser && p.Role.IsPSPStaff():
		return true
	case o.Type == "OutboxMessage", o.Type == "ReconciliationReport", o.Type == "ReconciliationMismatch": // PSP staff only
		return false
	case p.Kind == auth.KindUser:
		switch o.Type {
		case "ProviderAccount":
			return false
		case "AuditEvent", "User", "APIKey":
			return p.Role == domain.RoleMerchantAdmin && o.Merch == p.MerchantID
		}
		return o.Merch == p.MerchantID
	case p.Kind == auth.KindAPIKey:
		orders := p.HasScope(auth.ScopeOrdersRead) || p.HasScope(auth.ScopeRefundsWrite)
		switch o.Type {
		case "Merchant":
			return o.ID == p.MerchantID
		case "Company", "FeeRule", "FeePlanVersion", "ProviderActivation":
			return o.Company == p.CompanyID
		case "Shop":
			return o.ID == p.ShopID
		case "APIKey":
			return o.ID == p.ID
		case "Order", "OrderItem", "Fulfilment", "FulfilmentLine", "Refund", "RefundLine":
			return orders && o.Company == p.CompanyID && o.Shop == p.ShopID
		case "Settlement", "SettlementEntry", "SettlementTotal":
			return p.HasScope(auth.ScopeSettlementsRead) && o.Company == p.CompanyID
		}
		return false
	}
	return false
}
