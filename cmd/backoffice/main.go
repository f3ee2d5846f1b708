// Command backoffice is the one binary of the PSP backoffice:
//
//	backoffice serve              the server (GraphQL, web UI, webhooks, sandboxes, jobs)
//	backoffice migrate            bring the database schema up to date and exit
//	backoffice seed               load the demo data set into an empty database
//	backoffice seed --orders N    write a large benchmark data set in bulk (bulk.go)
//	backoffice bench              measure a running server against the database's lower bounds
//	backoffice settle --date D    run the settlements of day D (default today, UTC) and exit
//	backoffice reset-mfa --email E turn off a user's two-factor sign-in (lost device and codes), audited
//
// Configuration comes from the environment only (README "Configuration").
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/config"
)

const usage = `usage: backoffice <command>

commands:
  serve     run the server (default)
  migrate   migrate the database schema and exit
  seed      load the demo data set into an empty database and exit
            --orders N [--append] [--days D]: a large benchmark data set instead
  bench     measure a running server on the benchmark data set (bench --help)
  settle    run the settlements of a day and exit: --date YYYY-MM-DD (default today, UTC)
  reset-mfa turn off a user's two-factor sign-in and end their sessions: --email ADDRESS (audited)
`

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	if err := run(ctx, cmd, os.Args[min(2, len(os.Args)):], logger); err != nil {
		logger.Error(cmd+" failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string, logger *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		tuneGC()
		a, err := app.New(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.Bootstrap(ctx); err != nil {
			return err
		}
		return a.Serve(ctx)
	case "migrate":
		d, err := app.OpenMigrated(ctx, cfg)
		if err != nil {
			return err
		}
		defer d.Close()
		logger.Info("database migrated")
		return nil
	case "seed":
		if len(args) > 0 {
			return seedBulk(ctx, cfg, args)
		}
		a, err := app.New(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.SeedDemo(ctx)
	case "bench":
		return runBench(ctx, cfg, args)
	case "settle":
		return settle(ctx, cfg, args, logger)
	case "reset-mfa":
		return resetMFA(ctx, cfg, args, logger)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// Garbage collector settings for the server, unless GOGC or GOMEMLIMIT say otherwise.
// A request allocates a lot and keeps little (an order page: ~4 MB garbage, a few KB
// kept), so the default GOGC=100 spent a fifth of the CPU collecting; 400 trades
// memory for that. The soft limit keeps the heap under the 200 MB the server is
// meant to fit in: near it the collector runs as often as it must.
const (
	serverGCPercent   = 400
	serverMemoryLimit = 160 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}
