package isolation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/ent/loginsession"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// targets are another tenant's objects an attacker aims at.
type targets struct {
	Merchant, Company, Shop, Order, Settlement, APIKey, User string
	SKU                                                      string // of the order's item
	Session                                                  string // a login session of User (checkMutations)
	Mismatch                                                 string // a reconciliation difference on Order
}

// attacker is a principal of one tenant and the objects of another it tries.
type attacker struct {
	actor, kind string
	victim      func(w *tenanttest.World) targets
}

// merchantA1 is the first merchant of PSP A: its company a, shop a, and so on.
func merchantA1(w *tenanttest.World) targets {
	return targets{Merchant: w.ByName["merchant A1"].ID, Company: w.ByName["company A1/a"].ID,
		Shop: w.ByName["shop A1/a"].ID, Order: w.ByName["order A1/a/a"].ID, Settlement: w.ByName["settlement A1/a"].ID,
		APIKey: w.ByName["api key keyA1"].ID, User: w.ByName["user viewerA1"].ID, SKU: w.ByName["item A1/a/a"].Marker,
		Mismatch: w.ByName["reconciliation mismatch A1/a/a"].ID}
}

var attackers = []attacker{
	{"staffB", "PSP staff of another PSP", merchantA1},
	{"operatorB", "PSP operator of another PSP", merchantA1},
	{"adminA2", "merchant admin of another merchant", merchantA1},
	{"viewerA2", "merchant viewer of another merchant", merchantA1},
	{"keyA2", "API key of another merchant", merchantA1},
	{"keyA1", "API key of another company and shop of the same merchant", func(w *tenanttest.World) targets {
		return targets{Merchant: w.ByName["merchant A2"].ID, Company: w.ByName["company A1/b"].ID,
			Shop: w.ByName["shop A1/b"].ID, Order: w.ByName["order A1/a/b"].ID, Settlement: w.ByName["settlement A1/b"].ID,
			APIKey: w.ByName["api key keybA1"].ID, User: w.ByName["user viewerA1"].ID, SKU: w.ByName["item A1/a/b"].Marker,
			Mismatch: w.ByName["reconciliation mismatch A1/a/b"].ID}
	}},
}

// queryCase says how to ask a Query field about another tenant.
type queryCase struct {
	// doc builds the document; nil for a plain list/connection of the field.
	doc func(s *schemaModel, t targets) (string, map[string]any)
	// lists is the world type the field lists: the ids answered must be exactly the
	// ones the actor may see.
	lists string
	// targeted: the document names the target, so the answer must be NOT_FOUND (or
	// FORBIDDEN for a role that may not ask at all).
	targeted bool
	// nodes: node and nodes have their own tests (every object of every type).
	nodes bool
}

// queryCases covers every field of Query. A new field fails TestEveryRootFieldHasACase
// until it gets a case here.
var queryCases = map[string]queryCase{
	"node":                  {nodes: true},
	"nodes":                 {nodes: true},
	"viewer":                {},
	"merchants":             {lists: "Merchant"},
	"orders":                {lists: "Order"},
	"settlements":           {lists: "Settlement"},
	"auditEvents":           {lists: "AuditEvent"},
	"users":                 {lists: "User"},
	"apiKeys":               {lists: "APIKey"},
	"providerAccounts":      {lists: "ProviderAccount"},
	"outboxMessages":        {lists: "OutboxMessage"},
	"reconciliationReports": {lists: "ReconciliationReport"},
	"settlementOverview": {targeted: true, doc: func(s *schemaModel, t targets) (string, map[string]any) {
		return `query($c: ID!) { settlementOverview(companyId: $c, from: "2026-01-01", to: "2026-12-31") { ` +
			s.selection("SettlementOverview", 2) + ` } }`, map[string]any{"c": t.Company}
	}},
	"paymentSchedule": {doc: func(s *schemaModel, _ targets) (string, map[string]any) {
		return `{ paymentSchedule(productType: SLICE, amount: "300.00") { ` + s.selection("PaymentSchedule", 2) + ` } }`, nil
	}},
}

