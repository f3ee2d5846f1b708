package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/eventdelivery"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

var sys = auth.System(context.Background())

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// newOrder writes a confirmed order of the environment's company and shop directly.
func newOrder(t *testing.T, e *psptest.Env, ref, callbackURL string) *ent.Order {
	t.Helper()
	o, err := e.DB.Ent.Order.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetCompanyID(e.Company.ID).
		SetShopID(e.Shop.ID).SetProvider(domain.ProviderPaywerk).SetReference(ref).SetStatus(order.StatusCONFIRMED).
		SetInitialAmountMinor(1000).SetAmountMinor(1000).SetBillingAddress(domain.Address{Country: "DE"}).
		SetCallbackURL(callbackURL).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestSequencesUnderConcurrency: fifty transactions record an event of one order at
// once, ten of them roll back after recording; the forty that commit carry 1…40 with
// no gap and no repeat, in the order they were written.
func TestSequencesUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, noPolling)
		o := newOrder(t, e, "SEQ-1", "")
		svc := e.Orders.Events()
		errRollback := errors.New("roll back")
		var wg sync.WaitGroup
		failures := make(chan error, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := d.InTx(sys, func(ctx context.Context, tx *db.Tx) error {
					if _, err := svc.Record(ctx, tx, events.Change{Type: event.TypeFULFILMENT_SUCCEEDED, Order: o}); err != nil {
						return err
					}
					if i%5 == 4 {
						return errRollback
					}
					return nil
				})
				if err != nil && !errors.Is(err, errRollback) {
					failures <- err
				}
			}()
		}
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatal(err)
		}
		evs, err := d.Ent.Event.Query().Where(event.OrderID(o.ID)).Order(ent.Asc(event.FieldSequence)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 40 {
			t.Fatalf("%d events committed, want 40", len(evs))
		}
		for i, ev := range evs {
			if ev.Sequence == nil || *ev.Sequence != i+1 {
				t.Fatalf("event %d has sequence %v, want %d (a gap or a repeat)", i, ev.Sequence, i+1)
			}
			if i > 0 && ev.CreatedAt.Before(evs[i-1].CreatedAt) {
				t.Errorf("sequence %d was written before %d", i+1, i)
			}
		}
		if got := d.Ent.Order.GetX(sys, o.ID).EventSequence; got != 40 {
			t.Errorf("the order's counter is %d, want 40", got)
		}
	})
}

