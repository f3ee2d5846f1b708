// Package crashtest kills the server with SIGKILL under load and checks that, once
// it is back and has reconciled, every order agrees with the provider sandboxes'
// own records (issue 14). The server runs as a child process (this test binary,
// re-executed in serve mode) on PostgreSQL; the sandboxes run in the test process,
// so a call the server made keeps going when the server dies, as at a real
// provider. See docs/provider-operations.md.
//
// Short run (part of go test, PostgreSQL only): 3 kills.
// Long run: CRASHTEST_LONG=1 go test -count=1 -run TestCrashRecovery -timeout 30m ./internal/crashtest/
// (CRASHTEST_KILLS and CRASHTEST_WORKERS tune it).
package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/fulfilment"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/refund"
	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

const serveEnv = "BACKOFFICE_CRASHTEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		os.Exit(serve())
	}
	os.Exit(m.Run())
}

// serve is `backoffice serve`, in the child process.
func serve() int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.FromEnv()
	if err == nil {
		var a *app.App
		if a, err = app.New(ctx, cfg, logger); err == nil {
			defer a.Close()
			if err = a.Bootstrap(ctx); err == nil {
				err = a.Serve(ctx)
			}
		}
	}
	if err != nil {
		logger.Error("crashtest server", "err", err)
		return 1
	}
	return 0
}

const (
	secret   = "crashtest-secret-0123456789abcdef0123456789"
	email    = "admin@crash.test"
	password = "crash-password-1"
)

type env struct {
	t         *testing.T
	d         *db.DB
	dbURL     string
	sb        *catalog.Sandboxes
	sbURL     string
	serverURL string
	addr      string
	logs      string
	cmd       *exec.Cmd
	token     string
	pspID     string
	orders    []*ent.Order
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestCrashRecovery(t *testing.T) {
	d, dbURL := testdb.PostgresWithURL(t) // skips without TEST_DATABASE_URL, fails in CI
	kills, workers, ordersPer := 3, 6, 4
	if os.Getenv("CRASHTEST_LONG") == "1" {
		kills, workers, ordersPer = 10, 12, 25
	}
	kills, workers = envInt("CRASHTEST_KILLS", kills), envInt("CRASHTEST_WORKERS", workers)
	e := &env{t: t, d: d, dbURL: dbURL, logs: filepath.Join(os.TempDir(), "crashtest-"+ids.New("log")+".log")}
	t.Cleanup(func() {
		if !t.Failed() {
			_ = os.Remove(e.logs)
		}
	})
	e.startSandboxes()
	e.start()
	t.Cleanup(e.stop)
	e.seed(ordersPer)
	e.login()

	var (
		sent, seen, lost atomic.Int64
		mu               sync.Mutex
		succeeded        = map[string]opKind{}
	)
	load := func(ctx context.Context, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 14))
		for ctx.Err() == nil {
			ord := e.orders[r.IntN(len(e.orders))]
			kind, id, status := e.randomOperation(ctx, r, ord)
			if status == "lost" {
				lost.Add(1)
			}
			if kind == "" {
				time.Sleep(20 * time.Millisecond) // server down or refused
				continue
			}
			sent.Add(1)
			if status == string(domain.OperationSucceeded) {
				seen.Add(1)
				mu.Lock()
				succeeded[id] = kind
				mu.Unlock()
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); load(ctx, uint64(w)+1) }()
	}
	if os.Getenv("CRASHTEST_FAULTS") != "0" {
		wg.Add(1)
		go func() { defer wg.Done(); e.faults(ctx) }()
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for k := range kills {
		time.Sleep(time.Duration(500+r.IntN(2500)) * time.Millisecond)
		t.Logf("kill %d of %d after %d calls", k+1, kills, sent.Load())
		e.kill()
		time.Sleep(time.Duration(r.IntN(500)) * time.Millisecond)
		e.start()
		e.login()
	}
	time.Sleep(time.Second)
	cancel()
	wg.Wait()

	pending := e.waitReconciled(90 * time.Second)
	divergences := e.compare(succeeded) + pending
	var ops, failed int
	for _, st := range []domain.OperationStatus{domain.OperationSucceeded, domain.OperationFailed} {
		n := e.d.Ent.Fulfilment.Query().Where(fulfilment.StatusEQ(st)).CountX(sys()) + e.d.Ent.Refund.Query().Where(refund.StatusEQ(st)).CountX(sys())
		ops += n
		if st == domain.OperationFailed {
			failed = n
		}
	}
	t.Logf("crash test: %d orders, %d kills, %d calls answered (%d SUCCEEDED), %d calls cut off by a kill, %d operations recorded (%d FAILED), %d left PENDING, %d divergences",
		len(e.orders), kills, sent.Load(), seen.Load(), lost.Load(), ops, failed, pending, divergences)
	if divergences > 0 {
		t.Fatalf("%d divergences; server log: %s", divergences, e.logs)
	}
}