// mutationCase says how to aim a Mutation field at another tenant.
type mutationCase struct {
	input func(t targets, fresh string) map[string]any
	// ownTenant: the mutation names no target; it may succeed, within the caller's
	// own tenant only.
	ownTenant bool
	// impliedForKeys: an API key's company and shop are implied (createOrder): for keys
	// the input goes without companyId and shopId and may succeed in the key's shop.
	impliedForKeys bool
}

// mutationCases covers every field of Mutation. A new mutation fails
// TestEveryRootFieldHasACase until it gets a case here: give it an input that
// would succeed if the target were the caller's own.
var mutationCases = map[string]mutationCase{
	"inviteUser": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "email": fresh + "@invite.example", "role": "MERCHANT_VIEWER"}
	}},
	"createApiKey": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"companyId": t.Company, "shopId": t.Shop, "name": "intruder"}
	}},
	"revokeApiKey": {input: func(t targets, _ string) map[string]any { return map[string]any{"apiKeyId": t.APIKey} }},
	"rollApiKey": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"apiKeyId": t.APIKey, "expiresInHours": 24}
	}},
	// The caller's own PSP's bank account: names no target.
	"updatePsp": {ownTenant: true, input: func(_ targets, fresh string) map[string]any {
		return map[string]any{"legalName": "Own PSP " + fresh}
	}},
	"createMerchant": {ownTenant: true, input: func(_ targets, fresh string) map[string]any {
		return map[string]any{"name": "Own " + fresh, "country": "DE"}
	}},
	"updateMerchant": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "name": "hijacked"}
	}},
	"suspendMerchant": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "reason": "hijacked"}
	}},
	"reactivateMerchant": {input: func(t targets, _ string) map[string]any { return map[string]any{"merchantId": t.Merchant} }},
	"addCompany": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "legalName": "Hijack " + fresh, "country": "DE",
			"iban": "DE89370400440532013000", "payoutSchedule": "DAILY", "payNowDelayDays": 1, "payLaterDelayDays": 1}
	}},
	"updateCompany": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"companyId": t.Company, "legalName": "hijacked", "iban": "DE02120300000000202051"}
	}},
	"activateCompany": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"companyId": t.Company, "provider": "PAYWERK"}
	}},
	"addShop": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "name": "Hijack " + fresh}
	}},
	"updateShop": {input: func(t targets, _ string) map[string]any { return map[string]any{"shopId": t.Shop, "name": "hijacked"} }},
	"createOrder": {impliedForKeys: true, input: func(t targets, fresh string) map[string]any {
		return map[string]any{"companyId": t.Company, "shopId": t.Shop, "reference": "hijack-" + fresh, "amount": "120.00",
			"currency": "EUR", "email": "shopper@example.com", "billingAddress": map[string]any{"country": "DE"},
			"provider": "PAYWERK", "items": []any{map[string]any{"sku": "S1", "quantity": "1", "unitPrice": "120.00"}}}
	}},
	"configureProvider": {ownTenant: true, input: func(_ targets, fresh string) map[string]any {
		return map[string]any{"provider": "BILLIE", "baseUrl": "https://billie.example", "username": "u-" + fresh,
			"password": "provider-password-" + fresh}
	}},
	"fulfilOrder": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"orderId": t.Order, "items": []any{map[string]any{"sku": t.SKU, "quantity": "1"}}, "idempotencyKey": fresh}
	}},
	"fulfilAll": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"orderId": t.Order, "idempotencyKey": fresh}
	}},
	"refundOrder": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"orderId": t.Order, "items": []any{map[string]any{"sku": t.SKU, "refundType": "AUTO", "quantity": "1"}},
			"reason": "hijack", "idempotencyKey": fresh}
	}},
	"refundAll": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"orderId": t.Order, "reason": "hijack", "idempotencyKey": fresh}
	}},
	"previewRefund": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"orderId": t.Order, "items": []any{map[string]any{"sku": t.SKU, "refundType": "AUTO"}}}
	}},
	"runSettlements":     {ownTenant: true, input: func(targets, string) map[string]any { return map[string]any{"date": "2026-11-20"} }},
	"markSettlementPaid": {input: func(t targets, _ string) map[string]any { return map[string]any{"settlementId": t.Settlement} }},
	// Reconciliation: PSP staff only; a run acts on the caller's own PSP.
	"runReconciliation": {ownTenant: true, input: func(targets, string) map[string]any { return map[string]any{"provider": "PAYWERK"} }},
	"resolveMismatch": {input: func(t targets, fresh string) map[string]any {
		return map[string]any{"mismatchId": t.Mismatch, "note": "hijack " + fresh}
	}},
	// Two-factor sign-in: each acts on the caller's own user row only.
	"startMfaEnrollment": {ownTenant: true, input: func(_ targets, fresh string) map[string]any {
		return map[string]any{"clientMutationId": fresh}
	}},
	"confirmMfaEnrollment":    {ownTenant: true, input: func(targets, string) map[string]any { return map[string]any{"code": "000000"} }},
	"disableMfa":              {ownTenant: true, input: func(targets, string) map[string]any { return map[string]any{"code": "000000"} }},
	"regenerateRecoveryCodes": {ownTenant: true, input: func(targets, string) map[string]any { return map[string]any{"code": "000000"} }},
	// Another user's session, of another tenant: NOT_FOUND like an unknown id.
	"revokeSession": {input: func(t targets, _ string) map[string]any { return map[string]any{"sessionId": t.Session} }},
	"updateMerchantSecurity": {input: func(t targets, _ string) map[string]any {
		return map[string]any{"merchantId": t.Merchant, "requireMfa": true}
	}},
}

