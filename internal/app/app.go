// Package app wires the product together from its configuration: database, job
// queue, domain services, provider sandboxes and the HTTP server. cmd/backoffice and
// the end-to-end tests both build the whole product through it, so they run the same
// assembly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/reconciliation"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/server"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/webhooks"
	"github.com/pspbackoffice/backoffice/web"
)

// App is the assembled product.
type App struct {
	Config  config.Config
	DB      *db.DB
	Jobs    *jobs.Client
	Logger  *slog.Logger
	Metrics *server.Metrics
	Handler http.Handler
	// Box seals provider credentials; Registry hands out provider clients.
	Box      *secrets.Box
	Registry *registry.Registry
	// Sandboxes are the provider simulators served under /sandbox/ (sandbox mode only).
	Sandboxes *catalog.Sandboxes
	// Orders creates orders and keeps their payment status (webhooks, polling, callbacks).
	Orders *psp.Orders
	// Operations fulfils and refunds orders and reconciles what providers left open.
	Operations *psp.Operations
	// Onboarding: merchants, companies, shops and provider activation.
	Onboarding *merchants.Onboarding
	// Auth turns login tokens and API keys into principals (auth.go).
	Auth *auth.Authenticator
	// Settlements runs and reports settlements (the daily job, runSettlements, the CSV export).
	Settlements *settlement.Settlements
	// Reconciliation compares each provider's day with our records (the daily job, runReconciliation).
	Reconciliation *reconciliation.Service
	// Events records events and delivers them to callback URLs and webhook endpoints.
	Events *events.Service

	workers *river.Workers
	mounts  []func(chi.Router)
	// liveDemo: the demo was just loaded; its orders at the sandboxes follow once
	// the server listens (orders.go).
	liveDemo bool
}

// OpenMigrated opens the configured database and brings its schema up to date, as
// the server and every command that works on the database directly (migrate,
// settle, bulk) need. It opens the primary alone: migrations write.
func OpenMigrated(ctx context.Context, cfg config.Config) (*db.DB, error) {
	migrating := cfg.DBOptions()
	migrating.Replica = ""
	d, err := db.OpenWith(cfg.DatabaseURL, migrating)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	if d.CreatedUnsettled { // a database with parts from before the totals (docs/settlement.md)
		if err := settlement.NewSettlements(d).RebuildUnsettled(ctx); err != nil {
			_ = d.Close()
			return nil, err
		}
	}
	return d, nil
}

