package security_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

type userError struct {
	Code    string
	Field   []string
	Message string
}

// TestInputIsBounded reproduces finding 4: a 92,233,720,368,547,758.07 amount was
// accepted and broke the overview and the settlement run, 1 MiB names and URLs were
// stored and sent to providers, 10,000 items answered INTERNAL ("too many SQL
// variables"). Each is now a user error on its field, and nothing is written.
func TestInputIsBounded(t *testing.T) {
	serve(t, func(t *testing.T, f *harness) {
		// Half a MiB: a whole body over 1 MiB is refused before it is read (413,
		// body_limit_test.go), so each field's own bound is shown just under that.
		big := strings.Repeat("x", 1<<19)
		countOrders := func() int {
			return f.app.DB.Ent.Order.Query().CountX(auth.System(context.Background()))
		}
		before := countOrders()
		order := func(edit func(in map[string]any)) map[string]any {
			in := map[string]any{"reference": "BOUND-1", "amount": "20.00", "currency": "EUR",
				"billingAddress": map[string]any{"country": "DE"}, "provider": "PAYWERK",
				"successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/failed"}
			edit(in)
			return in
		}
		mutation := func(actor, doc string, input map[string]any) []userError {
			t.Helper()
			a := f.gql(actor, doc, map[string]any{"input": input})
			if len(a.Errors) > 0 {
				t.Fatalf("a top-level error instead of a user error: %s", trim(a.Body))
			}
			var out map[string]struct{ UserErrors []userError }
			if err := jsonUnmarshal(a.Body, &out); err != nil {
				t.Fatal(err)
			}
			for _, v := range out {
				return v.UserErrors
			}
			return nil
		}
		const createOrder = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } userErrors { code field message } } }`
		items := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = map[string]any{"sku": fmt.Sprint("S", i), "quantity": "1", "unitPrice": "0.01"}
			}
			return out
		}
		for _, c := range []struct {
			name    string
			edit    func(in map[string]any)
			field   string
			message string
		}{
			{"an amount beyond the int64 sums", func(in map[string]any) { in["amount"] = "92233720368547758.07" }, "amount", "at most 10000000.00"},
			{"an amount just above the bound", func(in map[string]any) { in["amount"] = "10000000.01" }, "amount", "at most 10000000.00"},
			{"a 512 KiB first name", func(in map[string]any) { in["firstName"] = big }, "firstName", "longer than 200"},
			{"a 512 KiB company name", func(in map[string]any) { in["companyName"] = big }, "companyName", "longer than 200"},
			{"a 512 KiB street", func(in map[string]any) {
				in["billingAddress"] = map[string]any{"country": "DE", "street": big}
			}, "billingAddress.street", "longer than 200"},
			{"a 512 KiB callback URL", func(in map[string]any) { in["callbackUrl"] = "https://shop.example/" + big }, "callbackUrl", "longer than 2000"},
			{"a 512 KiB email", func(in map[string]any) { in["email"] = big + "@x.example" }, "email", "longer than 254"},
			{"a 512 KiB item name", func(in map[string]any) {
				in["items"] = []any{map[string]any{"sku": "A", "name": big, "quantity": "1", "unitPrice": "20.00"}}
			}, "items.0.name", "longer than 200"},
			{"a 512 KiB amount", func(in map[string]any) { in["amount"] = strings.Repeat("9", 1<<19) }, "amount", "not a decimal amount"},
			{"more items than an order may have", func(in map[string]any) { in["items"] = items(domain.MaxOrderItems + 1) }, "items",
				fmt.Sprintf("at most %d", domain.MaxOrderItems)},
		} {
			t.Run(c.name, func(t *testing.T) {
				errs := mutation("keyA1", createOrder, order(c.edit))
				if !slices.ContainsFunc(errs, func(e userError) bool {
					return strings.Join(e.Field, ".") == c.field && strings.Contains(e.Message, c.message)
				}) {
					t.Errorf("want a user error on %s (%q), got %+v", c.field, c.message, trimErrs(errs))
				}
			})
		}
		if n := countOrders(); n != before {
			t.Errorf("%d orders were written by refused requests", n-before)
		}

		t.Run("fulfil and refund lists", func(t *testing.T) {
			o := f.world.ByName["order A1/a/a"].ID
			fi := make([]any, domain.MaxOrderItems+1)
			for i := range fi {
				fi[i] = map[string]any{"sku": fmt.Sprint("S", i), "quantity": "1"}
			}
			errs := mutation("keyA1", `mutation($input: FulfilOrderInput!) { fulfilOrder(input: $input) { userErrors { code field message } } }`,
				map[string]any{"orderId": o, "items": fi})
			if len(errs) != 1 || strings.Join(errs[0].Field, ".") != "items" {
				t.Errorf("fulfil %d items: %+v", len(fi), errs)
			}
		})
		t.Run("onboarding and team texts", func(t *testing.T) {
			errs := mutation("staffA", `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { userErrors { code field message } } }`,
				map[string]any{"name": "Shop", "country": "DE", "email": big + "@x.example"})
			if len(errs) != 1 || strings.Join(errs[0].Field, ".") != "email" {
				t.Errorf("a 512 KiB merchant email: %+v", trimErrs(errs))
			}
			errs = mutation("adminA1", `mutation($input: InviteUserInput!) { inviteUser(input: $input) { userErrors { code field message } } }`,
				map[string]any{"email": "new.person@example.com", "name": big, "role": "MERCHANT_VIEWER"})
			if len(errs) != 1 || strings.Join(errs[0].Field, ".") != "name" {
				t.Errorf("a 512 KiB invitee name: %+v", trimErrs(errs))
			}
			errs = mutation("staffA", `mutation($input: ConfigureProviderInput!) { configureProvider(input: $input) { userErrors { code field message } } }`,
				map[string]any{"provider": "PAYWERK", "baseUrl": "https://api.example/" + big[:1<<18], "username": "u", "password": big[:1<<18]})
			if len(errs) != 2 || strings.Join(errs[0].Field, ".") != "baseUrl" || strings.Join(errs[1].Field, ".") != "password" {
				t.Errorf("a 256 KiB provider base URL and password: %+v", trimErrs(errs))
			}
		})
	})
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func trimErrs(errs []userError) []userError {
	for i := range errs {
		errs[i].Message = trim(errs[i].Message)
	}
	return errs
}
