package settlement

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
)

// The daily settlement run on River. The periodic job fires at SettlementRunHour:
// SettlementRunMinute UTC and settles that day (a settlement dated D is paid out on
// D), and once when a leader starts, so a server that was down at that time catches
// up (a run for today collects everything payable since the last one; the days it
// missed simply have no settlement of their own). The day is fixed when the job is
// inserted, so a retry the next morning still settles the day it was meant for, and
// a run is idempotent, so a duplicate or a retry after a partial failure changes
// nothing that was settled.

// When the daily run fires, UTC.
const (
	SettlementRunHour   = 0
	SettlementRunMinute = 30
)

// SettlementRunArgs asks for the settlement run of one day.
type SettlementRunArgs struct {
	Date domain.Date `json:"date"`
}

func (SettlementRunArgs) Kind() string { return "psp_settlement_run" }

// InsertOpts keeps one run per day in the queue at a time.
func (SettlementRunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 12 * time.Hour}}
}

type settlementRunWorker struct {
	river.WorkerDefaults[SettlementRunArgs]
	s   *Settlements
	log *slog.Logger
}

func (w *settlementRunWorker) Work(ctx context.Context, job *river.Job[SettlementRunArgs]) error {
	d := job.Args.Date
	if d == "" {
		d = w.s.Today()
	}
	res, err := w.s.Run(auth.System(ctx), d)
	if err != nil {
		// Companies that could not be settled were logged one by one; the others
		// are settled and a retry leaves them alone.
		return err
	}
	w.log.InfoContext(ctx, "settlement run", "date", string(d), "settlements", len(res.Settlements))
	return nil
}

// Timeout gives a large run room: the default minute is too short for a catch-up.
func (w *settlementRunWorker) Timeout(*river.Job[SettlementRunArgs]) time.Duration {
	return 30 * time.Minute
}

// SettlementJobs registers the settlement worker and answers the daily run's schedule.
func (s *Settlements) SettlementJobs(workers *river.Workers, log *slog.Logger) []*river.PeriodicJob {
	if log == nil {
		log = slog.Default()
	}
	if s.Log == nil {
		s.Log = log
	}
	river.AddWorker(workers, &settlementRunWorker{s: s, log: log})
	return append([]*river.PeriodicJob{river.NewPeriodicJob(jobs.DailyAt{Hour: SettlementRunHour, Minute: SettlementRunMinute},
		func() (river.JobArgs, *river.InsertOpts) { return SettlementRunArgs{Date: s.Today()}, nil },
		&river.PeriodicJobOpts{ID: "psp_settlement_run", RunOnStart: true})}, s.outboxJobs(workers, log)...)
}
