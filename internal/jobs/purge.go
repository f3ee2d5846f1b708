package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/idempotencyrecord"
	"github.com/pspbackoffice/backoffice/ent/webhookevent"
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

// WebhookEventRetention is how long a stored provider notification is kept (README
// "Security"): long enough to look into a payment's history, short enough that a flood
// of notifications does not stay. Their River jobs go sooner, by River's own cleaner
// (jobs.New: completed after CompletedJobRetention, discarded after
// DiscardedJobRetention).
const WebhookEventRetention = 30 * 24 * time.Hour

// PurgeWebhookEventsArgs asks to delete stored provider notifications past
// WebhookEventRetention.
type PurgeWebhookEventsArgs struct{}

func (PurgeWebhookEventsArgs) Kind() string { return "purge_webhook_events" }

// PurgeWebhookEventsWorker deletes provider notifications received more than
// WebhookEventRetention ago, processed or not (an unprocessed one that old has had
// its job's every attempt), hourly.
type PurgeWebhookEventsWorker struct {
	river.WorkerDefaults[PurgeWebhookEventsArgs]
	Client *ent.Client
	Now    func() time.Time // nil is time.Now
}

func (w *PurgeWebhookEventsWorker) Work(ctx context.Context, _ *river.Job[PurgeWebhookEventsArgs]) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	_, err := w.Client.WebhookEvent.Delete().
		Where(webhookevent.CreatedAtLT(now().Add(-WebhookEventRetention))).Exec(auth.System(ctx))
	return err
}

// Housekeeping registers the product's own housekeeping jobs and returns their schedule.
func Housekeeping(workers *river.Workers, client *ent.Client) []*river.PeriodicJob {
	river.AddWorker(workers, &PurgeIdempotencyWorker{Client: client})
	river.AddWorker(workers, &PurgeWebhookEventsWorker{Client: client})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeIdempotencyArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeWebhookEventsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