func sys() context.Context { return auth.System(context.Background()) }

type opKind string

// startSandboxes serves the four sandboxes from the test process, their records in
// the test database (sandbox_records), as the server would.
func (e *env) startSandboxes() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	srv, err := net.Listen("tcp", "127.0.0.1:0") // reserve the server's port
	if err != nil {
		e.t.Fatal(err)
	}
	e.addr = srv.Addr().String()
	_ = srv.Close()
	e.sbURL, e.serverURL = "http://"+ln.Addr().String(), "http://"+e.addr
	e.sb = catalog.NewSandboxes(catalog.SandboxConfig{BaseURL: e.sbURL + "/sandbox", WebhookBaseURL: e.serverURL + "/webhooks",
		Secret: secret, Store: registry.SandboxStore{Client: e.d.Ent}})
	hs := &http.Server{Handler: e.sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	e.t.Cleanup(func() { e.sb.Close(); _ = hs.Close() })
}

// start runs the server and waits until it is ready.
func (e *env) start() {
	e.t.Helper()
	logf, err := os.OpenFile(e.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"=1", "DATABASE_URL="+e.dbURL, "LISTEN_ADDR="+e.addr,
		"BACKOFFICE_SECRET="+secret, "BACKOFFICE_ADMIN_EMAIL="+email, "BACKOFFICE_ADMIN_PASSWORD="+password,
		"PROVIDERS_MODE=sandbox", "SANDBOX_URL="+e.sbURL, "BACKOFFICE_PUBLIC_URL="+e.serverURL, "RECONCILE_AFTER=2s")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.cmd = cmd
	go func() { _ = cmd.Wait(); _ = logf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(e.serverURL + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("the server did not become ready; log: %s", e.logs)
}

// faults keeps one-shot sandbox faults coming on random calls of random providers
// (5xx, 409 conflict, a hang until the client gives up, latency) until ctx ends, so
// the kills meet operations half done at the provider too.
func (e *env) faults(ctx context.Context) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	kinds := []sandboxkit.FaultKind{sandboxkit.FaultStatus5xx, sandboxkit.FaultConflict, sandboxkit.FaultTimeout, sandboxkit.FaultLatency}
	ops := []string{sandboxkit.OpCapture, sandboxkit.OpRefund, sandboxkit.OpCancel}
	for _, f := range e.sb.Faults {
		f.MaxHang = 3 * time.Second
	}
	for ctx.Err() == nil {
		p := catalog.All[r.IntN(len(catalog.All))]
		f := sandboxkit.Fault{Operation: ops[r.IntN(len(ops))], Kind: kinds[r.IntN(len(kinds))], Count: 1}
		if f.Kind == sandboxkit.FaultLatency {
			f.Latency = time.Duration(200+r.IntN(1500)) * time.Millisecond
		}
		if _, err := e.sb.Faults[p].Add(f); err != nil {
			e.t.Errorf("fault: %v", err)
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(100+r.IntN(400)) * time.Millisecond):
		}
	}
	for _, f := range e.sb.Faults {
		f.Clear()
	}
}

