package isolation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// auditCase runs one mutation successfully in the caller's own tenant.
type auditCase struct {
	name  string
	actor string
	// input builds the input from the caller's own objects and a confirmed order
	// of keyA1's shop; nil takes the isolation case's input (mutationCases).
	input func(own targets, ord paidOrder, fresh string) map[string]any
	// action is what the event is called when not the mutation's name (a createOrder
	// that rewrites a pending order of the same reference is an updateOrder).
	action string
	// events is how many events the mutation leaves: 1, or 0 for a read-only one.
	events int
	// setup, when set, builds the input itself and may prepare state first (through
	// the API or as the system); what it does is not counted.
	setup func(t *testing.T, h *harness, own targets) map[string]any
}

// paidOrder is an order created through the API and approved on the sandbox page.
type paidOrder struct{ ID, SKU string }

// auditCases run in this order (suspension before reactivation, the key revoked last).
// A new mutation fails TestEveryMutationIsAuditedOnce until it gets a case here.
var auditCases = []auditCase{
	{name: "updatePsp", actor: "staffA", events: 1},
	{name: "createMerchant", actor: "staffA", events: 1},
	{name: "updateMerchant", actor: "staffA", events: 1},
	{name: "suspendMerchant", actor: "staffA", events: 1},
	{name: "reactivateMerchant", actor: "staffA", events: 1},
	{name: "addCompany", actor: "staffA", events: 1},
	{name: "updateCompany", actor: "staffA", events: 1},
	{name: "activateCompany", actor: "staffA", events: 1, input: func(own targets, _ paidOrder, _ string) map[string]any {
		return map[string]any{"companyId": own.Company, "provider": "BILLIE"}
	}},
	{name: "addShop", actor: "staffA", events: 1},
	{name: "updateShop", actor: "staffA", events: 1},
	{name: "configureProvider", actor: "staffA", events: 1},
	{name: "inviteUser", actor: "adminA1", events: 1},
	{name: "createApiKey", actor: "adminA1", events: 1},
	{name: "createOrder", actor: "keyA1", events: 1, input: func(_ targets, _ paidOrder, fresh string) map[string]any {
		return orderInput(fresh)
	}},
	{name: "fulfilOrder", actor: "adminA1", events: 1, input: func(_ targets, o paidOrder, fresh string) map[string]any {
		return map[string]any{"orderId": o.ID, "items": []any{map[string]any{"sku": o.SKU, "quantity": "1"}}, "idempotencyKey": fresh}
	}},
	{name: "refundOrder", actor: "adminA1", events: 1, input: func(_ targets, o paidOrder, fresh string) map[string]any {
		return map[string]any{"orderId": o.ID, "items": []any{map[string]any{"sku": o.SKU, "refundType": "RETURN", "quantity": "1"}},
			"reason": "back", "idempotencyKey": fresh}
	}},
	{name: "previewRefund", actor: "adminA1", events: 0, input: func(_ targets, o paidOrder, _ string) map[string]any {
		return map[string]any{"orderId": o.ID, "items": []any{map[string]any{"sku": o.SKU, "refundType": "AUTO"}}}
	}},
	{name: "fulfilAll", actor: "keyA1", events: 1, input: func(_ targets, o paidOrder, fresh string) map[string]any {
		return map[string]any{"orderId": o.ID, "idempotencyKey": fresh}
	}},
	{name: "refundAll", actor: "keyA1", events: 1, input: func(_ targets, o paidOrder, fresh string) map[string]any {
		return map[string]any{"orderId": o.ID, "reason": "all back", "idempotencyKey": fresh}
	}},
	{name: "runSettlements", actor: "staffA", events: 1, input: func(targets, paidOrder, string) map[string]any {
		return map[string]any{"date": string(time.Now().UTC().Format(time.DateOnly))}
	}},
	{name: "markSettlementPaid", actor: "staffA", events: 1},
	{name: "runReconciliation", actor: "staffA", events: 1},
	{name: "resolveMismatch", actor: "operatorA", events: 1},
	// Two-factor sign-in, for the merchant viewer: enrol, confirm with a code of the
	// previous step, new recovery codes with the current one, disable with the next
	// (a code is good once, so each call takes a later step).
	{name: "startMfaEnrollment", actor: "viewerA1", events: 1},
	{name: "confirmMfaEnrollment", actor: "viewerA1", events: 1, setup: func(t *testing.T, h *harness, _ targets) map[string]any {
		var out struct{ Secret string }
		h.gql("viewerA1", `mutation { startMfaEnrollment { secret userErrors { code } } }`, nil).MustData(t).Field(t, "startMfaEnrollment", &out)
		secret, err := auth.DecodeTOTPSecret(out.Secret)
		if err != nil {
			t.Fatalf("startMfaEnrollment secret %q: %v", out.Secret, err)
		}
		h.mfaSecret = secret
		return map[string]any{"code": auth.TOTPCode(secret, time.Now().Add(-30*time.Second))}
	}},
	{name: "regenerateRecoveryCodes", actor: "viewerA1", events: 1, setup: func(_ *testing.T, h *harness, _ targets) map[string]any {
		return map[string]any{"code": auth.TOTPCode(h.mfaSecret, time.Now())}
	}},
	{name: "disableMfa", actor: "viewerA1", events: 1, setup: func(_ *testing.T, h *harness, _ targets) map[string]any {
		return map[string]any{"code": auth.TOTPCode(h.mfaSecret, time.Now().Add(30*time.Second))}
	}},
	// Another (second) session of the viewer's own.
	{name: "revokeSession", actor: "viewerA1", events: 1, setup: func(t *testing.T, h *harness, _ targets) map[string]any {
		p := h.world.Actors["viewerA1"].Principal
		c := h.app.DB.Ent.LoginSession.Create().SetUserID(p.ID).SetPspID(p.PSPID).SetDevice("second device").
			SetLastSeenAt(time.Now()).SetExpiresAt(time.Now().Add(time.Hour))
		if p.MerchantID != "" {
			c.SetMerchantID(p.MerchantID)
		}
		ls, err := c.Save(auth.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"sessionId": ls.ID}
	}},
	// Leaves the policy as it is (off), so the later cases' users need no second factor.
	{name: "updateMerchantSecurity", actor: "adminA1", events: 1, setup: func(_ *testing.T, _ *harness, own targets) map[string]any {
		return map[string]any{"merchantId": own.Merchant, "requireMfa": false}
	}},
	{name: "rollApiKey", actor: "adminA1", events: 1},
	{name: "revokeApiKey", actor: "adminA1", events: 1},
}