// deliveriesOf answers an event's delivery attempts in order.
func deliveriesOf(t *testing.T, d *db.DB, evID string) []*ent.EventDelivery {
	t.Helper()
	out, err := d.Ent.EventDelivery.Query().Where(eventdelivery.EventID(evID)).
		Order(ent.Asc(eventdelivery.FieldAttempt)).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitDeliveries waits until an event has n delivery attempts recorded.
func waitDeliveries(t *testing.T, d *db.DB, evID string, n int) []*ent.EventDelivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := deliveriesOf(t, d, evID)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("%d delivery attempts recorded, want %d", len(got), n)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// record writes one event of o in a transaction of its own.
func record(t *testing.T, e *psptest.Env, o *ent.Order, typ event.Type) *ent.Event {
	t.Helper()
	var ev *ent.Event
	err := e.DB.InTx(sys, func(ctx context.Context, tx *db.Tx) error {
		var err error
		ev, err = e.Orders.Events().Record(ctx, tx, events.Change{Type: typ, Order: o})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestFailingEndpointThenRedelivery: an endpoint that answers 500 has each attempt
// recorded (status, error, duration) until the retries are spent; a redelivery after
// it recovered is one more attempt, which succeeds.
func TestFailingEndpointThenRedelivery(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		opts := noPolling
		opts.Callbacks = events.RetryPolicy{Backoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAttempts: 3}
		e := psptest.Start(t, d, opts)
		svc := e.Orders.Events()
		receiver := psptest.NewReceiver(t, 3)
		admin := auth.With(context.Background(), e.MerchantUser)
		url := receiver.URL + "/hooks"
		ep, secret, err := svc.CreateEndpoint(admin, e.Company.ID, events.EndpointInput{URL: &url})
		if err != nil || secret == "" {
			t.Fatalf("create endpoint: %v", err)
		}
		o := newOrder(t, e, "RED-1", "")
		ev := record(t, e, o, event.TypeORDER_CONFIRMED)

		got := waitDeliveries(t, d, ev.ID, 3)
		for i, dl := range got {
			if dl.Attempt != i+1 || dl.Outcome != events.OutcomeHTTPError || dl.ResponseStatus == nil || *dl.ResponseStatus != 500 ||
				dl.Error == nil || dl.URL != url || dl.EndpointID == nil || *dl.EndpointID != ep.ID {
				t.Errorf("attempt %d recorded as %+v", i+1, dl)
			}
		}
		if ep := d.Ent.WebhookEndpoint.GetX(sys, ep.ID); ep.FailingSince == nil {
			t.Error("the failing endpoint has no failingSince")
		}
		if _, err := svc.Redeliver(admin, ev.ID); err != nil {
			t.Fatal(err)
		}
		got = waitDeliveries(t, d, ev.ID, 4)
		if last := got[3]; last.Attempt != 4 || last.Outcome != events.OutcomeSucceeded || *last.ResponseStatus != 200 || last.Error != nil {
			t.Errorf("the redelivery recorded as %+v", last)
		}
		if ep := d.Ent.WebhookEndpoint.GetX(sys, ep.ID); ep.FailingSince != nil {
			t.Error("a success left failingSince set")
		}
		all := receiver.All()
		if len(all) != 4 {
			t.Fatalf("the endpoint received %d requests, want 4", len(all))
		}
		if err := events.Verify(secret, all[3].Signature, all[3].Body, time.Now(), 0); err != nil {
			t.Errorf("the redelivery does not verify with the endpoint's secret: %v", err)
		}
		var rate float64
		if rate, err = svc.FailureRate(admin, ep); err != nil || rate != 0.75 {
			t.Errorf("failure rate %v (%v), want 0.75", rate, err)
		}

		t.Run("another tenant cannot redeliver it", func(t *testing.T) {
			other := auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_x", PSPID: e.PSP.ID,
				MerchantID: "mer_other", Role: domain.RoleMerchantAdmin})
			if _, err := svc.Redeliver(other, ev.ID); !errors.Is(err, events.ErrEventNotFound) {
				t.Errorf("redeliver by another merchant: %v, want ErrEventNotFound", err)
			}
		})
	})
}

// TestDeliveryFailuresAreClassified: an unresolvable host is a DNS failure, an
// answer that never comes a timeout; each is recorded with its error and no status.
func TestDeliveryFailuresAreClassified(t *testing.T) {
	d := testdb.SQLite(t)
	opts := noPolling
	opts.Callbacks = events.RetryPolicy{Backoff: time.Hour, MaxBackoff: time.Hour, MaxAttempts: 1}
	e := psptest.Start(t, d, opts)
	admin := auth.With(context.Background(), e.MerchantUser)
	url := "http://no-such-host.invalid/hooks"
	if _, _, err := e.Orders.Events().CreateEndpoint(admin, e.Company.ID, events.EndpointInput{URL: &url}); err != nil {
		t.Fatal(err)
	}
	o := newOrder(t, e, "DNS-1", "")
	ev := record(t, e, o, event.TypeORDER_CONFIRMED)
	got := waitDeliveries(t, d, ev.ID, 1)
	if dl := got[0]; dl.Outcome != events.OutcomeDNSError || dl.ResponseStatus != nil || dl.Error == nil {
		t.Errorf("a DNS failure recorded as %+v", dl)
	}
}

// clockedEndpoint starts an environment on clk's time with a receiver that fails its
// first failFirst deliveries and an endpoint of the company pointing at it.
func clockedEndpoint(t *testing.T, d *db.DB, clk *clock, retry events.RetryPolicy, failFirst int) (
	*psptest.Env, *psptest.Receiver, *ent.WebhookEndpoint, string) {
	t.Helper()
	opts := noPolling
	opts.Now = clk.Now
	opts.Callbacks = retry
	e := psptest.Start(t, d, opts)
	receiver := psptest.NewReceiver(t, failFirst)
	url := receiver.URL
	ep, secret, err := e.Orders.Events().CreateEndpoint(auth.With(context.Background(), e.MerchantUser), e.Company.ID,
		events.EndpointInput{URL: &url})
	if err != nil {
		t.Fatal(err)
	}
	return e, receiver, ep, secret
}

