package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// OpResult is one kind of money operation run by many clients at once.
type OpResult struct {
	Name       string
	Clients    int
	Sample     Sample        // latency of every request
	Wall       time.Duration // from the first request to the last answer
	OK         int           // succeeded at the provider
	Pending    int           // answered PENDING (the reconcile job finishes them)
	UserErrors map[string]int
	Errors     int // HTTP or top-level GraphQL errors
	FirstError string
	ServerCPU  time.Duration // the server's CPU time per operation (0: unknown)
}

// PerSecond is the throughput.
func (r OpResult) PerSecond() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(len(r.Sample)) / r.Wall.Seconds()
}

// OpsResult is the fulfil and refund measurement with the orders it was made on.
type OpsResult struct {
	Gap       string // why it was not measured (a missing mutation)
	Create    OpResult
	Confirmed int
	ConfirmIn time.Duration
	Fulfil    OpResult
	Refund    OpResult
}

// opsTarget is where the harness creates its orders: the largest merchant's first
// company activated with Paywerk and its first shop.
type opsTarget struct{ companyID, shopID string }

func findOpsTarget(ctx context.Context, d *sql.DB, merchantEmail string) (opsTarget, error) {
	var t opsTarget
	err := d.QueryRowContext(ctx, `
SELECT c.id, s.id FROM users u
JOIN companies c ON c.merchant_id = u.merchant_id
JOIN provider_activations a ON a.company_id = c.id AND a.provider = 'PAYWERK' AND a.status = 'ACTIVE'
JOIN shops s ON s.merchant_id = u.merchant_id
WHERE u.email = $1 ORDER BY c.id, s.id LIMIT 1`, merchantEmail).Scan(&t.companyID, &t.shopID)
	if err != nil {
		return t, fmt.Errorf("no Paywerk company and shop for %s: %w", merchantEmail, err)
	}
	return t, nil
}

const createOrderMutation = `mutation BenchCreate($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id status } paymentUrl userErrors { code field message } } }`

