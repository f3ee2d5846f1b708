// Package server assembles the HTTP surface of docs/api.md: GraphQL and GraphiQL, login,
// webhooks, exports, the provider sandboxes, health, metrics and the embedded web UI.
// Handlers here translate and delegate; the rules live in the domain packages.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/clientaddr"
	"github.com/pspbackoffice/backoffice/internal/db"
)

// Deps are what the server is built from.
type Deps struct {
	DB      *db.DB
	Logger  *slog.Logger
	Metrics *Metrics
	// Authenticate turns a request's credentials into a context carrying the
	// principal; it answers an error for bad credentials and leaves the context
	// alone when there are none.
	Authenticate func(r *http.Request) (context.Context, error)
	// Mount adds further routes (auth, webhooks, sandboxes, exports) to the router.
	Mount []func(chi.Router)
	// UI serves the web app at / (nil: a plain notice).
	UI http.Handler
	// GraphiQL serves the API explorer at GET /graphql (nil: a plain notice).
	GraphiQL http.Handler
	// Resolver carries the domain services to GraphQL; nil is one with the database only.
	Resolver *graph.Resolver
	// RequestTimeout bounds each request's work (deadline); 0 is 30 s.
	RequestTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed (clientaddr).
	TrustedProxies []netip.Prefix
	// MetricsElsewhere leaves /metrics off this router (METRICS_ADDR serves it).
	MetricsElsewhere bool
	// HTTPS: the public URL is https, so responses carry HSTS.
	HTTPS bool
	// Throttle charges GraphQL cost to API keys' and sessions' buckets (nil: none).
	Throttle *graph.Throttle
}

// New builds the router.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 30 * time.Second
	}
	r := chi.NewRouter()
	r.Use(securityHeaders(d.HTTPS), middleware.RequestID, clientaddr.Middleware(d.TrustedProxies), requestLogger(d.Logger), middleware.Recoverer, d.Metrics.Middleware,
		limitBody, deadline(d.RequestTimeout))

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			writeText(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeText(w, http.StatusOK, "ready")
	})
	if !d.MetricsElsewhere {
		r.Handle("/metrics", d.Metrics.Handler())
	}

	resolver := d.Resolver
	if resolver == nil {
		resolver = &graph.Resolver{Client: d.DB.Ent}
	}
	gql := graph.ThrottleHTTP(graph.NewHandler(resolver, graph.Options{Logger: d.Logger, Observe: d.Metrics.ObserveGraphQL,
		Throttle: d.Throttle}))
	graphiql := d.GraphiQL
	if graphiql == nil {
		graphiql = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeText(w, http.StatusOK, "GraphQL: POST /graphql")
		})
	}
	r.Route("/graphql", func(r chi.Router) {
		r.Get("/", graphiql.ServeHTTP)
		r.With(graphQLBody, authenticate(d.Authenticate)).Post("/", gql.ServeHTTP)
		r.With(authenticate(d.Authenticate)).Options("/", gql.ServeHTTP)
	})
	for _, m := range d.Mount {
		m(r)
	}
	ui := d.UI
	if ui == nil {
		ui = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "PSP Backoffice") })
	}
	r.Handle("/*", ui)
	return r
}

// authenticate runs the credential check before GraphQL; bad credentials are a
// top-level UNAUTHENTICATED error in GraphQL's own response shape.
func authenticate(fn func(*http.Request) (context.Context, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fn == nil {
				next.ServeHTTP(w, r)
				return
			}
			ctx, err := fn(r)
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				writeGraphQLError(w, http.StatusServiceUnavailable, "the request took too long", "TIMEOUT")
				return
			}
			if err != nil {
				writeGraphQLError(w, http.StatusUnauthorized, err.Error(), "UNAUTHENTICATED")
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func requestLogger(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r)
			// The path only, never the query string or headers: they may carry secrets.
			log.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", ww.Status()), slog.Duration("took", time.Since(start)),
				slog.String("request_id", middleware.GetReqID(r.Context())))
		})
	}
}
