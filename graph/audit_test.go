package graph_test

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestAMoneyMutationIsAuditedOnce: fulfilAll and refundAll write their audit event in
// their own transaction, with what they decided; the GraphQL edge, which audits every
// other mutation, must not add a second event for the same change.
func TestAMoneyMutationIsAuditedOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		var ops *psp.Operations
		e := psptest.Start(t, d, psptest.Options{Register: func(w *river.Workers) { ops.Register(w) }})
		ops = psp.NewOperations(psp.OperationsConfig{DB: d, Registry: e.Sandboxes})
		ops.UseJobs(e.Jobs)
		srv := graph.NewHandler(&graph.Resolver{Client: d.Ent, Orders: e.Orders, Operations: ops}, graph.Options{})
		c := client.New(srv, func(r *client.Request) {
			r.HTTP = r.HTTP.WithContext(auth.With(r.HTTP.Context(), e.MerchantUser))
		})
		o := e.ConfirmedOrder(t, e.OrderInput(domain.ProviderPaywerk, "AUDIT-1"), domain.ProductInvoice)
		for _, m := range []string{
			`mutation($id: ID!) { fulfilAll(input: {orderId: $id, idempotencyKey: "f1"}) { userErrors { code message } } }`,
			`mutation($id: ID!) { refundAll(input: {orderId: $id, reason: "back", idempotencyKey: "r1"}) { userErrors { code message } } }`,
		} {
			var resp map[string]struct {
				UserErrors []struct{ Code, Message string }
			}
			c.MustPost(m, &resp, client.Var("id", o.ID))
			for name, p := range resp {
				if len(p.UserErrors) > 0 {
					t.Fatalf("%s: %+v", name, p.UserErrors)
				}
			}
		}
		for _, action := range []string{"fulfilAll", "refundAll"} {
			n, err := d.Ent.AuditEvent.Query().Where(auditevent.Action(action)).Count(auth.System(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s left %d audit events, want 1", action, n)
			}
		}
	})
}
