package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/idempotencyrecord"
	"github.com/pspbackoffice/backoffice/internal/auth"
)

// PurgeIdempotencyArgs asks to delete idempotency records past their expiry.
type PurgeIdempotencyArgs struct{}

func (PurgeIdempotencyArgs) Kind() string { return "purge_idempotency_records" }

// PurgeIdempotencyWorker deletes expired idempotency records, hourly.
type PurgeIdempotencyWorker struct {
	river.WorkerDefaults[PurgeIdempotencyArgs]
	Client *ent.Client
}

func (w *PurgeIdempotencyWorker) Work(ctx context.Context, _ *river.Job[PurgeIdempotencyArgs]) error {
	_, err := w.Client.IdempotencyRecord.Delete().
		Where(idempotencyrecord.ExpiresAtLT(time.Now())).Exec(auth.System(ctx))
	return err
}

// Housekeeping registers the product's own housekeeping jobs and returns their schedule.
func Housekeeping(workers *river.Workers, client *ent.Client) []*river.PeriodicJob {
	river.AddWorker(workers, &PurgeIdempotencyWorker{Client: client})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeIdempotencyArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
