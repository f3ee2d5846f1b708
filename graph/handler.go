package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/privacy"
	"github.com/pspbackoffice/backoffice/graph/generated"
	"github.com/pspbackoffice/backoffice/internal/audit"
)

// ComplexityLimit is the most a query may cost: every field costs 1, a connection
// multiplies what is below it by the page size it asks for (first/last, or
// MaxPageSize when it asks for neither), and a plain list by its realistic size
// (listSizes), so nested lists cost multiplicatively (docs/graphql-limits.md).
const ComplexityLimit = 150000

// Options are what the GraphQL handler needs besides the resolvers.
type Options struct {
	Logger *slog.Logger
	// Observe is told each operation's name, duration and whether it failed (metrics).
	Observe func(operation string, d time.Duration, failed bool)
	// Throttle charges each operation's cost to its caller's bucket (nil: none);
	// wrap the handler in ThrottleHTTP for the 429 answer.
	Throttle *Throttle
}

// NewHandler assembles the GraphQL server from explicit transports, with the
// complexity limit, the error presenter and the metrics hook.
func NewHandler(r *Resolver, opts Options) *handler.Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r, Directives: generated.DirectiveRoot{Auth: Auth}})
	srv := handler.New(pagedComplexity{es})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(&limits{}) // depth, cycles, page sizes, argument values, introspection
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	if opts.Throttle != nil {
		if opts.Throttle.Logger == nil {
			opts.Throttle.Logger = opts.Logger
		}
		srv.Use(throttler{opts.Throttle}) // after the complexity limit: it charges that cost
	}
	srv.Use(costReporter{})
	srv.AroundFields(rootFields(&audit.Recorder{Client: r.Client, Logger: opts.Logger}))
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		opts.Logger.ErrorContext(ctx, "panic in resolver", "panic", v)
		return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": "INTERNAL"}}
	})
	if opts.Observe != nil {
		srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			oc := graphql.GetOperationContext(ctx)
			name := oc.OperationName
			if name == "" && oc.Operation != nil {
				name = string(oc.Operation.Operation)
			}
			start := time.Now()
			h := next(ctx)
			return func(ctx context.Context) *graphql.Response {
				resp := h(ctx)
				if resp != nil {
					opts.Observe(name, time.Since(start), len(resp.Errors) > 0)
				}
				return resp
			}
		})
	}
	return srv
}

// pagedComplexity multiplies a connection's cost by the page it asks for and a
// plain list's by its realistic size (listSizes).
type pagedComplexity struct{ graphql.ExecutableSchema }

func (p pagedComplexity) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if c, ok := p.ExecutableSchema.Complexity(ctx, typeName, field, child, args); ok {
		return c, true
	}
	var def *ast.FieldDefinition
	if t := p.Schema().Types[typeName]; t != nil {
		def = t.Fields.ForName(field)
	}
	switch {
	case def == nil:
		return child + 1, true
	case hasPageArgs(def):
		n := int64(MaxPageSize)
		for _, k := range []string{"first", "last"} {
			if v, ok := intOf(args[k]); ok && v >= 0 && v < n {
				n = v
			}
		}
		return saturate(n, child), true
	case def.Type.Elem != nil:
		return saturate(int64(listSize(typeName, field)), child), true
	}
	return child + 1, true
}

// saturate is n×child+1 without overflowing int.
func saturate(n int64, child int) int {
	if child > 0 && n > (math.MaxInt32/int64(child)) {
		return math.MaxInt32
	}
	return int(n)*child + 1
}

// costReporter puts the query's computed cost into the response's extensions, and
// the caller's bucket after paying it (Throttle).
type costReporter struct{}

func (costReporter) ExtensionName() string                   { return "CostReporter" }
func (costReporter) Validate(graphql.ExecutableSchema) error { return nil }
func (costReporter) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if !graphql.HasOperationContext(ctx) {
		return resp // a request refused before it became an operation has no cost
	}
	if stats := extension.GetComplexityStats(ctx); stats != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		cost := map[string]any{"requested": stats.Complexity, "limit": stats.ComplexityLimit,
			"requestedQueryCost": stats.Complexity}
		if st, ok := throttleStatus(ctx); ok {
			cost["throttleStatus"] = st
		}
		resp.Extensions["cost"] = cost
	}
	return resp
}

// presentError maps domain and storage errors to API codes at one edge, and hides
// internals: an unexpected error is logged and shown as "internal error".
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Extensions != nil {
			return gqlErr
		}
		base := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr != nil && gqlErr.Err != nil && gqlErr.Extensions == nil && inputError(ctx) {
			// An argument gqlgen could not read (a scalar refused its value): the
			// caller's mistake, said as such (limits catches the known ones earlier).
			base.Message = "invalid argument: " + gqlErr.Err.Error()
			base.Extensions = map[string]any{"code": "BAD_USER_INPUT"}
			return base
		}
		code, msg := classify(err)
		if code == "INTERNAL" {
			if gqlErr != nil && gqlErr.Err == nil && gqlErr.Extensions == nil {
				// A validation or parse error from gqlgen itself: keep its message.
				base.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
				return base
			}
			log.ErrorContext(ctx, "internal error", "err", err, "path", base.Path.String())
		}
		base.Message = msg
		base.Extensions = map[string]any{"code": code}
		return base
	}
}

// inputError tells whether the error arose while gqlgen read the field's arguments:
// they are set on the field context only once all were read.
func inputError(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Args == nil && len(fc.Field.Arguments) > 0
}

// classify answers the API code and the message a client may see.
func classify(err error) (code, message string) {
	var nf *ent.NotFoundError
	switch {
	case errors.As(err, &nf), ent.IsNotFound(err):
		return "NOT_FOUND", "not found"
	case errors.Is(err, privacy.Deny):
		// The tenant policy refused a write outside the principal's tenant: to the
		// client that object does not exist (internal/tenant).
		return "NOT_FOUND", "not found"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "TIMEOUT", "the request took too long"
	}
	if code, ok := topLevelCode(err); ok {
		return code, err.Error()
	}
	return "INTERNAL", "internal error"
}