// kill is kill -9.
func (e *env) kill() {
	if e.cmd != nil && e.cmd.Process != nil {
		_ = e.cmd.Process.Kill()
		for e.cmd.ProcessState == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (e *env) stop() {
	if e.cmd != nil && e.cmd.Process != nil && e.cmd.ProcessState == nil {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		done := time.Now().Add(20 * time.Second)
		for e.cmd.ProcessState == nil && time.Now().Before(done) {
			time.Sleep(20 * time.Millisecond)
		}
		e.kill()
	}
}

func (e *env) login() {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(e.serverURL+"/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		e.t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	e.token = out.Token
}

// seed writes a merchant activated with every provider and confirmed orders paid on
// the sandboxes' pages.
func (e *env) seed(ordersPer int) {
	e.t.Helper()
	ctx, c := sys(), e.d.Ent
	e.pspID = c.PSP.Query().OnlyIDX(ctx)
	mer := c.Merchant.Create().SetPspID(e.pspID).SetName("Crash Handel").SetCountry("EE").SetStatus("ACTIVE").SaveX(ctx)
	com := c.Company.Create().SetPspID(e.pspID).SetMerchantID(mer.ID).SetLegalName("Crash Handel OÜ").SetCountry("EE").
		SetIban("EE382200221020145685").SetPayoutSchedule(domain.PayoutDaily).SetPayNowDelayDays(3).SetPayLaterDelayDays(14).SaveX(ctx)
	shop := c.Shop.Create().SetPspID(e.pspID).SetMerchantID(mer.ID).SetName("Crash Shop").SaveX(ctx)
	for _, p := range catalog.All {
		client := e.client(p)
		m := providers.Merchant{CompanyID: com.ID, LegalName: com.LegalName, Country: "EE", IBAN: com.Iban, Email: "finance@crash.test"}
		if p == domain.ProviderBillie {
			m.Country, m.IBAN = "DE", "DE89370400440532013000"
		}
		act, err := client.ActivateMerchant(ctx, m)
		if err != nil || act.Status != providers.ActivationActive {
			e.t.Fatalf("activate %s: %+v %v", p, act, err)
		}
		c.ProviderActivation.Create().SetCompanyID(com.ID).SetProvider(p).SetStatus(domain.ActivationActive).
			SetExternalMerchantID(act.ExternalMerchantID).ExecX(ctx)
		for range ordersPer {
			e.orders = append(e.orders, e.order(p, mer, com, shop, act.ExternalMerchantID))
		}
	}
}

func (e *env) client(p domain.Provider) providers.Provider {
	c, err := catalog.Client(p, e.sb.Account(e.pspID, p), http.DefaultClient)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// order is a confirmed order of two lines, one of them fractional.
func (e *env) order(p domain.Provider, mer *ent.Merchant, com *ent.Company, shop *ent.Shop, merchantID string) *ent.Order {
	ctx := sys()
	id := ids.New("ord")
	lines := []providers.Line{
		{SKU: "A", Name: "Item A", Quantity: money.MustQuantity("6"), UnitPrice: money.MustParse("30.00", "EUR"), VATRateBps: 2200, Total: money.MustParse("180.00", "EUR")},
		{SKU: "B", Name: "Item B", Quantity: money.MustQuantity("2.5"), UnitPrice: money.MustParse("33.33", "EUR"), VATRateBps: 700, Total: money.MustParse("83.33", "EUR")},
	}
	total := money.MustParse("263.33", "EUR")
	pt := domain.ProductPayNowCard
	if p == domain.ProviderBillie || p == domain.ProviderPaywerk {
		pt = domain.ProductInvoice
	}
	billing := providers.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"}
	if p == domain.ProviderBillie {
		billing = providers.Address{Street: "Charlottenstr. 4", City: "Berlin", PostalCode: "10969", Country: "DE"}
	}
	req := providers.SessionRequest{OrderID: id, Reference: id, ExternalMerchantID: merchantID, ProductType: domain.ProductType(pt),
		Amount: total, Lines: lines, Billing: billing, SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed",
		NotifyURL: e.serverURL + "/webhooks/" + p.Slug(),
		Shopper: providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+37255555555",
			CompanyName: "Jane's Workshop GmbH", Lang: "en"}}
	form := sandboxkit.PageForm{Action: sandboxkit.ActionApprove}
	if p == domain.ProviderPaywerk {
		req.ProductType, req.ProductTypes, form.ProductType = "", []domain.ProductType{domain.ProductType(pt)}, string(pt)
	}
	sess, err := e.client(p).CreateSession(ctx, req)
	if err != nil {
		e.t.Fatalf("%s session: %v", p, err)
	}
	if _, _, err := conformance.CompletePage(ctx, sess.RedirectURL, form); err != nil {
		e.t.Fatalf("%s page: %v", p, err)
	}
	ord := e.d.Ent.Order.Create().SetID(id).SetPspID(e.pspID).SetMerchantID(mer.ID).SetCompanyID(com.ID).SetShopID(shop.ID).
		SetProvider(p).SetProductType(pt).SetReference("CRASH-" + id).SetStatus(order.StatusCONFIRMED).SetCurrency("EUR").
		SetInitialAmountMinor(total.Minor()).SetAmountMinor(total.Minor()).SetProviderReference(sess.ProviderReference).
		SetBillingAddress(domain.Address{Country: billing.Country}).SetConfirmedAt(time.Now()).SaveX(ctx)
	for i, l := range lines {
		e.d.Ent.OrderItem.Create().SetOrderID(id).SetPosition(i).SetSku(l.SKU).SetName(l.Name).SetQuantity(l.Quantity).
			SetCurrency("EUR").SetUnitPriceMinor(l.UnitPrice.Minor()).SetVatRateBps(l.VATRateBps).SetTotalMinor(l.Total.Minor()).ExecX(ctx)
	}
	return ord
}

// randomOperation sends one fulfilOrder or refundOrder through the API; kind is ""
// when nothing was answered (server down) or the request was refused.
func (e *env) randomOperation(ctx context.Context, r *rand.Rand, ord *ent.Order) (opKind, string, string) {
	var (
		mutation, field string
		items           []map[string]string
	)
	switch r.IntN(5) {
	case 0, 1:
		mutation, field = "fulfilOrder(input: $in) { fulfilment { id status } userErrors { code } }", "fulfilOrder"
		items = []map[string]string{{"sku": "A", "quantity": "1"}}
		if r.IntN(2) == 0 {
			items = []map[string]string{{"sku": "B", "quantity": "0.5"}}
		}
	case 2, 3:
		mutation, field = "refundOrder(input: $in) { refund { id status } userErrors { code } }", "refundOrder"
		items = []map[string]string{{"sku": "A", "refundType": "RETURN", "quantity": "1"}}
		if r.IntN(2) == 0 {
			items = append(items, map[string]string{"sku": "B", "refundType": "CANCEL", "quantity": "0.5"})
		}
	default:
		mutation, field = "refundOrder(input: $in) { refund { id status } userErrors { code } }", "refundOrder"
		items = []map[string]string{{"sku": "B", "refundType": "RETURN", "quantity": "0.5"}}
	}
	body, _ := json.Marshal(map[string]any{
		"query":     "mutation($in: " + map[string]string{"fulfilOrder": "FulfilOrderInput!", "refundOrder": "RefundOrderInput!"}[field] + ") { " + mutation + " }",
		"variables": map[string]any{"in": map[string]any{"orderId": ord.ID, "items": items, "idempotencyKey": ids.New("k")}},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.serverURL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, syscall.ECONNREFUSED) {
			return "", "", "lost" // the server died with the request in flight
		}
		return "", "", ""
	}
	defer resp.Body.Close()
	var out struct {
		Data map[string]struct {
			Fulfilment *struct{ ID, Status string }
			Refund     *struct{ ID, Status string }
		}
	}
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return "", "", ""
	}
	p := out.Data[field]
	switch {
	case p.Fulfilment != nil:
		return "fulfilment", p.Fulfilment.ID, p.Fulfilment.Status
	case p.Refund != nil:
		return "refund", p.Refund.ID, p.Refund.Status
	}
	return "", "", ""
}

// dump logs an order's operations with their steps, to read a divergence.
func (e *env) dump(orderID string) {
	ctx, c := sys(), e.d.Ent
	for _, f := range c.Fulfilment.Query().Where(fulfilment.OrderID(orderID)).Order(ent.Asc(fulfilment.FieldCreatedAt)).AllX(ctx) {
		b, _ := json.Marshal(f.Steps)
		e.t.Logf("  %s %s %d attempts=%d reason=%q steps=%s", f.ID, f.Status, f.AmountMinor, f.Attempts, f.FailureReason, b)
	}
	for _, r := range c.Refund.Query().Where(refund.OrderID(orderID)).Order(ent.Asc(refund.FieldCreatedAt)).AllX(ctx) {
		b, _ := json.Marshal(r.Steps)
		e.t.Logf("  %s %s %d (ret %d cnl %d) attempts=%d reason=%q steps=%s", r.ID, r.Status, r.AmountMinor, r.ReturnAmountMinor,
			r.CancelAmountMinor, r.Attempts, r.FailureReason, b)
	}
}

// waitReconciled waits until no operation is PENDING and answers how many still are.
func (e *env) waitReconciled(limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		n := e.d.Ent.Fulfilment.Query().Where(fulfilment.StatusEQ(domain.OperationPending)).CountX(sys()) +
			e.d.Ent.Refund.Query().Where(refund.StatusEQ(domain.OperationPending)).CountX(sys())
		if n == 0 || time.Now().After(deadline) {
			if n > 0 {
				e.t.Errorf("%d operations still PENDING after %s", n, limit)
			}
			return n
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// compare checks every order against its sandbox and every success the client saw
// against our records, and answers the number of divergences.
func (e *env) compare(succeeded map[string]opKind) int {
	ctx, c := sys(), e.d.Ent
	bad := 0
	for id, kind := range succeeded {
		var st domain.OperationStatus
		if kind == "fulfilment" {
			st = c.Fulfilment.GetX(ctx, id).Status
		} else {
			st = c.Refund.GetX(ctx, id).Status
		}
		if st != domain.OperationSucceeded {
			e.t.Errorf("%s %s answered SUCCEEDED, recorded %s", kind, id, st)
			bad++
		}
	}
	for _, o := range e.orders {
		ord := c.Order.GetX(ctx, o.ID)
		st, err := e.client(ord.Provider).FetchStatus(ctx, ord.ProviderReference)
		if err != nil {
			e.t.Errorf("%s status of %s: %v", ord.Provider, ord.ID, err)
			bad++
			continue
		}
		var returned int64
		for _, r := range c.Refund.Query().Where(refund.OrderID(ord.ID), refund.StatusEQ(domain.OperationSucceeded)).AllX(ctx) {
			returned += r.ReturnAmountMinor
		}
		if st.Captured.Minor() != ord.FulfilledAmountMinor || st.Refunded.Minor() != returned || st.Amount.Minor() != ord.AmountMinor {
			e.t.Errorf("order %s at %s: captured %s refunded %s owed %s; we: fulfilled %d returned %d owed %d", ord.ID, ord.Provider,
				st.Captured, st.Refunded, st.Amount, ord.FulfilledAmountMinor, returned, ord.AmountMinor)
			e.dump(ord.ID)
			bad++
		}
		items := c.OrderItem.Query().Where(orderitem.OrderID(ord.ID)).AllX(ctx)
		for _, is := range st.Items {
			for _, it := range items {
				if it.Sku == is.SKU && (it.FulfilledQuantity != is.Fulfilled || it.CancelledQuantity != is.Cancelled || it.ReturnedQuantity != is.Returned) {
					e.t.Errorf("order %s item %s at %s: fulfilled %s cancelled %s returned %s; we: %s %s %s", ord.ID, it.Sku, ord.Provider,
						is.Fulfilled, is.Cancelled, is.Returned, it.FulfilledQuantity, it.CancelledQuantity, it.ReturnedQuantity)
					e.dump(ord.ID)
					bad++
				}
			}
		}
	}
	return bad
}
