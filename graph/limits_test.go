package graph

import (
	"context"
	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"sort"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/graph/generated"
)

// TestEveryListFieldHasASize: a plain list of objects costs by its size in
// listSizes; a new list field must say how large it realistically is.
func TestEveryListFieldHasASize(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	var missing []string
	for name, typ := range s.Types {
		if strings.HasPrefix(name, "__") || typ.Kind != "OBJECT" {
			continue
		}
		for _, f := range typ.Fields {
			if f.Type.Elem == nil || hasPageArgs(f) || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if el := s.Types[f.Type.Elem.Name()]; el == nil || (el.Kind != "OBJECT" && el.Kind != "INTERFACE" && el.Kind != "UNION") {
				continue // scalars and enums cost nothing below them
			}
			if _, ok := listSizes[name+"."+f.Name]; !ok && !(f.Name == "edges" && strings.HasSuffix(name, "Connection")) && f.Name != "userErrors" {
				missing = append(missing, name+"."+f.Name)
			}
		}
	}
	for k := range listSizes {
		typ, field, _ := strings.Cut(k, ".")
		if s.Types[typ] == nil || s.Types[typ].Fields.ForName(field) == nil {
			missing = append(missing, k+" (no such field)")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("list fields without a size in listSizes: %v", missing)
	}
}

// costOf computes a query's cost as the handler does.
func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	es := pagedComplexity{generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}})}
	doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), query, nil)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	return complexity.Calculate(context.Background(), es, doc.Operations[0], vars)
}

// TestListsCostByTheirSize: the bench's and the N+1 test's order pages of 100 fit
// the limit, while the 8-level items { order { items … } } walk of the issue costs
// far beyond it (it cost 3,501 when a plain list cost child + 1).
func TestListsCostByTheirSize(t *testing.T) {
	for name, q := range map[string]string{"bench": benchOrdersPage, "n+1": ordersPage100} {
		if c := costOf(t, q, map[string]any{"first": 100}); c > ComplexityLimit {
			t.Errorf("%s page of 100 costs %d > %d", name, c, ComplexityLimit)
		}
	}
	walk := `{ orders(first: 100) { edges { node { items { order { items { order { items { order { items { order { id } } } } } } } } } } } }`
	if c := costOf(t, walk, nil); c <= 10*ComplexityLimit {
		t.Errorf("the 8-level walk costs %d, want far above %d", c, ComplexityLimit)
	}
	nested := `{ merchants(first: 1) { edges { node { orders(first: 3) { edges { node { id } } } } } } }`
	if c := costOf(t, nested, nil); c > 20 {
		t.Errorf("a nested connection of 3 costs %d: its first is not read", c)
	}
}

const ordersPage100 = `query($first: Int) { orders(first: $first) { totalCount edges { node {
	id reference status amount { amount currency }
	items { sku quantity total { amount } fulfilledQuantity }
	fulfilments { id status amount { amount } lines { quantity amount { amount } } }
	refunds { id status amount { amount } lines { refundType quantity amount { amount } } }
} } } }`

const benchOrdersPage = `query BenchOrders($first: Int!, $after: Cursor, $where: OrderWhereInput, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reference status fulfilmentStatus provider productType createdAt firstName lastName email
      initialAmount { amount minor currency } amount { amount minor currency }
      fulfilledAmount { amount } refundedAmount { amount }
      items { id sku name quantity unitPrice { amount } total { amount } fulfilledQuantity cancelledQuantity returnedQuantity }
      fulfilments { id status createdAt payoutDate amount { amount } lines { orderItemID quantity amount { amount } } }
      refunds { id status createdAt reason amount { amount } lines { orderItemID refundType quantity amount { amount } } }
    } }
  }
}`