// runOps creates orders through the API, has the shopper approve each on the sandbox
// payment page, waits for the confirmations, then fulfils all of each order and
// refunds all of it, each phase with conc clients at once.
func runOps(ctx context.Context, c *Client, d *sql.DB, s *Schema, target opsTarget, n, conc, pid int, logf func(string, ...any)) OpsResult {
	var out OpsResult
	parallel := func(name string, n, conc int, call func(i int) (string, time.Duration, error)) OpResult {
		cpu0, _ := ReadCPU(pid)
		r := parallel(name, n, conc, call)
		if cpu1, err := ReadCPU(pid); err == nil && cpu0 > 0 && n > 0 {
			r.ServerCPU = (cpu1 - cpu0) / time.Duration(n)
		}
		return r
	}
	fulfilField, fulfilInput := pickMutation(s, "fulfilAll", "FulfilAllInput", "fulfilOrder", "FulfilOrderInput")
	refundField, refundInput := pickMutation(s, "refundAll", "RefundAllInput", "refundOrder", "RefundOrderInput")
	switch {
	case !s.HasField("Mutation", "createOrder"):
		out.Gap = "the server has no createOrder mutation"
		return out
	case fulfilField == "":
		out.Gap = "the server has no fulfilAll or fulfilOrder mutation (the fulfilment work is not in this build)"
		return out
	}

	// 1. Orders, created and approved the way a shop and its shoppers do it.
	tag := fmt.Sprintf("BENCH-%d", time.Now().UnixNano()%1e9)
	ids := make([]string, n)
	out.Create = parallel("createOrder + approve", n, conc, func(i int) (string, time.Duration, error) {
		in := map[string]any{
			"companyId": target.companyID, "shopId": target.shopID, "reference": fmt.Sprintf("%s-%06d", tag, i),
			"lang": "en", "firstName": "Mari", "lastName": "Tamm", "email": "mari.tamm@example.com", "phone": "+37255555555",
			"billingAddress": map[string]any{"street": "Narva mnt 5", "city": "Tallinn", "postalCode": "10117", "country": "EE"},
			"amount":         "150.00", "currency": "EUR", "provider": "PAYWERK",
			"items": []map[string]any{
				{"sku": "LAMP", "name": "Table lamp", "quantity": "2", "unitPrice": "50.00", "vatRate": "22"},
				{"sku": "MUG", "name": "Mug set", "quantity": "1", "unitPrice": "50.00", "vatRate": "22"},
			},
			"successUrl": "https://shop.bench.example/ok", "failedUrl": "https://shop.bench.example/failed",
		}
		var r struct {
			CreateOrder struct {
				Order      *struct{ ID string }
				PaymentURL *string
				UserErrors []struct{ Code, Message string }
			}
		}
		took, err := c.Do(ctx, createOrderMutation, map[string]any{"input": in}, &r)
		if err != nil {
			return "", took, err
		}
		if len(r.CreateOrder.UserErrors) > 0 {
			return r.CreateOrder.UserErrors[0].Code, took, nil
		}
		if r.CreateOrder.Order == nil || r.CreateOrder.PaymentURL == nil {
			return "", took, errors.New("createOrder answered no order or no paymentUrl")
		}
		ids[i] = r.CreateOrder.Order.ID
		code, err := c.PostForm(ctx, *r.CreateOrder.PaymentURL, url.Values{"action": {"approve"}, "productType": {"INVOICE"}})
		if err == nil && code >= 400 {
			err = fmt.Errorf("approving on the payment page: HTTP %d", code)
		}
		return "", took, err
	})
	var created []string
	for _, id := range ids {
		if id != "" {
			created = append(created, id)
		}
	}
	// 2. The confirmations arrive by webhook and a job; wait for them.
	start := time.Now()
	confirmed, err := waitConfirmed(ctx, d, created, 3*time.Minute)
	out.Confirmed, out.ConfirmIn = len(confirmed), time.Since(start)
	if err != nil {
		out.Gap = err.Error()
		return out
	}
	if len(confirmed) == 0 {
		out.Gap = fmt.Sprintf("none of the %d orders asked for was created and confirmed", n)
		if len(out.Create.UserErrors) > 0 || out.Create.FirstError != "" {
			var why []string
			for code, k := range out.Create.UserErrors {
				why = append(why, fmt.Sprintf("%d %s", k, code))
			}
			if out.Create.FirstError != "" {
				why = append(why, "first error: "+out.Create.FirstError)
			}
			out.Gap += " (createOrder: " + strings.Join(why, ", ") + "; the server's log says why)"
		}
		return out
	}

	// 3. Fulfil everything of each order, then 4. refund everything of it.
	logf("fulfil and refund: %d orders confirmed in %s; %s with %d clients", len(confirmed), out.ConfirmIn.Round(time.Second), fulfilField, conc)
	key := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	out.Fulfil = parallel(fulfilField, len(confirmed), conc, func(i int) (string, time.Duration, error) {
		return runOp(ctx, c, s, fulfilField, fulfilInput, "fulfilment", confirmed[i], key)
	})
	if refundField == "" {
		out.Refund.Name = "refund"
		out.Refund.FirstError = "the server has no refundAll or refundOrder mutation"
		return out
	}
	logf("fulfil and refund: %s with %d clients", refundField, conc)
	out.Refund = parallel(refundField, len(confirmed), conc, func(i int) (string, time.Duration, error) {
		return runOp(ctx, c, s, refundField, refundInput, "refund", confirmed[i], key)
	})
	return out
}

// pickMutation prefers the "all" form (no items to name) and falls back on the other.
func pickMutation(s *Schema, all, allInput, some, someInput string) (field, input string) {
	if s.HasField("Mutation", all) {
		return all, allInput
	}
	if s.HasField("Mutation", some) {
		return some, someInput
	}
	return "", ""
}

