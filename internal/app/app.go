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
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/server"
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

	workers *river.Workers
	mounts  []func(chi.Router)
}

// New opens the database, migrates it, and assembles the services and the server.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.Default()
	}
	d, err := db.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		return nil, err
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
		a.Sandboxes = catalog.NewSandboxes(catalog.SandboxConfig{
			BaseURL:        a.Config.PublicURL + "/sandbox",
			WebhookBaseURL: a.Config.PublicURL + "/webhooks",
			Secret:         a.Config.Secret,
			Store:          registry.SandboxStore{Client: a.DB.Ent},
		})
		sandboxes := a.Sandboxes.Handler()
		a.mounts = append(a.mounts, func(r chi.Router) { r.Handle("/sandbox/*", sandboxes) })
	}
	periodic := jobs.Housekeeping(a.workers, a.DB.Ent)
	jc, err := jobs.New(a.DB, jobs.Config{Workers: a.workers, PeriodicJobs: periodic, Logger: a.Logger})
	if err != nil {
		return err
	}
	a.Jobs = jc
	a.Handler = server.New(server.Deps{
		DB:      a.DB,
		Logger:  a.Logger,
		Metrics: a.Metrics,
		Mount:   a.mounts,
		UI:      web.Handler(),
	})
	return nil
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
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
	if a.Sandboxes != nil {
		a.Sandboxes.Close()
	}
	return a.DB.Close()
}
