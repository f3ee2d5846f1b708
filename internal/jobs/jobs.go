// Package jobs runs the background work on River, the job queue that lives in our own
// database (PostgreSQL or SQLite): merchant callbacks, reconciling operations left
// PENDING, settlement runs and provider status polling. Jobs are inserted in the same
// transaction as the change that causes them (db.Tx.SQL), so none is lost or orphaned.
//
// Each domain package registers its workers with Register before the client starts;
// River elects a leader among server instances for periodic jobs.
package jobs

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// How long River keeps finished jobs: a completed or cancelled one a day, one that
// failed every attempt a week (to be looked into).
const (
	CompletedJobRetention = 24 * time.Hour
	DiscardedJobRetention = 7 * 24 * time.Hour
)

// QueueCallbacks is the queue of merchant callbacks: their own workers, so a slow or
// hanging merchant server never holds up payment processing on the default queue.
const QueueCallbacks = "callbacks"

// CallbackWorkers is how many callbacks one instance delivers at once (each
// company's share is capped further by its worker, psp.CallbacksPerCompany).
const CallbackWorkers = 8

// Client is the River client, the same type on both databases.
type Client = river.Client[*sql.Tx]

// Config says what the client runs.
type Config struct {
	Workers      *river.Workers
	PeriodicJobs []*river.PeriodicJob
	Logger       *slog.Logger
	// Insert-only clients (commands, tests) do not work jobs.
	InsertOnly bool
	// FetchPollInterval is how often workers look for due jobs (neither driver here
	// listens for notifications); zero is River's 1 s. Tests shorten it.
	FetchPollInterval time.Duration
}

// New makes a River client on the database.
func New(d *db.DB, cfg Config) (*Client, error) {
	if cfg.Workers == nil {
		cfg.Workers = river.NewWorkers()
	}
	rc := &river.Config{
		Logger:       cfg.Logger,
		Workers:      cfg.Workers,
		PeriodicJobs: cfg.PeriodicJobs,
		// River's cleaner deletes finished jobs after these (README "Security"); the
		// rows the jobs were about have retentions of their own (purge.go).
		CompletedJobRetentionPeriod: CompletedJobRetention,
		CancelledJobRetentionPeriod: CompletedJobRetention,
		DiscardedJobRetentionPeriod: DiscardedJobRetention,
	}
	if cfg.FetchPollInterval > 0 {
		rc.FetchPollInterval = cfg.FetchPollInterval
		rc.FetchCooldown = min(rc.FetchPollInterval, 100*time.Millisecond)
	}
	if !cfg.InsertOnly {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 16},
			QueueCallbacks: {MaxWorkers: CallbackWorkers}}
	}
	var (
		c   *Client
		err error
	)
	if d.IsPostgres() {
		c, err = river.NewClient(riverdatabasesql.New(d.SQL), rc)
	} else {
		c, err = river.NewClient(riversqlite.New(d.SQL), rc)
	}
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}

// DailyAt is a River schedule firing once a day at Hour:Minute UTC (the settlement
// run, the reconciliation run).
type DailyAt struct{ Hour, Minute int }

// Next implements river.PeriodicSchedule.
func (s DailyAt) Next(current time.Time) time.Time {
	t := current.UTC()
	next := time.Date(t.Year(), t.Month(), t.Day(), s.Hour, s.Minute, 0, 0, time.UTC)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}
