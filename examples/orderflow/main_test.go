package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/pspbackoffice/backoffice/internal/app/apptest"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestOrderFlow runs the example against the product in sandbox mode (SQLite, and
// PostgreSQL with TEST_DATABASE_URL): the typed client creates an order with an API key,
// the shopper approves it on the sandbox payment page, the example follows the order's
// events, fulfils it on ORDER_CONFIRMED and ends on FULFILMENT_SUCCEEDED; it printed
// every event once, in sequence order, without a gap.
func TestOrderFlow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := apptest.Start(t, d, "orderflow-example-secret-0123456789abcdef")
		// The world's provider accounts are made up: the sandboxes take real payments.
		if err := s.App.EnsureSandboxAccounts(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.App.Jobs.Start(context.Background()); err != nil { // applies the provider's notifications
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.App.Jobs.Stop(context.Background()) })
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var out bytes.Buffer
		pay := func(url string) { psptest.Shopper(t, url, sandboxkit.ActionApprove, "") }
		if err := run(ctx, NewClient(s.URL, s.World.Actors["keyA1"].Key), "example-1", ptr(ProviderPaywerk), pay, &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		t.Logf("the example's output:\n%s", out.String())
		for _, want := range []string{"fulfilled MUG-1 × 2", "fulfilment "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the example's output lacks %q:\n%s", want, out.String())
			}
		}
		seq, types := eventsPrinted(t, out.String())
		checkSequence(t, seq, out.String())
		if got := strings.Join(types, " "); got != "ORDER_CONFIRMED FULFILMENT_SUCCEEDED" {
			t.Errorf("events seen: %s, want ORDER_CONFIRMED FULFILMENT_SUCCEEDED\n%s", got, out.String())
		}
	})
}

// TestFollowerBackfillsAGap: the page after the first poll's cursor lacks event 2 (as if
// the poll had skipped it); the follower sees 3, holds it back, reads the order's events
// from the first and hands out 2 and 3. A duplicate of 3 is dropped. Event 4 never shows
// on a cursor's page and no later number reveals its gap: the idle backfill finds it.
// Each event is handed out once, in sequence order.
func TestFollowerBackfillsAGap(t *testing.T) {
	fake := &eventPages{all: []string{"ORDER_CONFIRMED", "FULFILMENT_FAILED", "FULFILMENT_SUCCEEDED", "REFUND_SUCCEEDED"}}
	var out bytes.Buffer
	f := &follower{c: fake, orderID: "ord_1", out: &out}
	var seq []int
	var types []string
	for i := 0; i < 3+idleBackfill; i++ {
		evs, err := f.poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			seq, types = append(seq, *e.Sequence), append(types, string(e.Type))
		}
	}
	checkSequence(t, seq, out.String())
	if got, want := strings.Join(types, " "), strings.Join(fake.all, " "); got != want {
		t.Errorf("events handed out: %s, want %s", got, want)
	}
	if !strings.Contains(out.String(), "gap after event 1 (next read: 3): backfilling") {
		t.Errorf("the follower did not report the gap:\n%s", out.String())
	}
	if fake.backfills != 2 { // the gap's and the idle one
		t.Errorf("%d backfills, want 2", fake.backfills)
	}
}

// eventPages answers OrderEvents for the order ord_1, whose events are all (sequence
// numbers 1, 2, …; the cursor after event n is "c<n>"): the first poll (no cursor) reads
// 1; after c1 the page holds only 3; after c3 the first page repeats 3, later ones are
// empty, as are those after c4. A backfill (no cursor, after the first poll) reads 1…3 the first time (4 is not
// written yet), every event later.
type eventPages struct {
	all              []string
	polled, repeated bool
	backfills        int
}

func (p *eventPages) MakeRequest(_ context.Context, req *graphql.Request, resp *graphql.Response) error {
	v, ok := req.Variables.(*__OrderEventsInput)
	if !ok || v.OrderId != "ord_1" {
		return fmt.Errorf("unexpected request %s %#v", req.OpName, req.Variables)
	}
	var seqs []int
	switch {
	case v.After == nil && !p.polled:
		p.polled, seqs = true, []int{1}
	case v.After == nil:
		p.backfills++
		n := len(p.all)
		if p.backfills == 1 {
			n--
		}
		for i := 1; i <= n; i++ {
			seqs = append(seqs, i)
		}
	case *v.After == "c1":
		seqs = []int{3}
	case *v.After == "c3" && !p.repeated:
		p.repeated, seqs = true, []int{3}
	case *v.After == "c3", *v.After == "c4":
	default:
		return fmt.Errorf("unexpected cursor %q", *v.After)
	}
	type node struct {
		ID        string    `json:"id"`
		Sequence  int       `json:"sequence"`
		Type      string    `json:"type"`
		CreatedAt time.Time `json:"createdAt"`
	}
	type edge struct {
		Node node `json:"node"`
	}
	var page struct {
		Events struct {
			Edges    []edge `json:"edges"`
			PageInfo struct {
				HasNextPage bool    `json:"hasNextPage"`
				EndCursor   *string `json:"endCursor"`
			} `json:"pageInfo"`
		} `json:"events"`
	}
	page.Events.Edges = []edge{}
	for _, n := range seqs {
		page.Events.Edges = append(page.Events.Edges, edge{node{fmt.Sprintf("evt_%d", n), n, p.all[n-1], time.Unix(int64(n), 0)}})
		page.Events.PageInfo.EndCursor = ptr(fmt.Sprintf("c%d", n))
	}
	b, err := json.Marshal(page)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, resp.Data)
}

// eventsPrinted reads the "event <sequence> <type> <createdAt>" lines of the output.
func eventsPrinted(t *testing.T, out string) (seq []int, types []string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "event ") {
			continue
		}
		var n int
		var typ, at string
		if _, err := fmt.Sscanf(line, "event %d %s %s", &n, &typ, &at); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		seq, types = append(seq, n), append(types, typ)
	}
	return seq, types
}

// checkSequence: 1, 2, 3, … — in order, each once, no gap.
func checkSequence(t *testing.T, seq []int, out string) {
	t.Helper()
	for i, n := range seq {
		if n != i+1 {
			t.Fatalf("sequence numbers %v, want 1, 2, 3, … without gaps or repeats\n%s", seq, out)
		}
	}
}