// New opens the database, migrates it, and assembles the services and the server.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.Default()
	}
	d, err := OpenMigrated(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if d.IsPostgres() {
		// Migrations may build indexes on large tables, so they run without the
		// statement timeout; the pool that serves opens again with it.
		_ = d.Close()
		// Behind a pooler no setting survives the transaction: statement_timeout is
		// the role's or the database's there (README "Running several instances").
		serving, opts := cfg.DatabaseURL, cfg.DBOptions()
		if !d.Pooled {
			serving = db.WithStatementTimeout(serving, cfg.StatementTimeoutOrDefault())
			opts.Replica = db.WithStatementTimeout(opts.Replica, cfg.StatementTimeoutOrDefault())
		}
		if d, err = db.OpenWith(serving, opts); err != nil {
			return nil, err
		}
	}
	a := &App{Config: cfg, DB: d, Logger: logger, Metrics: server.NewMetrics(), workers: river.NewWorkers()}
	if err := a.assemble(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return a, nil
}

// assemble builds the services in dependency order.
func (a *App) assemble(ctx context.Context) error {
	box, err := secrets.NewBox(a.Config.Secret)
	if err != nil {
		return err
	}
	a.Box = box
	a.Registry = registry.New(a.DB.Ent, box, a.Config.ProvidersMode == "live")
	if a.Config.ProvidersMode == "sandbox" {
		base := a.Config.PublicURL
		if a.Config.SandboxURL != "" {
			base = a.Config.SandboxURL // served by another process: accounts point there
		}
		a.Sandboxes = catalog.NewSandboxes(catalog.SandboxConfig{
			BaseURL:        base + "/sandbox",
			WebhookBaseURL: a.Config.PublicURL + "/webhooks",
			Secret:         a.Config.Secret,
			Store:          registry.SandboxStore{Client: a.DB.Ent, Box: box},
			GuardControls:  a.guardSandboxControls,
		})
		// Sandbox accounts are reached at this configured URL, never at one a
		// starting instance stored (README "Running several instances").
		a.Registry.UseSandboxes(a.Sandboxes)
		if a.Config.SandboxURL == "" {
			sandboxes := a.Sandboxes.Handler()
			a.mounts = append(a.mounts, func(r chi.Router) { r.Handle("/sandbox/*", sandboxes) })
		}
	}
	// Events and their deliveries (internal/events): recorded by orders, operations and
	// settlements; the order service registers the delivery worker.
	a.Events, err = events.New(events.Config{DB: a.DB, Secret: a.Config.Secret, Logger: a.Logger,
		AllowPrivate: a.Config.CallbacksAllowPrivate})
	if err != nil {
		return err
	}
	a.Metrics.Registry.MustRegister(a.Events.Collectors()...)
	a.Orders = psp.NewOrders(psp.OrdersConfig{DB: a.DB, Registry: a.Registry, PublicURL: a.Config.PublicURL,
		Secret: a.Config.Secret, Logger: a.Logger, Events: a.Events})
	a.Orders.Register(a.workers)
	a.Operations = psp.NewOperations(psp.OperationsConfig{DB: a.DB, Registry: a.Registry, Logger: a.Logger,
		ReconcileAfter: a.Config.ReconcileAfter, Events: a.Events})
	a.Metrics.Registry.MustRegister(a.Operations.Collectors()...)
	a.Operations.Register(a.workers)
	a.Onboarding = &merchants.Onboarding{Client: a.DB.Ent, DB: a.DB, Providers: a.Registry}
	river.AddWorker(a.workers, &merchants.ActivationWorker{Onboarding: a.Onboarding})
	hooks := webhooks.Handler(a.Registry, a.Orders, a.Logger)
	a.mounts = append(a.mounts, func(r chi.Router) { r.Handle("/webhooks/{provider}", hooks) })
	a.assembleAuth()
	settlementRuns := a.assembleSettlements()
	periodic := append(jobs.Housekeeping(a.workers, a.DB.Ent, a.Config.EventRetention), settlementRuns...)
	periodic = append(periodic, a.Operations.PeriodicJobs()...)
	a.Reconciliation = reconciliation.New(reconciliation.Config{DB: a.DB, Clients: a.Registry, Logger: a.Logger})
	a.Metrics.Registry.MustRegister(a.Reconciliation.Collectors()...)
	periodic = append(periodic, a.Reconciliation.Jobs(a.workers)...)
	jc, err := jobs.New(a.DB, jobs.Config{Workers: a.workers, PeriodicJobs: periodic, Logger: a.Logger})
	if err != nil {
		return err
	}
	a.Jobs = jc
	a.Orders.UseJobs(jc)
	a.Operations.UseJobs(jc)
	a.Onboarding.Jobs = jc
	throttle, err := a.throttle()
	if err != nil {
		return err
	}
	a.Handler = server.New(server.Deps{
		Throttle: throttle,
		DB:       a.DB,
		Logger:   a.Logger,
		Metrics:  a.Metrics,
		Mount:    a.mounts,
		// Every request's work ends after REQUEST_TIMEOUT (README "Security").
		RequestTimeout: a.Config.RequestTimeoutOrDefault(),
		TrustedProxies: a.Config.TrustedProxies,
		// METRICS_ADDR moves /metrics to a listener of its own (serveMetrics).
		MetricsElsewhere: a.Config.MetricsAddr != "",
		HTTPS:            strings.HasPrefix(a.Config.PublicURL, "https://"),
		UI:               web.Handler(),
		GraphiQL:         web.GraphiQL(),
		// Who is asking: login tokens and API keys (internal/auth).
		Authenticate: a.authenticate,
		Resolver: &graph.Resolver{
			Client:     a.DB.Ent,
			Registry:   a.Registry,
			Orders:     a.Orders,
			Events:     a.Events,
			Operations: a.Operations,
			Onboarding: a.Onboarding,
			// Settlements: runSettlements, markSettlementPaid, settlementOverview.
			SettlementService: a.Settlements,
			Reconciliation:    a.Reconciliation,
			Invitations:       &merchants.Invitations{Client: a.DB.Ent, PublicURL: a.Config.PublicURL},
			APIKeys:           &merchants.APIKeys{Client: a.DB.Ent, DB: a.DB, Hasher: a.Auth.Keys(), Env: a.Auth.Env()},
			// Two-factor sign-in and sessions: startMfaEnrollment … revokeSession.
			Auth: a.Auth,
		},
	})
	return nil
}

// throttle builds the GraphQL cost buckets of API keys and sessions (README
// "Throttle"), shared by every instance on PostgreSQL.
func (a *App) throttle() (*graph.Throttle, error) {
	apiKey, session := a.Config.Throttles()
	for _, b := range []limits.Budget{apiKey, session} {
		if b.Max < graph.ComplexityLimit {
			return nil, fmt.Errorf("a throttle bucket must hold at least the complexity limit %d, not %d", graph.ComplexityLimit, b.Max)
		}
	}
	c := limits.New(a.DB)
	return &graph.Throttle{APIKey: c.Bucket("graphql-api-key", apiKey, nil), Session: c.Bucket("graphql-session", session, nil),
		Logger: a.Logger}, nil
}

// Serve starts the job queue and the HTTP server and runs until ctx ends, then shuts
// down gracefully: no new requests, in-flight ones finish, jobs stop cleanly.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.ListenAddr, err)
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener is Serve on an open listener (tests listen on port 0).
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	// A client has ReadTimeout to send its request (a slow body holds a connection,
	// not a worker, but no longer than that); the handler's own work is bounded by the
	// request deadline (server.Deps.RequestTimeout).
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if a.Config.PprofAddr != "" {
		go a.servePprof(ctx)
	}
	if a.Config.MetricsAddr != "" {
		go a.serveMetrics(ctx)
	}
	if a.liveDemo && a.Sandboxes != nil {
		go a.seedLiveOrders(ctx)
	}
	a.Logger.Info("serving", "addr", ln.Addr().String(), "public_url", a.Config.PublicURL, "providers", a.Config.ProvidersMode)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if stopErr := a.Jobs.Stop(shutdownCtx); stopErr != nil && err == nil {
		err = stopErr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops the sandboxes' deliveries and releases the database.
func (a *App) Close() error {
	if a.Auth != nil {
		a.Auth.Close()
	}
	if a.Sandboxes != nil {
		a.Sandboxes.Close()
	}
	return a.DB.Close()
}

// serveMetrics serves /metrics (Prometheus text) on METRICS_ADDR until ctx ends, so
// the scraper's network reaches it and the public one does not.
func (a *App) serveMetrics(ctx context.Context) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", a.Metrics.Handler())
	srv := &http.Server{Addr: a.Config.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.Logger.Info("metrics", "addr", a.Config.MetricsAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.Logger.Error("metrics", "err", err)
	}
}

// servePprof serves net/http/pprof on PPROF_ADDR until ctx ends. It has its own
// listener so the profiler is never reachable through the public address.
func (a *App) servePprof(ctx context.Context) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: a.Config.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.Logger.Info("profiler", "addr", a.Config.PprofAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.Logger.Error("profiler", "err", err)
	}
}
