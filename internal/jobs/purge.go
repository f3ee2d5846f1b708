package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/eventdelivery"
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
	_, err := w.Client.WebhookEvent.Delete().
		Where(webhookevent.CreatedAtLT(nowOr(w.Now).Add(-WebhookEventRetention))).Exec(auth.System(ctx))
	return err
}

// nowOr is the time by clock, or time.Now without one.
func nowOr(clock func() time.Time) time.Time {
	if clock != nil {
		return clock()
	}
	return time.Now()
}

// DefaultEventRetention is how long events and their delivery attempts are kept
// (EVENT_RETENTION, docs/events.md "Retention").
const DefaultEventRetention = 30 * 24 * time.Hour

// PurgeEventsArgs asks to delete events and delivery attempts past their retention.
type PurgeEventsArgs struct{}

func (PurgeEventsArgs) Kind() string { return "purge_events" }

// PurgeEventsWorker deletes events older than Retention (zero is
// DefaultEventRetention) and delivery attempts made before then, hourly. An order's
// sequence counter stays on the order, so later events keep counting on.
type PurgeEventsWorker struct {
	river.WorkerDefaults[PurgeEventsArgs]
	Client    *ent.Client
	Retention time.Duration
	Now       func() time.Time // nil is time.Now
}

func (w *PurgeEventsWorker) Work(ctx context.Context, _ *river.Job[PurgeEventsArgs]) error {
	keep := w.Retention
	if keep == 0 {
		keep = DefaultEventRetention
	}
	cutoff := nowOr(w.Now).Add(-keep)
	ctx = auth.System(ctx)
	if _, err := w.Client.EventDelivery.Delete().Where(eventdelivery.Or(eventdelivery.AtLT(cutoff),
		eventdelivery.HasEventWith(event.CreatedAtLT(cutoff)))).Exec(ctx); err != nil {
		return err
	}
	_, err := w.Client.Event.Delete().Where(event.CreatedAtLT(cutoff)).Exec(ctx)
	return err
}

// Housekeeping registers the product's own housekeeping jobs and returns their
// schedule; eventRetention is EVENT_RETENTION (zero: DefaultEventRetention).
func Housekeeping(workers *river.Workers, client *ent.Client, eventRetention time.Duration) []*river.PeriodicJob {
	river.AddWorker(workers, &PurgeIdempotencyWorker{Client: client})
	river.AddWorker(workers, &PurgeWebhookEventsWorker{Client: client})
	river.AddWorker(workers, &PurgeEventsWorker{Client: client, Retention: eventRetention})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeEventsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeIdempotencyArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeWebhookEventsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
