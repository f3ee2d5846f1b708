package psp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// benchClients is how many clients send requests at once: 32, or PSP_BENCH_CLIENTS.
var benchClients = func() int {
	if n, err := strconv.Atoi(os.Getenv("PSP_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 32
}()

// BenchmarkOperations measures createOrder, fulfilOrder and refundOrder (CANCEL)
// through the services on PostgreSQL (TEST_DATABASE_URL), with the Paywerk sandbox
// answering over real HTTP at zero latency, 32 clients at once, each on its own
// orders. It reports operations per second and the 99th percentile latency.
//
//	TEST_DATABASE_URL=postgres://… go test ./internal/psp -run '^$' -bench Operations -benchtime 2000x
func BenchmarkOperations(b *testing.B) {
	d := testdb.Postgres(b)
	e := newOpsEnv(b, d, envOptions{})
	orders := NewOrders(OrdersConfig{DB: d, Registry: e.reg, PublicURL: "http://127.0.0.1:1"})
	w := river.NewWorkers() // one job client that knows both services' jobs
	orders.Register(w)
	e.ops.Register(w)
	jc, err := jobs.New(d, jobs.Config{Workers: w})
	if err != nil {
		b.Fatal(err)
	}
	orders.UseJobs(jc)
	e.ops.UseJobs(jc)

	b.Run("createOrder", func(b *testing.B) {
		var seq atomic.Int64
		run(b, func(ctx context.Context, _ int) error {
			n := seq.Add(1)
			res, err := orders.CreateOrder(e.as, CreateOrderInput{CompanyID: e.company.ID, ShopID: e.shop.ID,
				Reference: fmt.Sprintf("BENCH-%d-%d", time.Now().UnixNano(), n), FirstName: "Jane", LastName: "Doe",
				Email: "jane@example.com", Phone: "+37255555555", BillingAddress: &domain.Address{Country: "EE"},
				Amount: "150.00", Currency: "EUR", Provider: domain.ProviderPaywerk,
				Items:      []OrderItemInput{{SKU: "A", Name: "Drill", Quantity: money.Units(3), UnitPrice: "50.00"}},
				SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed"})
			if err == nil && res.PaymentURL == "" {
				err = fmt.Errorf("no payment url")
			}
			return err
		})
	})

	// Each client works through its own confirmed orders of 40 units, one unit per
	// operation: fulfilments and cancellations alike take from the open quantity.
	const unitsPerOrder = 40
	prepare := func(b *testing.B) [][]*ent.Order {
		b.Helper()
		perClient := (b.N/benchClients)/unitsPerOrder + 1
		out := make([][]*ent.Order, benchClients)
		for c := range out {
			for range perClient {
				out[c] = append(out[c], e.confirmedOrder(domain.ProviderPaywerk, domain.ProductInvoice,
					testLine{sku: "A", quantity: fmt.Sprint(unitsPerOrder), unit: "5.00"}))
			}
		}
		return out
	}
	one := qty("1")
	for _, op := range []struct {
		name string
		do   func(orderID string) error
	}{
		{"fulfilOrder", func(id string) error {
			f, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: id, Items: []FulfilRequestItem{{SKU: "A", Quantity: one}}})
			if err == nil && f.Fulfilment.Status != domain.OperationSucceeded {
				err = fmt.Errorf("fulfilment %s", f.Fulfilment.Status)
			}
			return err
		}},
		{"refundOrder", func(id string) error {
			r, err := e.ops.Refund(e.as, RefundInput{OrderID: id, Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel, Quantity: one}}})
			if err == nil && r.Refund.Status != domain.OperationSucceeded {
				err = fmt.Errorf("refund %s", r.Refund.Status)
			}
			return err
		}},
	} {
		b.Run(op.name, func(b *testing.B) {
			b.StopTimer()
			pool := prepare(b)
			b.StartTimer()
			run(b, func(_ context.Context, client int) error {
				mine := pool[client]
				for len(mine) > 0 {
					err := op.do(mine[0].ID)
					if errors.Is(err, ErrQuantityExceedsRemaining) {
						mine = mine[1:] // this order is used up: the next one
						pool[client] = mine
						continue
					}
					return err
				}
				return fmt.Errorf("client %d ran out of orders", client)
			})
		})
	}
}

// run sends b.N requests from benchClients clients and reports throughput and p99.
func run(b *testing.B, do func(ctx context.Context, client int) error) {
	b.Helper()
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := do(context.Background(), c); err != nil {
					failed.Store(err)
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(latencies)
	p99 := latencies[min(len(latencies)-1, len(latencies)*99/100)]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
}