// TestEveryRootFieldHasACase fails for a Query or Mutation field without a case in
// the tables above, and for a Node type without an object in the world: the
// isolation suite must know every way into the data.
func TestEveryRootFieldHasACase(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	s := h.schema()
	for _, f := range s.rootFields(s.query) {
		if _, ok := queryCases[f.Name]; !ok {
			t.Errorf("Query.%s has no case in queryCases (internal/app/isolation): add one", f.Name)
		}
	}
	for _, f := range s.rootFields(s.mutation) {
		if _, ok := mutationCases[f.Name]; !ok {
			t.Errorf("Mutation.%s has no case in mutationCases (internal/app/isolation): add one", f.Name)
		}
	}
	types := map[string]bool{}
	for _, o := range h.world.Objects {
		types[graphQLType(o.Type)] = true
	}
	for typ := range s.nodeTypes() {
		if !types[typ] {
			t.Errorf("the Node type %s has no object in tenanttest.Build: add one", typ)
		}
	}
}

// graphQLType is the GraphQL name of an ent type.
func graphQLType(entType string) string {
	if entType == "APIKey" {
		return "ApiKey"
	}
	return entType
}

// TestIsolation runs every principal kind against another tenant through every door:
// node and nodes for every object of every type, every Query field, every Mutation
// field, nested edges from its own objects, and the CSV export. Nothing of the other
// tenant may show and nothing may change.
func TestIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		s := h.schema()
		t.Run("node and nodes", func(t *testing.T) { h.checkNodes(t, s) })
		t.Run("nested edges of one's own objects", func(t *testing.T) { h.checkOwnObjectsDeep(t, s) })
		t.Run("item quantities", func(t *testing.T) { h.checkItemQuantities(t) })
		t.Run("queries", func(t *testing.T) { h.checkQueries(t, s) })
		t.Run("order search", func(t *testing.T) { h.checkOrderSearch(t) })
		t.Run("settlement exports", func(t *testing.T) { h.checkExports(t) })
		t.Run("mutations", func(t *testing.T) { h.checkMutations(t, s) })
	})
}