// TestSecretRoll: after a roll with a one-hour overlap a delivery carries two v1=
// signatures, one verifying with the old secret and one with the new; after the
// overlap only the new one signs.
func TestSecretRoll(t *testing.T) {
	d := testdb.SQLite(t)
	clk := newClock()
	e, receiver, ep, oldSecret := clockedEndpoint(t, d, clk, events.RetryPolicy{}, 0)
	svc := e.Orders.Events()
	admin := auth.With(context.Background(), e.MerchantUser)
	if _, _, err := svc.RollSecret(admin, ep.ID, events.MaxRollHours+1); err == nil {
		t.Error("an overlap beyond a week was accepted")
	}
	_, newSecret, err := svc.RollSecret(admin, ep.ID, 1)
	if err != nil || newSecret == oldSecret {
		t.Fatalf("roll: %v", err)
	}
	o := newOrder(t, e, "ROLL-1", "")
	ev := record(t, e, o, event.TypeORDER_CONFIRMED)
	waitDeliveries(t, d, ev.ID, 1)
	during := receiver.All()[0]
	for name, secret := range map[string]string{"old": oldSecret, "new": newSecret} {
		if err := events.Verify(secret, during.Signature, during.Body, clk.Now(), 0); err != nil {
			t.Errorf("during the overlap the %s secret does not verify: %v (%s)", name, err, during.Signature)
		}
	}

	clk.Advance(time.Hour + time.Minute)
	if _, err := svc.Redeliver(admin, ev.ID); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, d, ev.ID, 2)
	after := receiver.All()[1]
	if err := events.Verify(newSecret, after.Signature, after.Body, clk.Now(), 0); err != nil {
		t.Errorf("after the overlap the new secret does not verify: %v", err)
	}
	if err := events.Verify(oldSecret, after.Signature, after.Body, clk.Now(), 0); !errors.Is(err, events.ErrSignatureMismatch) {
		t.Errorf("after the overlap the old secret: %v, want a mismatch", err)
	}
}

// TestEndpointFailingForADayIsDisabled: failures keep the endpoint on for a day; the
// first failure after that disables it with the reason, and its next events are not
// sent to it.
func TestEndpointFailingForADayIsDisabled(t *testing.T) {
	d := testdb.SQLite(t)
	clk := newClock()
	e, _, ep, _ := clockedEndpoint(t, d, clk, events.RetryPolicy{Backoff: time.Hour, MaxBackoff: time.Hour, MaxAttempts: 1}, 1000)
	o := newOrder(t, e, "DIS-1", "")
	first := record(t, e, o, event.TypeORDER_CONFIRMED)
	waitDeliveries(t, d, first.ID, 1)
	clk.Advance(23 * time.Hour)
	second := record(t, e, o, event.TypeFULFILMENT_SUCCEEDED)
	waitDeliveries(t, d, second.ID, 1)
	if got := d.Ent.WebhookEndpoint.GetX(sys, ep.ID); got.Disabled {
		t.Fatal("disabled before a day of failures")
	}
	clk.Advance(2 * time.Hour)
	third := record(t, e, o, event.TypeFULFILMENT_SUCCEEDED)
	waitDeliveries(t, d, third.ID, 1)
	got := d.Ent.WebhookEndpoint.GetX(sys, ep.ID)
	if !got.Disabled || got.DisabledReason == "" {
		t.Fatalf("after 25 h of failures: disabled %v, reason %q", got.Disabled, got.DisabledReason)
	}
	fourth := record(t, e, o, event.TypeREFUND_SUCCEEDED)
	time.Sleep(300 * time.Millisecond)
	if n := len(deliveriesOf(t, d, fourth.ID)); n != 0 {
		t.Errorf("a disabled endpoint got %d deliveries", n)
	}
	seqs := []int{*first.Sequence, *second.Sequence, *third.Sequence, *fourth.Sequence}
	if !sort.IntsAreSorted(seqs) || seqs[0] != 1 || seqs[3] != 4 {
		t.Errorf("sequences %v", seqs)
	}
}

