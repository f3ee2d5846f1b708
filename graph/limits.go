package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// The request limits of docs/graphql-limits.md. They are checked on the whole
// operation before anything runs, so no resolver, nested or not, can be reached
// with an argument or a shape beyond them.
const (
	// MaxDepth is the deepest field nesting an operation may select (fragments add
	// nothing). The UI's deepest query (an order page's fulfilment line amounts
	// under orders → edges → node) is 7.
	MaxDepth = 10
)

// listSizes is what a plain list field (not a connection) costs as a multiplier
// of its selection: its realistic size, or the enforced bound where that is small.
// A connection costs by the page it asks (first/last, else MaxPageSize). Every list
// of an object in the schema must have an entry (TestEveryListFieldHasASize).
var listSizes = map[string]int{
	"Order.items":                       10, // at most domain.MaxOrderItems (500); carts hold a few
	"Order.fulfilments":                 3,
	"Order.refunds":                     3,
	"Fulfilment.lines":                  10, // one line per item
	"Refund.lines":                      10, // one line per item and refund type
	"Fulfilment.steps":                  1,  // one capture call
	"Refund.steps":                      2,  // at most two calls (e.g. cancel, then credit)
	"RefundPreviewPayload.lines":        10,
	"Merchant.companies":                5,
	"Merchant.shops":                    10,
	"Merchant.users":                    20,
	"Viewer.sessions":                   10, // a user's open logins (auth.UserSessions answers at most 100)
	"Merchant.apiKeys":                  20,
	"Merchant.checklist":                10,
	"Company.fees":                      10, // one rule per product type and currency
	"Company.activations":               4,  // one per provider
	"Company.feePlanHistory":            5,  // plans change rarely
	"FeePlanVersion.fees":               10, // as Company.fees
	"Query.nodes":                       MaxNodeIDs,
	"Query.providerAccounts":            4, // one per provider
	"PaymentSchedule.parts":             3, // SLICE: three monthly parts
	"RunSettlementsPayload.settlements": MaxPageSize,
	"Settlement.entries":                MaxPageSize, // a company's orders, parts and refunds of a day
	"ReconciliationReport.mismatches":   MaxPageSize, // a provider's day: few when the books agree
	"RunReconciliationPayload.reports":  4,           // one per provider
	"Order.reconciliationMismatches":    2,
	"SettlementOverview.settlements":    90, // the overview covers at most 366 days; the UI asks 90
	"SettlementOverview.daily":          90,
	"SettlementOverview.weekly":         13,
	"SettlementOverview.monthly":        4,
	"SettlementOverview.upcoming":       30,
	"SettlementPeriod.byProductType":    4, // one per product type
	"UpcomingPayout.byProductType":      4,
}

// userErrorsSize is what a payload's userErrors list costs: a few problems at most.
const userErrorsSize = 5

// MaxNodeIDs is the most ids nodes(ids:) takes.
const MaxNodeIDs = MaxPageSize

// listSize answers the multiplier of a plain list field.
func listSize(typeName, field string) int {
	if n, ok := listSizes[typeName+"."+field]; ok {
		return n
	}
	if field == "userErrors" {
		return userErrorsSize
	}
	if field == "edges" && strings.HasSuffix(typeName, "Connection") {
		return 1 // the connection already costs by its page
	}
	return defaultListSize
}

// defaultListSize costs a list the table does not name (a test keeps the table
// complete; this only guards a field added without it).
const defaultListSize = MaxPageSize

// limits refuses, before execution, an operation that is too deep, selects a list
// inside itself, asks a page above MaxPageSize anywhere, carries an argument that
// cannot be read (a bad cursor, an impossible date), or introspects without
// credentials.
type limits struct{ schema *ast.Schema }

func (limits) ExtensionName() string { return "RequestLimits" }
func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}

// MutateOperationContext runs after parsing and validation, before execution.
func (l *limits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	// Introspection answers the schema only to callers with credentials.
	oc.DisableIntrospection = auth.From(ctx) == nil
	if oc.Operation == nil {
		return nil
	}
	w := walker{read: oc.Operation.Operation == ast.Query, schema: l.schema, vars: oc.Variables, anonymous: auth.From(ctx) == nil, onPath: map[string]bool{}}
	w.walk(oc.Operation.SelectionSet, 1)
	return w.err
}

// walker visits every field of an operation once per path.
type walker struct {
	read      bool // a query: its list arguments are filters and ids, bounded here
	schema    *ast.Schema
	vars      map[string]any
	anonymous bool
	onPath    map[string]bool // list fields (Type.field) selected above the current one
	err       *gqlerror.Error
}

