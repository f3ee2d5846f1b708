package reconciliation

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
)

// Jobs registers the worker and answers the daily run's schedule.
func (s *Service) Jobs(workers *river.Workers) []*river.PeriodicJob {
	river.AddWorker(workers, &runWorker{s: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(jobs.DailyAt{Hour: RunHour, Minute: RunMinute},
		func() (river.JobArgs, *river.InsertOpts) { return RunArgs{Date: s.Today().AddDays(-1)}, nil },
		&river.PeriodicJobOpts{ID: "reconciliation_run"})}
}

// Schedule (docs/reconciliation.md): at 01:00 UTC, half an hour after the settlement
// run (00:30, internal/settlement), the day before — complete by then — is
// reconciled for every PSP and provider. RunArgs carries that day from insertion,
// so a retry works on it and a rerun replaces its reports.
const (
	RunHour   = 1
	RunMinute = 0
)

// RunArgs names the day a reconciliation job works on.
type RunArgs struct {
	Date domain.Date `json:"date"`
}

func (RunArgs) Kind() string { return "reconciliation_run" }

// InsertOpts: a day is queued once (unique by its args for half a day), five tries.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 12 * time.Hour, ByArgs: true}, MaxAttempts: 5}
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