// runOp runs one fulfil or refund of a whole order and answers "" on success, the
// user error code on a refusal, "PENDING" when the provider's answer is still open.
func runOp(ctx context.Context, c *Client, s *Schema, field, inputType, object, orderID, key string) (string, time.Duration, error) {
	in := map[string]any{"orderId": orderID}
	if s.HasInputField(inputType, "idempotencyKey") {
		in["idempotencyKey"] = key + "-" + field + "-" + orderID
	}
	if s.HasInputField(inputType, "reason") {
		in["reason"] = "bench: the shopper sent it back"
	}
	if strings.HasSuffix(field, "Order") { // fulfilOrder / refundOrder need items
		items, err := orderItems(ctx, c, orderID)
		if err != nil {
			return "", 0, err
		}
		var list []map[string]any
		for _, sku := range items {
			it := map[string]any{"sku": sku}
			if object == "refund" {
				it["refundType"] = "AUTO"
			}
			list = append(list, it)
		}
		in["items"] = list
	}
	q := fmt.Sprintf(`mutation BenchOp($input: %s!) { %s(input: $input) { %s { id status } userErrors { code message } } }`,
		inputType, field, object)
	var r map[string]struct {
		Fulfilment *struct{ ID, Status string }
		Refund     *struct{ ID, Status string }
		UserErrors []struct{ Code, Message string }
	}
	took, err := c.Do(ctx, q, map[string]any{"input": in}, &r)
	if err != nil {
		return "", took, err
	}
	p := r[field]
	if len(p.UserErrors) > 0 {
		return p.UserErrors[0].Code, took, nil
	}
	op := p.Fulfilment
	if object == "refund" {
		op = p.Refund
	}
	switch {
	case op == nil:
		return "", took, fmt.Errorf("%s answered no %s", field, object)
	case op.Status == "PENDING":
		return "PENDING", took, nil
	case op.Status != "SUCCEEDED":
		return op.Status, took, nil
	}
	return "", took, nil
}

func orderItems(ctx context.Context, c *Client, orderID string) ([]string, error) {
	var r struct {
		Node *struct{ Items []struct{ Sku string } }
	}
	if _, err := c.Do(ctx, `query($id: ID!) { node(id: $id) { ... on Order { items { sku } } } }`, map[string]any{"id": orderID}, &r); err != nil {
		return nil, err
	}
	if r.Node == nil {
		return nil, fmt.Errorf("order %s not found", orderID)
	}
	var out []string
	for _, it := range r.Node.Items {
		out = append(out, it.Sku)
	}
	return out, nil
}

// parallel runs n calls with conc clients at once and gathers their outcomes.
func parallel(name string, n, conc int, call func(i int) (code string, took time.Duration, err error)) OpResult {
	r := OpResult{Name: name, Clients: conc, UserErrors: map[string]int{}}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				code, took, err := call(i)
				mu.Lock()
				r.Sample = append(r.Sample, took)
				switch {
				case err != nil:
					r.Errors++
					if r.FirstError == "" {
						r.FirstError = err.Error()
					}
				case code == "PENDING":
					r.Pending++
				case code != "":
					r.UserErrors[code]++
				default:
					r.OK++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.Wall = time.Since(start)
	return r
}

// waitConfirmed polls until the orders are CONFIRMED (or the time is up) and answers
// those that are.
func waitConfirmed(ctx context.Context, d *sql.DB, ids []string, limit time.Duration) ([]string, error) {
	deadline := time.Now().Add(limit)
	for {
		rows, err := d.QueryContext(ctx, `SELECT id FROM orders WHERE id = ANY($1) AND status = 'CONFIRMED' ORDER BY id`, pq.Array(ids))
		if err != nil {
			return nil, err
		}
		var ok []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				_ = rows.Close()
				return nil, err
			}
			ok = append(ok, id)
		}
		_ = rows.Close()
		if len(ok) == len(ids) || time.Now().After(deadline) {
			return ok, nil
		}
		select {
		case <-ctx.Done():
			return ok, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
