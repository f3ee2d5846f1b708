package psp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/webhookevent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// nextStatus is the one rule of how a provider's payment state moves an order: only
// forward, only out of PENDING. Anything else (a duplicate, an older notification
// arriving late, a PENDING after CONFIRMED) leaves the order as it is.
func nextStatus(cur order.Status, state providers.PaymentState) (order.Status, bool) {
	if cur != order.StatusPENDING {
		return cur, false
	}
	switch state {
	case providers.PaymentAuthorized:
		return order.StatusCONFIRMED, true
	case providers.PaymentFailed:
		return order.StatusFAILED, true
	case providers.PaymentCancelled:
		return order.StatusCANCELLED, true
	}
	return cur, false
}

// confirmedProductType is how the shopper paid: what the provider says, else what
// the order asked for.
func confirmedProductType(ord *ent.Order, st providers.PaymentStatus) *domain.ProductType {
	pt := domain.ProductType(st.ProductType)
	if slices.Contains(pt.Values(), string(pt)) {
		return &pt
	}
	return ord.ProductType
}

// applyStatus applies a provider's payment status to an order, in one transaction
// under the order's lock: shopper_continued, then the forward-only status change.
// On CONFIRMED it records the product type, the confirmation time and, for an order
// paid in full at confirmation, its payout date (settlement.OrderPayableDate).
// Every status change queues the merchant callback. A status of another session
// than the order's current one is ignored. It answers the order and whether its
// status changed. It is system work: the provider said it, whoever asked.
func (o *Orders) applyStatus(ctx context.Context, orderID string, st providers.PaymentStatus) (*ent.Order, bool, error) {
	ctx = auth.System(ctx)
	var (
		ord   *ent.Order
		moved bool
	)
	err := o.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		cur, err := o.orderForUpdate(ctx, tx, orderID)
		if err != nil {
			return err
		}
		ord = cur
		if st.ProviderReference != "" && cur.ProviderReference != st.ProviderReference {
			return nil // a superseded session's news
		}
		next, ok := nextStatus(cur.Status, st.State)
		continued := !cur.ShopperContinued && (st.ShopperContinued || ok)
		if !ok && !continued {
			return nil
		}
		upd := tx.Ent.Order.UpdateOne(cur)
		if continued {
			upd.SetShopperContinued(true)
		}
		if ok {
			moved = true
			upd.SetStatus(next)
			if next == order.StatusCONFIRMED {
				now := o.cfg.Now()
				upd.SetConfirmedAt(now)
				pt := confirmedProductType(cur, st)
				if pt != nil {
					upd.SetProductType(*pt)
				}
				if err := orderCredit(ctx, tx.Ent, cur, pt, now, upd); err != nil {
					return err
				}
			}
		}
		if ord, err = upd.Save(ctx); err != nil {
			return err
		}
		if ok {
			// Confirmation credits a pay-now order; leaving CONFIRMED takes it back
			// (docs/settlement.md "Unsettled totals").
			if err := settlement.RefreshUnsettled(ctx, tx, ord.ID); err != nil {
				return err
			}
			o.log.InfoContext(ctx, "order status", "order", ord.ID, "status", ord.Status, "provider", ord.Provider)
			return o.recordStatus(ctx, tx, ord)
		}
		return nil
	})
	return ord, moved, err
}

// SyncPayment asks the provider for an order's payment status and applies it. It is
// what webhooks, polling and the shopper's return all come down to.
func (o *Orders) SyncPayment(ctx context.Context, orderID string) (*ent.Order, error) {
	ctx = auth.System(ctx)
	ord, err := o.cfg.DB.Ent.Order.Get(ctx, orderID)
	if err != nil || ord.ProviderReference == "" {
		return ord, err
	}
	client, err := o.cfg.Registry.For(ctx, ord.PspID, ord.Provider)
	if err != nil {
		return ord, err
	}
	st, err := client.FetchStatus(ctx, ord.ProviderReference)
	if err != nil {
		return ord, fmt.Errorf("fetch the status of %s at %s: %w", ord.ID, ord.Provider, err)
	}
	ord, _, err = o.applyStatus(ctx, ord.ID, st)
	return ord, err
}

// --- Webhooks ---

// RecordWebhook stores a verified provider notification once per provider event id
// and queues its processing in the same transaction. A duplicate stores and queues
// nothing and answers duplicate = true; either way the caller acknowledges at once.
func (o *Orders) RecordWebhook(ctx context.Context, p domain.Provider, ev providers.Event, payload []byte) (duplicate bool, err error) {
	ctx = auth.System(ctx)
	if ev.Unsigned {
		// Anyone can send an unsigned notification: it may prompt a status fetch for
		// an order we have, and costs no row and no job otherwise.
		known, err := o.cfg.DB.Ent.Order.Query().
			Where(order.ProviderEQ(p), order.ProviderReference(ev.ProviderReference)).Exist(ctx)
		if err != nil {
			return false, err
		}
		if !known {
			return false, providers.ErrUnknownPayment
		}
	}
	errDuplicate := errors.New("duplicate")
	err = o.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		n, err := tx.Ent.WebhookEvent.Query().
			Where(webhookevent.ProviderEQ(p), webhookevent.EventID(ev.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errDuplicate
		}
		row, err := tx.Ent.WebhookEvent.Create().SetProvider(p).SetEventID(ev.ID).SetKind(string(ev.Kind)).
			SetProviderReference(ev.ProviderReference).SetPayload(payload).Save(ctx)
		if err != nil {
			return err
		}
		_, err = o.jobs.InsertTx(ctx, tx.SQL, webhookArgs{EventID: row.ID}, &river.InsertOpts{MaxAttempts: 12})
		return err
	})
	switch {
	case errors.Is(err, errDuplicate), ent.IsConstraintError(err):
		return true, nil // a concurrent delivery of the same event won the insert
	case err != nil:
		return false, err
	}
	return false, nil
}