// TestSettlementPaidIsAnEvent: marking a settlement paid records SETTLEMENT_PAID for
// its company, without a sequence, and the company's endpoint receives it with the
// settlement's id.
func TestSettlementPaidIsAnEvent(t *testing.T) {
	d := testdb.SQLite(t)
	e, receiver, _, secret := clockedEndpoint(t, d, newClock(), events.RetryPolicy{}, 0)
	st, err := d.Ent.Settlement.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).SetCompanyID(e.Company.ID).
		SetDate(domain.Date("2026-11-02")).SetStatus(domain.SettlementPending).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	svc := settlement.NewSettlements(d)
	svc.Events = e.Orders.Events()
	if _, err := svc.MarkPaid(sys, st.ID); err != nil {
		t.Fatal(err)
	}
	ev, err := d.Ent.Event.Query().Where(event.SubjectID(st.ID)).Only(sys)
	if err != nil || ev.Type != event.TypeSETTLEMENT_PAID || ev.Sequence != nil || ev.OrderID != nil || ev.CompanyID != e.Company.ID {
		t.Fatalf("the settlement's event: %+v (%v)", ev, err)
	}
	waitDeliveries(t, d, ev.ID, 1)
	got := receiver.All()[0]
	var b events.Body
	if err := json.Unmarshal(got.Body, &b); err != nil || b.SettlementID != st.ID || b.Sequence != nil || b.OrderID != "" {
		t.Errorf("the endpoint received %s", got.Body)
	}
	if err := events.Verify(secret, got.Signature, got.Body, time.Now(), 0); err != nil {
		t.Errorf("signature: %v", err)
	}
}

// TestPurgeKeepsTheRetention: the hourly purge deletes events and attempts older than
// the retention and keeps the newer ones; the order's counter goes on.
func TestPurgeKeepsTheRetention(t *testing.T) {
	d := testdb.SQLite(t)
	clk := newClock()
	e, _, _, _ := clockedEndpoint(t, d, clk, events.RetryPolicy{}, 0)
	o := newOrder(t, e, "PURGE-1", "")
	old := record(t, e, o, event.TypeORDER_CONFIRMED)
	waitDeliveries(t, d, old.ID, 1)
	clk.Advance(31 * 24 * time.Hour)
	kept := record(t, e, o, event.TypeFULFILMENT_SUCCEEDED)
	waitDeliveries(t, d, kept.ID, 1)
	w := &jobs.PurgeEventsWorker{Client: d.Ent, Now: clk.Now}
	if err := w.Work(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := d.Ent.Event.Query().Where(event.ID(old.ID)).CountX(sys); n != 0 {
		t.Error("an event older than the retention was kept")
	}
	if n := len(deliveriesOf(t, d, old.ID)); n != 0 {
		t.Errorf("%d attempts of the purged event kept", n)
	}
	if n := len(deliveriesOf(t, d, kept.ID)); n != 1 || d.Ent.Event.Query().Where(event.ID(kept.ID)).CountX(sys) != 1 {
		t.Error("the newer event or its attempt was purged")
	}
	if next := record(t, e, o, event.TypeREFUND_SUCCEEDED); *next.Sequence != 3 {
		t.Errorf("after the purge the next sequence is %d, want 3", *next.Sequence)
	}
}

// TestOneOrdersEventsPageInSequenceOrder: events(orderId:) pages by sequence, so a
// backfill reads 1, 2, 3 even when another instance's clock stamped the later events
// earlier.
func TestOneOrdersEventsPageInSequenceOrder(t *testing.T) {
	d := testdb.SQLite(t)
	e, _, _, _ := clockedEndpoint(t, d, newClock(), events.RetryPolicy{}, 0)
	o := newOrder(t, e, "clock-skew", "")
	base := time.Now()
	for i := range 3 {
		ev := record(t, e, o, event.TypeFULFILMENT_SUCCEEDED)
		// Each later event carries an earlier time (created_at is immutable in ent).
		if _, err := d.SQL.ExecContext(sys, `UPDATE events SET created_at = ? WHERE id = ?`,
			base.Add(-time.Duration(i)*time.Minute), ev.ID); err != nil {
			t.Fatal(err)
		}
	}
	f := events.EventFilter{OrderID: &o.ID}
	conn, err := e.Orders.Events().Query(sys, f).Paginate(sys, nil, nil, nil, nil, ent.WithEventOrder(f.PageOrder()))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, edge := range conn.Edges {
		got = append(got, *edge.Node.Sequence)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("one order's events paged as sequences %v, want [1 2 3]", got)
	}
}
