package idempotency

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

type input struct {
	OrderID string `json:"orderId"`
	Amount  string `json:"amount"`
}

type result struct {
	ID string `json:"id"`
}

// as is a merchant's user, or an API key of its shop, as the tenant rules want them.
func as(kind auth.Kind, id string) context.Context {
	p := &auth.Principal{Kind: kind, ID: id, PSPID: "psp_1", MerchantID: "mer_1"}
	if kind == auth.KindUser {
		p.Role = domain.RoleMerchantAdmin
	} else {
		p.CompanyID, p.ShopID = "com_1", "shp_1"
	}
	return auth.With(context.Background(), p)
}

// counter is a request that writes a row (so running it twice would be visible in
// the database too) and counts how often it ran.
type counter struct {
	runs atomic.Int32
	err  error // answered instead of a result, when set
}

func (c *counter) fn(ctx context.Context, tx *db.Tx) (result, error) {
	c.runs.Add(1)
	if c.err != nil {
		return result{}, c.err
	}
	id := ids.New("run")
	err := tx.Ent.SandboxRecord.Create().SetNamespace("idempotency-test").SetKind("run").SetKey(id).
		SetValue([]byte(id)).Exec(auth.System(ctx))
	return result{ID: id}, err
}

func rowsWritten(t *testing.T, d *db.DB) int {
	t.Helper()
	n, err := d.Ent.SandboxRecord.Query().Count(auth.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func code(err error) string {
	if r, ok := domain.AsRefusal(err); ok {
		return r.Problems[0].Code
	}
	return fmt.Sprint(err)
}

func TestRun(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		merchant := as(auth.KindUser, "usr_1")
		req := Request{Operation: "fulfilOrder", Key: "k-1", Input: input{OrderID: "ord_1", Amount: "10.00"}}

		t.Run("the first response is replayed for the same key and input", func(t *testing.T) {
			var c counter
			first, replayed, err := Run(merchant, d, req, c.fn)
			if err != nil || replayed {
				t.Fatalf("first run: %v, replayed %v", err, replayed)
			}
			second, replayed, err := Run(merchant, d, req, c.fn)
			if err != nil || !replayed {
				t.Fatalf("second run: %v, replayed %v", err, replayed)
			}
			if second != first || c.runs.Load() != 1 || rowsWritten(t, d) != 1 {
				t.Fatalf("replay answered %v (first %v), ran %d times, %d rows", second, first, c.runs.Load(), rowsWritten(t, d))
			}
		})

		t.Run("the same key with another input is refused", func(t *testing.T) {
			var c counter
			other := req
			other.Input = input{OrderID: "ord_1", Amount: "10.01"}
			_, _, err := Run(merchant, d, other, c.fn)
			if code(err) != domain.CodeIdempotencyKeyReused || c.runs.Load() != 0 {
				t.Fatalf("answered %v after %d runs, want IDEMPOTENCY_KEY_REUSED without running", err, c.runs.Load())
			}
			if r, _ := domain.AsRefusal(err); r.Problems[0].Field[0] != "idempotencyKey" {
				t.Fatalf("field %v, want idempotencyKey", r.Problems[0].Field)
			}
		})

		t.Run("the same key for another operation is refused", func(t *testing.T) {
			var c counter
			other := req
			other.Operation = "refundOrder"
			if _, _, err := Run(merchant, d, other, c.fn); code(err) != domain.CodeIdempotencyKeyReused || c.runs.Load() != 0 {
				t.Fatalf("answered %v after %d runs", err, c.runs.Load())
			}
		})

		t.Run("another principal's key is another key", func(t *testing.T) {
			var c counter
			for _, ctx := range []context.Context{as(auth.KindAPIKey, "usr_1"), as(auth.KindUser, "usr_2")} {
				if _, replayed, err := Run(ctx, d, req, c.fn); err != nil || replayed {
					t.Fatalf("%v, replayed %v", err, replayed)
				}
			}
			if c.runs.Load() != 2 {
				t.Fatalf("ran %d times, want once per principal", c.runs.Load())
			}
		})

		t.Run("a refusal is stored and replayed, and nothing of the request stays", func(t *testing.T) {
			c := counter{err: domain.Refuse(domain.CodeOrderNotConfirmed, nil, "order is PENDING")}
			req := Request{Operation: "fulfilOrder", Key: "k-refused", Input: input{OrderID: "ord_2"}}
			for i := range 2 {
				if _, _, err := Run(merchant, d, req, c.fn); code(err) != domain.CodeOrderNotConfirmed {
					t.Fatalf("run %d answered %v", i, err)
				}
			}
			if c.runs.Load() != 1 {
				t.Fatalf("the refused request ran %d times, want once", c.runs.Load())
			}
		})

		t.Run("an internal error is not stored: a retry runs again", func(t *testing.T) {
			c := counter{err: errors.New("database went away")}
			req := Request{Operation: "fulfilOrder", Key: "k-error", Input: input{OrderID: "ord_3"}}
			if _, _, err := Run(merchant, d, req, c.fn); err == nil {
				t.Fatal("the error was swallowed")
			}
			c.err = nil
			if _, replayed, err := Run(merchant, d, req, c.fn); err != nil || replayed {
				t.Fatalf("retry: %v, replayed %v", err, replayed)
			}
			if c.runs.Load() != 2 {
				t.Fatalf("ran %d times, want 2", c.runs.Load())
			}
		})

		t.Run("a key is kept for 24 hours and is free again after", func(t *testing.T) {
			var c counter
			req := Request{Operation: "fulfilOrder", Key: "k-expiry", Input: input{OrderID: "ord_4"}}
			if _, _, err := Run(merchant, d, req, c.fn); err != nil {
				t.Fatal(err)
			}
			defer func() { now = time.Now }()
			now = func() time.Time { return time.Now().Add(TTL - time.Minute) }
			if _, replayed, err := Run(merchant, d, req, c.fn); err != nil || !replayed {
				t.Fatalf("within 24 h: %v, replayed %v", err, replayed)
			}
			now = func() time.Time { return time.Now().Add(TTL + time.Minute) }
			if _, replayed, err := Run(merchant, d, req, c.fn); err != nil || replayed {
				t.Fatalf("after 24 h: %v, replayed %v", err, replayed)
			}
			if c.runs.Load() != 2 {
				t.Fatalf("ran %d times, want 2", c.runs.Load())
			}
		})

		t.Run("without a key every request runs", func(t *testing.T) {
			var c counter
			req := Request{Operation: "fulfilOrder", Input: input{OrderID: "ord_5"}}
			for range 2 {
				if _, replayed, err := Run(merchant, d, req, c.fn); err != nil || replayed {
					t.Fatalf("%v, replayed %v", err, replayed)
				}
			}
			if c.runs.Load() != 2 {
				t.Fatalf("ran %d times", c.runs.Load())
			}
		})

		t.Run("concurrent requests with one key run once and all answer the first response", func(t *testing.T) {
			c := counter{}
			slow := func(ctx context.Context, tx *db.Tx) (result, error) {
				time.Sleep(50 * time.Millisecond) // hold the claim while the others arrive
				return c.fn(ctx, tx)
			}
			req := Request{Operation: "fulfilOrder", Key: "k-race", Input: input{OrderID: "ord_6"}}
			const n = 12
			var wg sync.WaitGroup
			results := make([]result, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { results[i], _, errs[i] = Run(merchant, d, req, slow) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("request %d: %v", i, errs[i])
				}
				if results[i] != results[0] {
					t.Fatalf("request %d answered %v, request 0 %v", i, results[i], results[0])
				}
			}
			if c.runs.Load() != 1 {
				t.Fatalf("ran %d times, want once", c.runs.Load())
			}
		})

		t.Run("a request without a principal is refused", func(t *testing.T) {
			var c counter
			if _, _, err := Run(context.Background(), d, req, c.fn); !errors.Is(err, ErrNoPrincipal) {
				t.Fatalf("answered %v", err)
			}
		})
	})
}
