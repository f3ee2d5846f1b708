package reconciliation

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// The daily reconciliation on River (docs/reconciliation.md "Schedule"): at
// RunHour:RunMinute UTC, half an hour after the settlement run (internal/settlement,
// settlement_job.go: 00:30), it reconciles the day before — complete by then — for
// every PSP and provider. The day is fixed when the job is inserted, so a retry
// reconciles the day it was meant for; a rerun replaces that day's reports.

// When the daily reconciliation fires, UTC.
const (
	RunHour   = 1
	RunMinute = 0
)

// RunArgs asks for the reconciliation of one day.
type RunArgs struct {
	Date domain.Date `json:"date"`
}

func (RunArgs) Kind() string { return "reconciliation_run" }

// InsertOpts keeps one run per day in the queue at a time.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 12 * time.Hour}}
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	s *Service
}

func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	d := job.Args.Date
	reports, err := w.s.Run(auth.System(ctx), RunInput{Date: &d})
	w.s.cfg.Logger.InfoContext(ctx, "reconciliation run", "date", string(d), "reports", len(reports), "err", err)
	return err
}

// Timeout gives a large day room: the default minute is too short.
func (w *runWorker) Timeout(*river.Job[RunArgs]) time.Duration { return time.Hour }

type dailyAt struct{ hour, minute int }

func (s dailyAt) Next(current time.Time) time.Time {
	t := current.UTC()
	next := time.Date(t.Year(), t.Month(), t.Day(), s.hour, s.minute, 0, 0, time.UTC)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// Jobs registers the worker and answers the daily run's schedule.
func (s *Service) Jobs(workers *river.Workers) []*river.PeriodicJob {
	river.AddWorker(workers, &runWorker{s: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(dailyAt{RunHour, RunMinute},
		func() (river.JobArgs, *river.InsertOpts) { return RunArgs{Date: s.Today().AddDays(-1)}, nil },
		&river.PeriodicJobOpts{ID: "reconciliation_run"})}
}
