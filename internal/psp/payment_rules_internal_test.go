package psp

import (
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// TestStatusMovesOnlyForward: a provider's state moves an order out of PENDING and
// never back, so duplicates and late notifications change nothing.
func TestStatusMovesOnlyForward(t *testing.T) {
	cases := []struct {
		name  string
		from  order.Status
		state providers.PaymentState
		want  order.Status
		moved bool
	}{
		{"authorised confirms a pending order", order.StatusPENDING, providers.PaymentAuthorized, order.StatusCONFIRMED, true},
		{"declined fails a pending order", order.StatusPENDING, providers.PaymentFailed, order.StatusFAILED, true},
		{"cancelled cancels a pending order", order.StatusPENDING, providers.PaymentCancelled, order.StatusCANCELLED, true},
		{"still pending changes nothing", order.StatusPENDING, providers.PaymentPending, order.StatusPENDING, false},
		{"a late pending leaves a confirmed order", order.StatusCONFIRMED, providers.PaymentPending, order.StatusCONFIRMED, false},
		{"a late decline leaves a confirmed order", order.StatusCONFIRMED, providers.PaymentFailed, order.StatusCONFIRMED, false},
		{"a late approval leaves a failed order", order.StatusFAILED, providers.PaymentAuthorized, order.StatusFAILED, false},
		{"a duplicate approval leaves a confirmed order", order.StatusCONFIRMED, providers.PaymentAuthorized, order.StatusCONFIRMED, false},
		{"nothing revives a cancelled order", order.StatusCANCELLED, providers.PaymentAuthorized, order.StatusCANCELLED, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, moved := nextStatus(c.from, c.state)
			if got != c.want || moved != c.moved {
				t.Errorf("nextStatus(%s, %s) = %s, %v; want %s, %v", c.from, c.state, got, moved, c.want, c.moved)
			}
		})
	}
}

// TestPollScheduleFollowsPaywerk: every 5 s for a minute, every 10 s for 5 more
// minutes, then every 30 s, and no poll after 10 minutes (docs/providers/paywerk.md "Statuses, callbacks and polling").
func TestPollScheduleFollowsPaywerk(t *testing.T) {
	cases := []struct {
		elapsed time.Duration
		wait    time.Duration
		more    bool
	}{
		{0, 5 * time.Second, true},
		{59 * time.Second, 5 * time.Second, true},
		{time.Minute, 10 * time.Second, true},
		{5*time.Minute + 59*time.Second, 10 * time.Second, true},
		{6 * time.Minute, 30 * time.Second, true},
		{9*time.Minute + 59*time.Second, 30 * time.Second, true},
		{10 * time.Minute, 0, false},
	}
	for _, c := range cases {
		wait, more := DefaultPollSchedule.Next(c.elapsed)
		if wait != c.wait || more != c.more {
			t.Errorf("after %s: %s, %v; want %s, %v", c.elapsed, wait, more, c.wait, c.more)
		}
	}
}