type webhookArgs struct {
	EventID string `json:"event_id"` // our WebhookEvent id
}

func (webhookArgs) Kind() string { return "psp_process_webhook" }

type webhookWorker struct {
	river.WorkerDefaults[webhookArgs]
	o *Orders
}

// Work finds the order a notification is about and syncs its payment status; a
// temporary provider failure is retried by River.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[webhookArgs]) error {
	return w.o.processWebhook(ctx, job.Args.EventID)
}

func (o *Orders) processWebhook(ctx context.Context, eventID string) error {
	ctx = auth.System(ctx)
	ev, err := o.cfg.DB.Ent.WebhookEvent.Get(ctx, eventID)
	if err != nil || ev.ProcessedAt != nil {
		return err
	}
	done := func(problem string) error {
		upd := ev.Update().SetProcessedAt(o.cfg.Now())
		if problem != "" {
			upd.SetError(problem)
		}
		return upd.Exec(ctx)
	}
	if ev.ProviderReference == "" {
		return done("the notification names no payment")
	}
	ord, err := o.cfg.DB.Ent.Order.Query().
		Where(order.ProviderEQ(ev.Provider), order.ProviderReference(ev.ProviderReference)).First(ctx)
	if ent.IsNotFound(err) {
		return done("no order has the provider reference " + ev.ProviderReference)
	} else if err != nil {
		return err
	}
	if _, err := o.SyncPayment(ctx, ord.ID); err != nil {
		return err
	}
	return done("")
}

// --- Status polling (docs/providers/paywerk.md "Statuses, callbacks and polling") ---

// PollSchedule is how often a PENDING order's status is asked for: Every until the
// session is Until old, step after step, and never after StopAfter.
type PollSchedule struct {
	Steps     []PollStep
	StopAfter time.Duration
}

// PollStep is one stretch of a PollSchedule.
type PollStep struct{ Until, Every time.Duration }

// DefaultPollSchedule is Paywerk's suggestion: every 5 s for a minute, every 10 s for
// 5 minutes, then every 30 s, and stop after 10 minutes.
var DefaultPollSchedule = PollSchedule{
	Steps:     []PollStep{{Until: time.Minute, Every: 5 * time.Second}, {Until: 6 * time.Minute, Every: 10 * time.Second}, {Every: 30 * time.Second}},
	StopAfter: 10 * time.Minute,
}

// Next answers the wait before the next poll of a session elapsed old, and false
// when polling is over.
func (s PollSchedule) Next(elapsed time.Duration) (time.Duration, bool) {
	if elapsed >= s.StopAfter {
		return 0, false
	}
	for _, st := range s.Steps {
		if st.Until == 0 || elapsed < st.Until {
			return st.Every, true
		}
	}
	return s.Steps[len(s.Steps)-1].Every, true
}

type pollArgs struct {
	OrderID string `json:"order_id"`
	Session int    `json:"session"` // the session version it polls; a newer one ends it
}

func (pollArgs) Kind() string { return "psp_poll_payment" }

// schedulePoll queues the status polling of the order's current session. The job is
// due at once and snoozes until the first poll: a snooze is as precise as the
// workers' fetch interval, while a job scheduled ahead waits for River's scheduler
// (every 5 s).
func (o *Orders) schedulePoll(ctx context.Context, tx *db.Tx, ord *ent.Order) error {
	_, err := o.jobs.InsertTx(ctx, tx.SQL, pollArgs{OrderID: ord.ID, Session: ord.SessionVersion}, nil)
	return err
}

type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	o *Orders
}

// Work asks for the status of a PENDING order and snoozes until the next poll, so a
// lost notification never leaves an order PENDING. One job polls one session from
// its creation to the end of the schedule.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[pollArgs]) error {
	o := w.o
	ctx = auth.System(ctx)
	ord, err := o.cfg.DB.Ent.Order.Get(ctx, job.Args.OrderID)
	if ent.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if ord.Status != order.StatusPENDING || ord.SessionVersion != job.Args.Session || ord.ProviderReference == "" {
		return nil
	}
	elapsed := o.cfg.Now().Sub(job.CreatedAt)
	if first, _ := o.cfg.Poll.Next(0); elapsed < first {
		return river.JobSnooze(first - elapsed) // not yet time for the first poll
	}
	if ord, err = o.SyncPayment(ctx, ord.ID); err != nil {
		o.log.WarnContext(ctx, "status poll failed", "order", job.Args.OrderID, "err", err)
	}
	if ord != nil && ord.Status != order.StatusPENDING {
		return nil
	}
	wait, more := o.cfg.Poll.Next(elapsed)
	if !more {
		o.log.InfoContext(ctx, "status polling ended with the order still PENDING", "order", job.Args.OrderID)
		return nil
	}
	return river.JobSnooze(wait)
}