// TestEveryMutationIsAuditedOnce runs every mutation of the schema over HTTP, as it
// succeeds, and counts the audit events it left: exactly one (none for a read-only
// one), whoever writes it — the service in its transaction or the GraphQL edge.
func TestEveryMutationIsAuditedOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		s := h.schema()
		var names []string
		for _, c := range auditCases {
			names = append(names, c.name)
		}
		for _, f := range s.rootFields(s.mutation) {
			if !slices.Contains(names, f.Name) {
				t.Errorf("Mutation.%s has no case in auditCases (internal/app/isolation/audit_test.go): add one", f.Name)
			}
		}
		// The world's provider accounts are made up: the sandboxes take real payments.
		if err := h.app.EnsureSandboxAccounts(context.Background()); err != nil {
			t.Fatal(err)
		}
		own := merchantA1(h.world)
		ord := h.paidOrder(t)
		for n, c := range auditCases {
			i := slices.IndexFunc(s.rootFields(s.mutation), func(f schemaField) bool { return f.Name == c.name })
			if i < 0 {
				t.Errorf("auditCases names %s, which the schema lacks", c.name)
				continue
			}
			arg, _ := s.rootFields(s.mutation)[i].arg("input")
			fresh := fmt.Sprintf("aud%d", n)
			var input map[string]any
			if c.setup != nil {
				input = c.setup(t, h, own)
			} else if c.input != nil {
				input = c.input(own, ord, fresh)
			} else {
				input = mutationCases[c.name].input(own, fresh)
			}
			if h.world.Actors[c.actor].Principal.IsAPIKey() {
				delete(input, "companyId")
				delete(input, "shopId")
			}
			before := h.auditEvents(t)
			doc := fmt.Sprintf("mutation($input: %s) { %s(input: $input) { userErrors { code field message } } }", arg.Type.gql(), c.name)
			r := h.gql(c.actor, doc, map[string]any{"input": input}).MustData(t)
			var payload struct {
				UserErrors []struct{ Code, Message string }
			}
			r.Field(t, c.name, &payload)
			if len(payload.UserErrors) > 0 {
				t.Errorf("%s as %s refused: %+v", c.name, c.actor, payload.UserErrors)
				continue
			}
			added := h.auditEvents(t)[len(before):]
			action := c.name
			if c.action != "" {
				action = c.action
			}
			if len(added) != c.events {
				t.Errorf("%s left %d audit events, want %d: %v", c.name, len(added), c.events, added)
				continue
			}
			for _, e := range added {
				if e.Action != action {
					t.Errorf("%s left an event %q, want %q", c.name, e.Action, action)
				}
			}
		}
	})
}

// auditEvents answers every audit event, oldest first (the world's own included).
func (h *harness) auditEvents(t *testing.T) []*ent.AuditEvent {
	t.Helper()
	evs, err := h.db.Ent.AuditEvent.Query().Order(ent.Asc(auditevent.FieldCreatedAt), ent.Asc(auditevent.FieldID)).
		All(auth.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// paidOrder creates an order as keyA1 and approves it on the sandbox payment page;
// the job queue runs meanwhile (the provider's notification is applied by a job)
// and is stopped before the answer, so no job writes to the trail afterwards.
func (h *harness) paidOrder(t *testing.T) paidOrder {
	t.Helper()
	if err := h.app.Jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := h.app.Jobs.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}()
	in := orderInput("paid")
	in["amount"] = "120.00"
	in["items"] = []any{map[string]any{"sku": "PAID-1", "quantity": "3", "unitPrice": "40.00"}}
	r := h.gql("keyA1", `mutation($input: CreateOrderInput!) { createOrder(input: $input) {
		order { id } paymentUrl userErrors { code message } } }`, map[string]any{"input": in}).MustData(t)
	var p struct {
		Order      struct{ ID string }
		PaymentURL string
		UserErrors []struct{ Code, Message string }
	}
	r.Field(t, "createOrder", &p)
	if len(p.UserErrors) > 0 || p.PaymentURL == "" {
		t.Fatalf("createOrder: %s", r.Body)
	}
	psptest.Shopper(t, p.PaymentURL, sandboxkit.ActionApprove, "")
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := h.gql("keyA1", `query($id: ID!) { node(id: $id) { ... on Order { status } } }`, map[string]any{"id": p.Order.ID}).MustData(t)
		var n struct{ Status string }
		_ = json.Unmarshal(r.Data["node"], &n)
		if n.Status == "CONFIRMED" {
			return paidOrder{ID: p.Order.ID, SKU: "PAID-1"}
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s, want CONFIRMED", p.Order.ID, n.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// orderInput is a createOrder input for an API key (its company and shop implied).
func orderInput(reference string) map[string]any {
	in := mutationCases["createOrder"].input(targets{}, reference)
	delete(in, "companyId")
	delete(in, "shopId")
	in["successUrl"], in["failedUrl"] = "https://shop.example/paid", "https://shop.example/failed"
	return in
}
