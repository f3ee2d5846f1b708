package graph

import (
	"context"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/tenant"
)

// readOnlyMutations change nothing and are not audited.
var readOnlyMutations = map[string]bool{"previewRefund": true}

// rootFields guards and audits the root fields, for every field of Query and
// Mutation present and future:
//   - Without a principal only introspection answers (a safety net under @auth, which
//     every root field carries; graph/auth_test.go checks that it does).
//   - A mutation that succeeded — no error, no userErrors — is written to the audit
//     trail with its input (secrets removed) and the ids of the objects it answered,
//     unless its service wrote the event in its own transaction (audit.WriteTx): one
//     mutation, one event.
//   - Each mutation gets its own tenant.WithSeen memo, so the tenant policy need not
//     re-check parents the operation already read through it.
func rootFields(rec *audit.Recorder) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Parent == nil || fc.Parent.Parent != nil || strings.HasPrefix(fc.Field.Name, "__") ||
			(fc.Object != "Query" && fc.Object != "Mutation") {
			return next(ctx)
		}
		if auth.From(ctx) == nil {
			return nil, errUnauthenticated
		}
		if fc.Object == "Mutation" {
			ctx = audit.ExpectOne(tenant.WithSeen(ctx))
		}
		if fc.Object != "Mutation" || rec == nil || readOnlyMutations[fc.Field.Name] {
			return next(ctx)
		}
		res, err := next(ctx)
		if err != nil || hasUserErrors(res) || audit.Written(ctx) {
			return res, err
		}
		args := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
		input, _ := args["input"].(map[string]any)
		if input == nil {
			input = args
		}
		rec.Record(ctx, audit.Event{Action: fc.Field.Name, Input: input, Result: res})
		return res, err
	}
}

// hasUserErrors tells whether a payload reports refusals (a non-empty UserErrors).
func hasUserErrors(res any) bool {
	v := reflect.ValueOf(res)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	f := v.FieldByName("UserErrors")
	return f.IsValid() && f.Kind() == reflect.Slice && f.Len() > 0
}
