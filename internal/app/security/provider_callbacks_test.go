package security_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/webhookevent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
)

// Finding 6: 300 unsigned Paywerk callbacks about made-up orders left 300 rows and 300
// jobs, never purged.
func TestUnsignedCallbacksOnlyForKnownOrders(t *testing.T) {
	serve(t, func(t *testing.T, h *harness) {
		ctx := auth.System(context.Background())
		count := func() (events, jobsQueued int) {
			t.Helper()
			if err := h.app.DB.SQL.QueryRow("SELECT count(*) FROM webhook_events").Scan(&events); err != nil {
				t.Fatal(err)
			}
			if err := h.app.DB.SQL.QueryRow("SELECT count(*) FROM river_job WHERE kind = 'psp_process_webhook'").Scan(&jobsQueued); err != nil {
				t.Fatal(err)
			}
			return events, jobsQueued
		}
		e0, j0 := count() // the tenant world has rows of its own
		for i := range 50 {
			body := fmt.Sprintf(`{"paywerkId":"made-up-%d","orderReference":"W-%d"}`, i, i)
			if got := h.do("POST", "/webhooks/paywerk", "", jsonBody(jsonRaw(body)), nil); got.status != http.StatusOK {
				t.Fatalf("callback %d: %d %s", i, got.status, got.body)
			}
		}
		if e, j := count(); e != e0 || j != j0 {
			t.Fatalf("50 callbacks about made-up orders left %d events and %d jobs, want none", e-e0, j-j0)
		}
		o := h.world.ByName["order A1/a/a"]
		if err := h.app.DB.Ent.Order.UpdateOneID(o.ID).SetProvider(domain.ProviderPaywerk).SetProviderReference("pw-known-1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := h.do("POST", "/webhooks/paywerk", "", jsonBody(jsonRaw(`{"paywerkId":"pw-known-1","orderReference":"W-1"}`)), nil); got.status != http.StatusOK {
			t.Fatalf("callback about a known order: %d %s", got.status, got.body)
		}
		if e, j := count(); e != e0+1 || j != j0+1 {
			t.Fatalf("a callback about a known order: %d events and %d jobs, want 1 and 1", e-e0, j-j0)
		}
	})
}

// TestStoredNotificationsArePurged: events older than the retention go, newer stay.
func TestStoredNotificationsArePurged(t *testing.T) {
	serve(t, func(t *testing.T, h *harness) {
		ctx := auth.System(context.Background())
		for i, age := range []time.Duration{jobs.WebhookEventRetention + time.Hour, time.Hour} {
			if err := h.app.DB.Ent.WebhookEvent.Create().SetProvider(domain.ProviderBillie).SetEventID(fmt.Sprint("ev", i)).
				SetKind("payment_changed").SetPayload([]byte("{}")).SetCreatedAt(time.Now().Add(-age)).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		w := &jobs.PurgeWebhookEventsWorker{Client: h.app.DB.Ent}
		if err := w.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		left, err := h.app.DB.Ent.WebhookEvent.Query().Where(webhookevent.EventIDHasPrefix("ev")).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].EventID != "ev1" {
			t.Fatalf("after the purge: %d events, want only the recent one", len(left))
		}
	})
}