func (h *harness) actorNames() []string {
	out := make([]string, 0, len(h.world.Actors))
	for n := range h.world.Actors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// leaks names the world objects an actor may not see whose marker shows in body,
// and those of another merchant (PSP, for PSP staff) whose id shows. The request is
// given so that ids the actor sent itself (and errors may repeat) do not count.
func (h *harness) leaks(actor, body string, request ...any) []string {
	p := h.world.Actors[actor].Principal
	sent, _ := json.Marshal(request)
	var out []string
	for name, o := range h.world.ByName {
		if tenanttest.Sees(p, o) {
			continue
		}
		if o.Marker != "" && strings.Contains(body, o.Marker) && !strings.Contains(string(sent), o.Marker) {
			out = append(out, name+" (its data)")
			continue
		}
		foreign := o.PSP != p.PSPID || (p.MerchantID != "" && o.Merch != "" && o.Merch != p.MerchantID)
		if foreign && strings.Contains(body, o.ID) && !strings.Contains(string(sent), o.ID) {
			out = append(out, name+" (its id)")
		}
	}
	sort.Strings(out)
	return out
}

// checkNodes asks node(id) for every object of the world as every actor, in one
// document per actor, and nodes(ids) for all of them at once.
func (h *harness) checkNodes(t *testing.T, s *schemaModel) {
	nodeTypes := s.nodeTypes()
	for _, actor := range h.actorNames() {
		p := h.world.Actors[actor].Principal
		var objs []tenanttest.Object
		for _, o := range h.world.Objects {
			if nodeTypes[graphQLType(o.Type)] {
				objs = append(objs, o)
			}
		}
		var doc strings.Builder
		doc.WriteString("{")
		ids := make([]string, len(objs))
		for i, o := range objs {
			ids[i] = o.ID
			fmt.Fprintf(&doc, " n%d: node(id: %q) { id __typename }", i, o.ID)
		}
		doc.WriteString(" }")
		r := h.gql(actor, doc.String(), nil)
		if leaked := h.leaks(actor, r.Body, doc.String()); len(leaked) > 0 {
			t.Errorf("%s: node leaks %v", actor, leaked)
		}
		errsAt := map[string]string{}
		for _, e := range r.Errors {
			if len(e.Path) > 0 {
				errsAt[fmt.Sprint(e.Path[0])] = e.Code()
			}
		}
		for i, o := range objs {
			alias := fmt.Sprintf("n%d", i)
			var got *struct{ ID string }
			_ = json.Unmarshal(r.Data[alias], &got)
			want := tenanttest.Sees(p, o)
			switch {
			case want && (got == nil || got.ID != o.ID):
				t.Errorf("%s cannot see its own %s %s: %s", actor, o.Type, o.ID, errsAt[alias])
			case !want && got != nil:
				t.Errorf("%s sees another tenant's %s %s through node", actor, o.Type, o.ID)
			case !want && errsAt[alias] != "NOT_FOUND":
				t.Errorf("%s asking for another tenant's %s: error %q, want NOT_FOUND", actor, o.Type, errsAt[alias])
			}
		}
		r = h.gql(actor, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
		if leaked := h.leaks(actor, r.Body, ids); len(leaked) > 0 {
			t.Errorf("%s: nodes leaks %v", actor, leaked)
		}
		var list []*struct{ ID string }
		_ = json.Unmarshal(r.Data["nodes"], &list)
		for i, o := range objs {
			visible := i < len(list) && list[i] != nil
			if visible != tenanttest.Sees(p, o) {
				t.Errorf("%s: nodes shows %s %s: %v, want %v", actor, o.Type, o.ID, visible, !visible)
			}
		}
	}
}

// checkOwnObjectsDeep walks everything reachable from each of an actor's own objects
// (every field and edge, two levels deep): no edge may lead into another tenant.
func (h *harness) checkOwnObjectsDeep(t *testing.T, s *schemaModel) {
	nodeTypes := s.nodeTypes()
	for _, actor := range h.actorNames() {
		p := h.world.Actors[actor].Principal
		for name, o := range h.world.ByName {
			typ := graphQLType(o.Type)
			if !nodeTypes[typ] || !tenanttest.Sees(p, o) {
				continue
			}
			doc := fmt.Sprintf("query($id: ID!) { node(id: $id) { ... on %s { %s } } }", typ, s.selection(typ, 2))
			r := h.gql(actor, doc, map[string]any{"id": o.ID})
			for _, e := range r.Errors {
				if c := e.Code(); c == "COMPLEXITY_LIMIT_EXCEEDED" || c == "GRAPHQL_VALIDATION_FAILED" {
					t.Fatalf("%s walking %s: %s", actor, name, r.Body)
				}
			}
			if leaked := h.leaks(actor, r.Body); len(leaked) > 0 {
				t.Errorf("%s walking its %s reaches %v", actor, name, leaked)
			}
		}
	}
}

// checkItemQuantities asks every order's OrderItem.openQuantity and
// returnableQuantity (computed by the server from the item and its pending
// fulfilments) as every actor: whoever sees the order gets them without an error,
// anyone else NOT_FOUND and nothing of the order.
func (h *harness) checkItemQuantities(t *testing.T) {
	const doc = `query($id: ID!) { node(id: $id) { ... on Order { items { sku openQuantity returnableQuantity } } } }`
	for _, actor := range h.actorNames() {
		p := h.world.Actors[actor].Principal
		for name, o := range h.world.ByName {
			if o.Type != "Order" {
				continue
			}
			r := h.gql(actor, doc, map[string]any{"id": o.ID})
			if leaked := h.leaks(actor, r.Body, o.ID); len(leaked) > 0 {
				t.Errorf("%s asking the item quantities of %s reaches %v", actor, name, leaked)
			}
			var got *struct {
				Items []struct{ SKU, OpenQuantity, ReturnableQuantity string }
			}
			_ = json.Unmarshal(r.Data["node"], &got)
			if !tenanttest.Sees(p, o) {
				if got != nil || !slices.Contains(r.Codes(), "NOT_FOUND") {
					t.Errorf("%s asking the item quantities of another tenant's %s: %s", actor, name, r.Body)
				}
				continue
			}
			if len(r.Errors) > 0 || got == nil || len(got.Items) == 0 {
				t.Errorf("%s cannot read the item quantities of its own %s: %s", actor, name, r.Body)
				continue
			}
			for _, it := range got.Items {
				if it.OpenQuantity == "" || it.ReturnableQuantity == "" {
					t.Errorf("%s: %s item %s answers open %q, returnable %q", actor, name, it.SKU, it.OpenQuantity, it.ReturnableQuantity)
				}
			}
		}
	}
}

// checkQueries runs every Query field as every actor: lists answer exactly what the
// actor may see, targeted questions about another tenant are NOT_FOUND, nothing leaks.
func (h *harness) checkQueries(t *testing.T, s *schemaModel) {
	for _, f := range s.rootFields(s.query) {
		c, ok := queryCases[f.Name]
		if !ok || c.nodes {
			continue
		}
		for _, a := range attackers {
			doc, vars := h.queryDoc(s, f, c, a.victim(h.world))
			r := h.gql(a.actor, doc, vars)
			if leaked := h.leaks(a.actor, r.Body, vars); len(leaked) > 0 {
				t.Errorf("%s (%s) through %s: leaks %v", a.actor, a.kind, f.Name, leaked)
			}
			if slices.Contains(r.Codes(), "FORBIDDEN") || slices.Contains(r.Codes(), "UNAUTHENTICATED") {
				continue // the role or key may not ask at all
			}
			if c.targeted && !slices.Contains(r.Codes(), "NOT_FOUND") {
				t.Errorf("%s (%s) asking %s about another tenant: %s, want NOT_FOUND", a.actor, a.kind, f.Name, r.Body)
			}
			if c.lists != "" {
				h.checkListed(t, a.actor, f.Name, c.lists, r)
			}
		}
		// Every actor, not only the attackers, gets exactly its own objects.
		if c.lists != "" {
			for _, actor := range h.actorNames() {
				doc, vars := h.queryDoc(s, f, c, targets{})
				r := h.gql(actor, doc, vars)
				if !slices.Contains(r.Codes(), "FORBIDDEN") {
					h.checkListed(t, actor, f.Name, c.lists, r)
				}
			}
		}
	}
}

// checkOrderSearch runs orders(search:) as every actor: a prefix every order id shares
// ("ord_") answers exactly the orders the actor may see, and an attacker searching a
// victim's order by its id or its reference finds nothing of it.
func (h *harness) checkOrderSearch(t *testing.T) {
	const doc = `query($s: String) { orders(first: 100, search: $s) { edges { node { id reference } } } }`
	for _, actor := range h.actorNames() {
		if r := h.gql(actor, doc, map[string]any{"s": "ORD_"}); !slices.Contains(r.Codes(), "FORBIDDEN") {
			h.checkListed(t, actor, "orders(search: ORD_)", "Order", r)
		}
	}
	for _, a := range attackers {
		victim := h.world.ByName["order A1/a/a"]
		if a.actor == "keyA1" {
			victim = h.world.ByName["order A1/a/b"]
		}
		for _, search := range []string{victim.ID, victim.Marker, strings.ToUpper(victim.Marker[:len(victim.Marker)-2])} {
			vars := map[string]any{"s": search}
			r := h.gql(a.actor, doc, vars)
			if len(r.Errors) > 0 && !slices.Contains(r.Codes(), "FORBIDDEN") {
				t.Errorf("%s searching %q: %s", a.actor, search, r.Body)
			}
			if strings.Contains(r.Body, victim.ID) || strings.Contains(r.Body, victim.Marker) {
				t.Errorf("%s (%s) found another tenant's order by %q: %s", a.actor, a.kind, search, r.Body)
			}
		}
	}
}

func (h *harness) queryDoc(s *schemaModel, f schemaField, c queryCase, tg targets) (string, map[string]any) {
	if c.doc != nil {
		return c.doc(s, tg)
	}
	typ := s.types[f.Type.named()]
	args := ""
	if _, ok := f.arg("first"); ok {
		args = "(first: 100)"
	}
	if typ != nil && typ.Kind == "OBJECT" && hasField(typ, "edges") {
		node := s.types[strings.TrimSuffix(typ.Name, "Connection")]
		sel := "id"
		if node != nil {
			sel = s.selection(node.Name, 1)
		}
		return fmt.Sprintf("{ %s%s { edges { node { %s } } } }", f.Name, args, sel), nil
	}
	return fmt.Sprintf("{ %s%s { %s } }", f.Name, args, s.selection(typ.Name, 1)), nil
}

func hasField(t *schemaType, name string) bool {
	for _, f := range t.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// checkListed compares the world objects a list answered with the ones the actor may see.
func (h *harness) checkListed(t *testing.T, actor, field, typ string, r gqlResponse) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Errorf("%s listing %s: %s", actor, field, r.Body)
		return
	}
	p := h.world.Actors[actor].Principal
	var want, got []string
	for name, o := range h.world.ByName {
		if o.Type != typ {
			continue
		}
		if tenanttest.Sees(p, o) {
			want = append(want, name)
		}
		if strings.Contains(r.Body, `"`+o.ID+`"`) {
			got = append(got, name)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s listing %s got %v, want %v", actor, field, got, want)
	}
}

// checkExports downloads every settlement's CSV as every actor: one's own is there,
// another tenant's is 404 like an unknown id.
func (h *harness) checkExports(t *testing.T) {
	for _, actor := range h.actorNames() {
		p := h.world.Actors[actor].Principal
		for name, o := range h.world.ByName {
			if o.Type != "Settlement" {
				continue
			}
			status, body, _ := h.request("GET", "/exports/settlements/"+o.ID+".csv", h.tokens[actor], nil, nil)
			want := http.StatusNotFound
			if tenanttest.Sees(p, o) {
				want = http.StatusOK
			}
			if status != want {
				t.Errorf("%s downloading %s: %d, want %d", actor, name, status, want)
			}
			if leaked := h.leaks(actor, string(body)); len(leaked) > 0 {
				t.Errorf("%s downloading %s: leaks %v", actor, name, leaked)
			}
		}
	}
}

// checkMutations aims every mutation at another tenant's objects as every attacker:
// it must answer NOT_FOUND (or FORBIDDEN for a role that may not call it), show
// nothing of the other tenant and change nothing outside the caller's own tenant.
func (h *harness) checkMutations(t *testing.T, s *schemaModel) {
	for i, f := range s.rootFields(s.mutation) {
		c, ok := mutationCases[f.Name]
		if !ok {
			continue
		}
		arg, ok := f.arg("input")
		if !ok {
			t.Errorf("Mutation.%s takes no input argument (docs/api.md: every mutation takes one input)", f.Name)
			continue
		}
		doc := fmt.Sprintf("mutation($input: %s) { %s(input: $input) { %s } }", arg.Type.gql(), f.Name,
			s.selection(f.Type.named(), 2))
		for j, a := range attackers {
			fresh := fmt.Sprintf("iso%d%d", i, j)
			tg := a.victim(h.world)
			tg.Session = h.sessionOf(t, tg.User)
			input := c.input(tg, fresh)
			if c.impliedForKeys && h.world.Actors[a.actor].Principal.IsAPIKey() {
				delete(input, "companyId")
				delete(input, "shopId")
			}
			before := h.snapshot(t)
			r := h.gql(a.actor, doc, map[string]any{"input": input})
			after := h.snapshot(t)
			if leaked := h.leaks(a.actor, r.Body, input); len(leaked) > 0 {
				t.Errorf("%s (%s) through %s: leaks %v", a.actor, a.kind, f.Name, leaked)
			}
			if bad := h.foreignChanges(a.actor, before, after); len(bad) > 0 {
				t.Errorf("%s (%s) through %s changed another tenant's rows: %v", a.actor, a.kind, f.Name, bad)
			}
			codes := r.Codes()
			var payload struct{ UserErrors []struct{ Code string } }
			_ = json.Unmarshal(r.Data[f.Name], &payload)
			for _, ue := range payload.UserErrors {
				codes = append(codes, ue.Code)
			}
			switch {
			case slices.Contains(codes, "GRAPHQL_VALIDATION_FAILED"):
				t.Errorf("the case of %s does not fit the schema: %s", f.Name, r.Body)
			case c.ownTenant, c.impliedForKeys && h.world.Actors[a.actor].Principal.IsAPIKey(),
				slices.Contains(codes, "FORBIDDEN"), slices.Contains(codes, "NOT_FOUND"):
			default:
				t.Errorf("%s (%s) through %s at another tenant: %s, want NOT_FOUND (the case must be valid apart from its target)",
					a.actor, a.kind, f.Name, r.Body)
			}
		}
	}
}

// sessionOf is a login session of a user (the harness logged every actor in).
func (h *harness) sessionOf(t *testing.T, userID string) string {
	t.Helper()
	id, err := h.app.DB.Ent.LoginSession.Query().Where(loginsession.UserID(userID)).FirstID(auth.System(context.Background()))
	if err != nil {
		t.Fatalf("a session of %s: %v", userID, err)
	}
	return id
}