func (w *walker) fail(code, field, format string, a ...any) {
	if w.err != nil {
		return
	}
	ext := map[string]any{"code": code}
	if field != "" {
		ext["field"] = field
	}
	w.err = &gqlerror.Error{Message: fmt.Sprintf(format, a...), Extensions: ext}
}

func (w *walker) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.InlineFragment:
			w.walk(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				w.walk(s.Definition.SelectionSet, depth)
			}
		case *ast.Field:
			w.field(s, depth)
		}
	}
}

func (w *walker) field(f *ast.Field, depth int) {
	if f.Name == "__schema" || f.Name == "__type" {
		if w.anonymous {
			w.fail("UNAUTHENTICATED", "", "introspection needs credentials: log in or send an API key")
		}
		return // the schema's own types are finite and cheap
	}
	if depth > MaxDepth {
		w.fail("GRAPHQL_VALIDATION_FAILED", "", "the query is nested %d fields deep at %s; at most %d are allowed", depth, f.Name, MaxDepth)
		return
	}
	if f.Definition == nil {
		return
	}
	parent := ""
	if f.ObjectDefinition != nil {
		parent = f.ObjectDefinition.Name
	}
	w.arguments(f)
	if w.err != nil {
		return
	}
	key := parent + "." + f.Name
	isList := f.Definition.Type.Elem != nil || hasPageArgs(f.Definition)
	if isList && len(f.SelectionSet) > 0 {
		if w.onPath[key] {
			w.fail("GRAPHQL_VALIDATION_FAILED", "", "the query selects %s inside itself; cycles are refused (ask for it once)", key)
			return
		}
		w.onPath[key] = true
		defer delete(w.onPath, key)
	}
	w.walk(f.SelectionSet, depth+1)
}

// arguments checks page sizes and the scalars whose reading could fail later.
func (w *walker) arguments(f *ast.Field) {
	args := f.ArgumentMap(w.vars)
	for _, name := range []string{"first", "last"} {
		v, ok := args[name]
		if !ok || v == nil || f.Definition.Arguments.ForName(name) == nil {
			continue
		}
		if n, ok := intOf(v); !ok || n < 0 || n > MaxPageSize {
			w.fail("BAD_USER_INPUT", name, "%s of %s must be between 0 and %d", name, f.Name, MaxPageSize)
			return
		}
	}
	for _, a := range f.Definition.Arguments {
		if v, ok := args[a.Name]; ok {
			w.value(f.Name+"("+a.Name+")", a.Name, a.Type, v, 1)
		}
	}
}

// value checks one argument value against its type, into lists and input objects.
func (w *walker) value(where, field string, t *ast.Type, v any, depth int) {
	if v == nil || w.err != nil {
		return
	}
	if depth > MaxDepth {
		w.fail("BAD_USER_INPUT", field, "%s is nested deeper than %d levels", where, MaxDepth)
		return
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			w.value(where, field, t.Elem, v, depth) // a single value coerced to a list
			return
		}
		if max := maxListArg; w.read && len(list) > max {
			w.fail("BAD_USER_INPUT", field, "%s lists %d values; at most %d are allowed", where, len(list), max)
			return
		}
		for _, e := range list {
			w.value(where, field, t.Elem, e, depth)
		}
		return
	}
	if def := w.schema.Types[t.NamedType]; def != nil && def.Kind == ast.InputObject {
		obj, _ := v.(map[string]any)
		for _, fd := range def.Fields {
			if fv, ok := obj[fd.Name]; ok {
				w.value(where+"."+fd.Name, field, fd.Type, fv, depth+1)
			}
		}
		return
	}
	switch t.NamedType {
	case "Cursor":
		var c entgql.Cursor[string]
		if err := c.UnmarshalGQL(v); err != nil {
			w.fail("BAD_USER_INPUT", field, "%s is not a cursor this API gave out", where)
		}
	case "Date":
		var d domain.Date
		if err := d.UnmarshalGQL(v); err != nil {
			w.fail("BAD_USER_INPUT", field, "%s: %v", where, err)
		}
	}
}

// maxListArg bounds every list a query's argument carries (ids in nodes(ids:), the
// *In filters and and/or of where inputs): MaxPageSize values, as a page. Mutation
// inputs are bounded by their domain's validation, as user errors on the field
// (internal/domain/limits.go).
const maxListArg = MaxPageSize

// hasPageArgs tells a connection field (it takes first and last).
func hasPageArgs(d *ast.FieldDefinition) bool {
	return d.Arguments.ForName("first") != nil && d.Arguments.ForName("last") != nil
}

// intOf reads an integer argument as it arrives: int64 from a literal, float64 or
// json.Number from variables, *int once coerced.
func intOf(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case *int:
		if n == nil {
			return 0, false
		}
		return int64(*n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
