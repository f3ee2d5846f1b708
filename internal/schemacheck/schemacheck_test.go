package schemacheck_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/schemacheck"
)

const base = `
type Query { order(id: ID!, full: Boolean): Order, orders(first: Int): [Order!]! }
interface Node { id: ID! }
type Order implements Node { id: ID! reference: String! note: String status: Status! old: String @deprecated(reason: "use note") }
input OrderInput { reference: String! note: String }
enum Status { NEW PAID }
union Thing = Order | Other
type Other { id: ID! }
type Mutation { createOrder(input: OrderInput!): Order }
`

// TestBreaking: each kind of breaking change is found with its path, and additions
// (a type, a field, an optional argument or input field, an enum value, an output
// made non-null, an input made nullable) are not.
func TestBreaking(t *testing.T) {
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"field removed", "note: String status", "status", []string{"Order.note"}},
		{"deprecated field removed", ` old: String @deprecated(reason: "use note")`, "", []string{"Order.old"}},
		{"type removed", "union Thing = Order | Other\ntype Other { id: ID! }", "", []string{"Other", "Thing"}},
		{"enum value removed", "NEW PAID", "NEW", []string{"Status.PAID"}},
		{"output made nullable", "reference: String! note", "reference: String note", []string{"Order.reference"}},
		{"output type changed", "note: String status", "note: Int status", []string{"Order.note"}},
		{"list made single", "[Order!]!", "Order!", []string{"Query.orders"}},
		{"argument removed", ", full: Boolean", "", []string{"Query.order(full)"}},
		{"argument made required", "full: Boolean)", "full: Boolean!)", []string{"Query.order(full)"}},
		{"new required argument", "orders(first: Int)", "orders(first: Int, shop: ID!)", []string{"Query.orders(shop)"}},
		{"input field made required", "reference: String! note: String }", "reference: String! note: String! }", []string{"OrderInput.note"}},
		{"new required input field", "note: String }", "note: String shop: ID! }", []string{"OrderInput.shop"}},
		{"union member removed", "= Order | Other", "= Order", []string{"Thing"}},
		{"interface dropped", "Order implements Node", "Order", []string{"Order"}},
		{"kind changed", "enum Status { NEW PAID }", "scalar Status", []string{"Status"}},

		{"field added", "status: Status!", "status: Status! paid: Boolean", nil},
		{"optional argument added", "orders(first: Int)", "orders(first: Int, shop: ID, n: Int! = 3)", nil},
		{"optional input field added", "note: String }", "note: String shop: ID }", nil},
		{"enum value added", "NEW PAID", "NEW PAID SETTLED", nil},
		{"output made non-null", "note: String status", "note: String! status", nil},
		{"input made nullable", "input OrderInput { reference: String!", "input OrderInput { reference: String", nil},
		{"type added", "type Other", "type Another { id: ID! }\ntype Other", nil},
	}
	old, err := schemacheck.Load("old", base)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := replaceOnce(t, base, c.from, c.to)
			cur, err := schemacheck.Load("new", src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range schemacheck.Breaking(old, cur) {
				got = append(got, ch.Path)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("breaking %v, want %v", got, c.want)
			}
		})
	}
}

func replaceOnce(t *testing.T, s, from, to string) string {
	t.Helper()
	if !strings.Contains(s, from) {
		t.Fatalf("%q is not in the base schema", from)
	}
	return strings.Replace(s, from, to, 1)
}

// TestAnnounced: only bullets under "### Breaking" of "## Unreleased" count.
func TestAnnounced(t *testing.T) {
	got := schemacheck.Announced("# Changelog\n\n## Unreleased\n\n### Added\n- `Order.a` added\n\n### Breaking\n- `Order.b` removed\n* `Order.c(x)` required\n\n## 2026-11-01\n\n### Breaking\n- `Order.d` removed\n")
	want := map[string]bool{"Order.b": true, "Order.c(x)": true}
	if len(got) != len(want) || !got["Order.b"] || !got["Order.c(x)"] {
		t.Errorf("announced %v, want %v", got, want)
	}
}

// TestCheck: a breaking change passes only when the CHANGELOG announces it, and the
// removal of a field or enum value only when the release had deprecated it too.
func TestCheck(t *testing.T) {
	old, err := schemacheck.Load("old", base)
	if err != nil {
		t.Fatal(err)
	}
	announce := func(paths ...string) string {
		s := "# Changelog\n\n## Unreleased\n\n### Breaking\n"
		for _, p := range paths {
			s += "- `" + p + "` removed\n"
		}
		return s
	}
	cases := []struct {
		name, from, to, changelog string
		fails                     []string
	}{
		{"deprecated field removed, not announced", ` old: String @deprecated(reason: "use note")`, "", announce(), []string{"Order.old"}},
		{"deprecated field removed, announced", ` old: String @deprecated(reason: "use note")`, "", announce("Order.old"), nil},
		{"field removed undeprecated, announced", "note: String status", "status", announce("Order.note"), []string{"Order.note"}},
		{"enum value removed undeprecated, announced", "NEW PAID", "NEW", announce("Status.PAID"), []string{"Status.PAID"}},
		{"argument removed, announced", ", full: Boolean", "", announce("Query.order(full)"), nil},
		{"another change announced", ", full: Boolean", "", announce("Query.orders(full)"), []string{"Query.order(full)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur, err := schemacheck.Load("new", replaceOnce(t, base, c.from, c.to))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range schemacheck.Check(old, cur, c.changelog) {
				got = append(got, ch.Path)
			}
			if !slices.Equal(got, c.fails) {
				t.Errorf("the check fails on %v, want %v", got, c.fails)
			}
		})
	}
}
