// Package bench measures a running server on a large data set (`backoffice seed
// --orders N`) against the database's own lower bounds, in one run, and prints the
// table the README's performance section quotes (`backoffice bench`).
//
// The decision a reader would otherwise rediscover: every number has a bound beside
// it, measured in the same run on the same machine, interleaved request by request,
// because this machine is shared and absolute milliseconds say little on their own.
// An order page is timed through the real HTTP server (login, @auth, privacy rules,
// gqlgen, JSON) and compared with the one hand-written SQL statement that reads the
// same rows; the number of SQL statements per request and their plans come from the
// same GraphQL query run once in this process on a recording ent driver (the server
// cannot be asked, and pg_stat_statements needs a server restart). Fulfil and refund
// throughput runs the product's own mutations with 32 clients on orders the harness
// creates and has approved on the sandbox payment page first (the bulk rows are not
// known to the provider sandboxes). The settlement run is measured once per day (a
// run changes the data), beside a rolled-back statement doing the work no run can
// avoid. Nothing here asserts a number: timings are reported, never tested.
package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/bulkseed"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// JudgePlansFrom is the data set size from which the report judges plans: below it
// PostgreSQL rightly reads small tables whole.
const JudgePlansFrom = 50000

// Config is what a run measures and how hard.
type Config struct {
	URL string // the running server
	DB  *db.DB // its database (DATABASE_URL), PostgreSQL
	PID int    // the server's process for its memory; 0 finds the listener of URL's port

	Requests int // timed requests per read (default 200)
	Warmup   int // untimed requests before them (default 20)
	Clients  int // concurrent clients for fulfil and refund (default 32)
	Ops      int // orders created, fulfilled and refunded (default 2000); 0 skips
	Settle   bool

	AdminEmail, MerchantEmail, SmallMerchantEmail, Password string

	Log io.Writer // progress lines (stderr)
}

// Report is everything one run measured.
type Report struct {
	Started               time.Time
	Machine               string
	DataSet               string
	Server                string
	Reads                 []ReadResult
	Ops                   *OpsResult
	Settle                *SettleResult
	PeakRSS, MaxRSS       int64 // KiB: VmHWM at the end; the largest VmRSS sampled during the run
	EndRSS                int64
	MemoryNote            string
	KeyNote               string // why the API key read was not measured
	Peaks                 []PhasePeak
	Took                  time.Duration
	OrdersInDB, ItemsInDB int64
}

func (c *Config) defaults() {
	if c.Requests <= 0 {
		c.Requests = 200
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	} else if c.Warmup == 0 {
		c.Warmup = 20
	}
	if c.Clients <= 0 {
		c.Clients = 32
	}
	if c.AdminEmail == "" {
		c.AdminEmail = bulkseed.AdminEmail
	}
	if c.MerchantEmail == "" {
		c.MerchantEmail = bulkseed.MerchantAdminEmail(1)
	}
	if c.Password == "" {
		c.Password = bulkseed.Password
	}
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// Run measures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.defaults()
	if cfg.DB == nil || !cfg.DB.IsPostgres() {
		return nil, errors.New("bench: DATABASE_URL must be the server's PostgreSQL database")
	}
	rep := &Report{Started: time.Now().UTC(), Machine: machine(ctx, cfg.DB)}
	start := time.Now()
	sqldb := cfg.DB.SQL
	if err := sqldb.QueryRowContext(ctx, "SELECT COUNT(*), (SELECT COUNT(*) FROM order_items) FROM orders").
		Scan(&rep.OrdersInDB, &rep.ItemsInDB); err != nil {
		return nil, err
	}
	rep.DataSet = dataSet(ctx, cfg.DB)
	pid := cfg.PID
	if pid == 0 {
		if u, err := url.Parse(cfg.URL); err == nil {
			if port, err := strconv.Atoi(u.Port()); err == nil {
				if pid, err = FindListener(port); err != nil {
					rep.MemoryNote = err.Error()
				}
			}
		}
	}
	rep.Server = cfg.URL
	if pid > 0 {
		rep.Server += fmt.Sprintf(" (pid %d)", pid)
	}
	watch := watchMemory(pid, 200*time.Millisecond)
	before, _ := ReadMemory(pid)
	// Logins verify passwords with argon2id, which takes its memory parameter (64 MiB)
	// per login: they get their own phase so the reads' memory is seen apart.
	watch.Phase("logins")

	c := NewClient(cfg.URL, cfg.Clients)
	adminToken, err := c.Login(ctx, cfg.AdminEmail, cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("bench: %w (seed the data set with `backoffice seed --orders N` and pass its logins)", err)
	}
	admin := c.WithToken(adminToken)
	schema, err := admin.Introspect(ctx)
	if err != nil {
		return nil, err
	}
	adminP, err := UserPrincipal(ctx, sqldb, true, cfg.AdminEmail)
	if err != nil {
		return nil, err
	}

	scenarios, err := readScenarios(ctx, cfg, adminP)
	if err != nil {
		return nil, err
	}
	ip := NewInProcess(cfg.DB)
	tokens := map[string]*Client{cfg.AdminEmail: admin}
	login := func(email string) (*Client, error) {
		if cl := tokens[email]; cl != nil {
			return cl, nil
		}
		tok, err := c.Login(ctx, email, cfg.Password)
		if err != nil {
			return nil, err
		}
		tokens[email] = c.WithToken(tok)
		return tokens[email], nil
	}
	if s, err := keyScenario(ctx, cfg, login); err != nil {
		rep.KeyNote = err.Error()
	} else {
		scenarios = append(scenarios, s)
	}
	for _, s := range scenarios {
		if s.Key == nil {
			if _, err := login(s.Email); err != nil {
				return nil, err
			}
		}
	}
	// Let the server hand the logins' memory back before the reads are watched: its
	// heap shrinks at the next garbage collection, which untimed reads bring about.
	watch.Phase("after the logins (untimed reads)")
	warm := map[string]any{"first": PageSize}
	for deadline := time.Now().Add(30 * time.Second); pid > 0 && time.Now().Before(deadline); {
		if m, err := ReadMemory(pid); err != nil || m.RSS <= before.RSS*13/10+10*1024 {
			break
		}
		if _, err := admin.Do(ctx, OrdersPage, warm, nil); err != nil {
			return nil, err
		}
	}
	for _, s := range scenarios {
		var cl *Client
		var p *auth.Principal
		if s.Key != nil {
			cl, p = c.WithToken(s.Key.Secret), s.Key.Principal
		} else {
			if cl, err = login(s.Email); err != nil {
				return nil, err
			}
			if p, err = UserPrincipal(ctx, sqldb, true, s.Email); err != nil {
				return nil, err
			}
		}
		cfg.logf("read: %s", s.Name)
		watch.Phase("read: " + s.Name)
		r := measureRead(ctx, cl, sqldb, ip, p, s, cfg.Warmup, cfg.Requests, pid, rep.OrdersInDB >= JudgePlansFrom)
		rep.Reads = append(rep.Reads, r)
	}

	if cfg.Ops > 0 {
		cfg.logf("fulfil and refund: creating %d orders through the API with %d clients", cfg.Ops, cfg.Clients)
		watch.Phase("orders created, fulfilled and refunded")
		target, err := findOpsTarget(ctx, sqldb, cfg.MerchantEmail)
		if err != nil {
			rep.Ops = &OpsResult{Gap: err.Error()}
		} else {
			r := runOps(ctx, tokens[cfg.MerchantEmail], sqldb, schema, target, cfg.Ops, cfg.Clients, pid, cfg.logf)
			rep.Ops = &r
		}
	}

	if cfg.Settle {
		cfg.logf("settlement: today's run and the overview")
		watch.Phase("settlement run and overview")
		r := runSettlement(ctx, admin, cfg.DB, schema)
		if schema.HasField("Query", "settlementOverview") {
			co, err := largestCompany(ctx, cfg.DB, adminP.PSPID, "DESC")
			if err == nil {
				to := domain.Today()
				from := to.AddDays(-90)
				q := fmt.Sprintf(`query BenchOverview($c: ID!, $from: Date!, $to: Date!) { settlementOverview(companyId: $c, from: $from, to: $to) %s }`,
					schema.Selection("SettlementOverview", 3, "company"))
				s := ReadScenario{Name: "settlementOverview, 90 days, largest company (PSP admin)", Email: cfg.AdminEmail, Query: q,
					Vars: map[string]any{"c": co, "from": string(from), "to": string(to)}, Bound: overviewBound(co, from, to)}
				r.Overview = measureRead(ctx, admin, sqldb, nil, nil, s, max(cfg.Warmup/4, 2), max(cfg.Requests/4, 20), pid, false)
			} else {
				r.OverviewGap = err.Error()
			}
		} else {
			r.OverviewGap = "the server has no settlementOverview query"
		}
		rep.Settle = &r
	}

	rep.MaxRSS, _ = watch.Stop()
	rep.Peaks = watch.Peaks()
	if pid > 0 {
		if m, err := ReadMemory(pid); err == nil {
			rep.PeakRSS, rep.EndRSS = m.HWM, m.RSS
		} else {
			rep.MemoryNote = err.Error()
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// readScenarios are the order pages measured: the web UI's newest-first list as PSP
// staff and as merchants (largest and smallest), filtered by status and company,
// deep in the list behind a cursor, the API's default order, and the UI's own query.
func readScenarios(ctx context.Context, cfg Config, admin *auth.Principal) ([]ReadScenario, error) {
	d := cfg.DB
	big, err := largestCompany(ctx, d, admin.PSPID, "DESC")
	if err != nil {
		return nil, err
	}
	small, err := largestCompany(ctx, d, admin.PSPID, "ASC")
	if err != nil {
		return nil, err
	}
	if cfg.SmallMerchantEmail == "" {
		if err := d.SQL.QueryRowContext(ctx, `SELECT u.email FROM users u JOIN companies c ON c.merchant_id = u.merchant_id
WHERE c.id = $1 AND u.role = 'MERCHANT_ADMIN' ORDER BY u.email LIMIT 1`, small).Scan(&cfg.SmallMerchantEmail); err != nil {
			return nil, fmt.Errorf("the smallest company's merchant admin: %w", err)
		}
	}
	merchantOf := func(email string) (string, error) {
		var m string
		err := d.SQL.QueryRowContext(ctx, "SELECT merchant_id FROM users WHERE email = $1", email).Scan(&m)
		return m, err
	}
	bigMerchant, err := merchantOf(cfg.MerchantEmail)
	if err != nil {
		return nil, fmt.Errorf("merchant admin %s: %w", cfg.MerchantEmail, err)
	}
	smallMerchant, err := merchantOf(cfg.SmallMerchantEmail)
	if err != nil {
		return nil, err
	}
	var total int64
	if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE psp_id = $1", admin.PSPID).Scan(&total); err != nil {
		return nil, err
	}
	var deepID string
	var deepAt time.Time
	if err := d.SQL.QueryRowContext(ctx, `SELECT id, created_at FROM orders WHERE psp_id = $1
ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`, admin.PSPID, total/2).Scan(&deepID, &deepAt); err != nil {
		return nil, err
	}
	newest := map[string]any{"field": "CREATED_AT", "direction": "DESC"}
	page := func(extra map[string]any) map[string]any {
		v := map[string]any{"first": PageSize, "orderBy": newest}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	confirmedOf := func(co string) map[string]any { return map[string]any{"companyID": co, "status": "CONFIRMED"} }
	return []ReadScenario{
		{Name: "PSP admin: newest 50, unfiltered", Email: cfg.AdminEmail, Query: OrdersPage, Vars: page(nil),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, newestFirst: true})},
		{Name: "PSP admin: newest 50 CONFIRMED of the largest company", Email: cfg.AdminEmail, Query: OrdersPage,
			Vars:  page(map[string]any{"where": confirmedOf(big)}),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, companyID: big, status: "CONFIRMED", newestFirst: true})},
		{Name: "PSP admin: newest 50 CONFIRMED of the smallest company", Email: cfg.AdminEmail, Query: OrdersPage,
			Vars:  page(map[string]any{"where": confirmedOf(small)}),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, companyID: small, status: "CONFIRMED", newestFirst: true})},
		{Name: fmt.Sprintf("PSP admin: 50 after a cursor half-way down (order %d of %d)", total/2, total), Email: cfg.AdminEmail,
			Query: OrdersPage, Vars: page(map[string]any{"after": cursorOf(deepID, deepAt)}),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, newestFirst: true, afterCreated: deepAt, afterID: deepID})},
		{Name: "PSP admin: first 50 by id (the API's default order), CONFIRMED of the largest company", Email: cfg.AdminEmail,
			Query: OrdersPage, Vars: map[string]any{"first": PageSize, "where": confirmedOf(big)},
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, companyID: big, status: "CONFIRMED"})},
		{Name: "merchant admin (largest merchant): newest 50", Email: cfg.MerchantEmail, Query: OrdersPage, Vars: page(nil),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, merchantID: bigMerchant, newestFirst: true})},
		{Name: "merchant admin (smallest merchant): newest 50", Email: cfg.SmallMerchantEmail, Query: OrdersPage, Vars: page(nil),
			Bound: ordersBound(boundFilter{pspID: admin.PSPID, merchantID: smallMerchant, newestFirst: true})},
		{Name: "web UI's order list: newest 25 (PSP admin)", Email: cfg.AdminEmail, Query: UIOrdersList,
			Vars: map[string]any{"first": 25}, Bound: listBound(admin.PSPID)},
	}, nil
}

// keyScenario is the API's default page as an integrator's API key of the largest
// company (and its busiest shop) reads it.
func keyScenario(ctx context.Context, cfg Config, login func(string) (*Client, error)) (ReadScenario, error) {
	d := cfg.DB.SQL
	var companyID, shopID, pspID string
	if err := d.QueryRowContext(ctx, `SELECT o.company_id, o.shop_id, o.psp_id FROM orders o JOIN users u ON u.merchant_id = o.merchant_id
WHERE u.email = $1 GROUP BY 1, 2, 3 ORDER BY COUNT(*) DESC LIMIT 1`, cfg.MerchantEmail).Scan(&companyID, &shopID, &pspID); err != nil {
		return ReadScenario{}, fmt.Errorf("the largest merchant's busiest company and shop: %w", err)
	}
	merchant, err := login(cfg.MerchantEmail)
	if err != nil {
		return ReadScenario{}, err
	}
	key, err := createAPIKey(ctx, merchant, d, companyID, shopID)
	if err != nil {
		return ReadScenario{}, err
	}
	return ReadScenario{Name: "API key (largest company, its busiest shop): first 50 by id (the API's default order)",
		Key: key, Query: OrdersPage, Vars: map[string]any{"first": PageSize},
		Bound: ordersBound(boundFilter{pspID: pspID, companyID: companyID, shopID: shopID})}, nil
}

// largestCompany answers the PSP's company with the most orders (dir DESC) or the
// fewest (ASC).
func largestCompany(ctx context.Context, d *db.DB, pspID, dir string) (string, error) {
	var id string
	err := d.SQL.QueryRowContext(ctx, `SELECT company_id FROM orders WHERE psp_id = $1 GROUP BY company_id
ORDER BY COUNT(*) `+dir+`, company_id LIMIT 1`, pspID).Scan(&id)
	return id, err
}

// machine describes where the run happens.
func machine(ctx context.Context, d *db.DB) string {
	var version string
	_ = d.SQL.QueryRowContext(ctx, "SHOW server_version").Scan(&version)
	mem := "?"
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kib, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				mem = fmt.Sprintf("%.1f GiB", float64(kib)/1024/1024)
			}
		}
		_ = f.Close()
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%d CPUs, %s RAM, load average %s at the start (shared machine), PostgreSQL %s, %s",
		runtime.NumCPU(), mem, load, version, runtime.Version())
}

func dataSet(ctx context.Context, d *db.DB) string {
	var orders, items, fulfilments, refunds, settlements, merchants int64
	_ = d.SQL.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_items),
  (SELECT COUNT(*) FROM fulfilments), (SELECT COUNT(*) FROM refunds), (SELECT COUNT(*) FROM settlements),
  (SELECT COUNT(*) FROM merchants)`).Scan(&orders, &items, &fulfilments, &refunds, &settlements, &merchants)
	return fmt.Sprintf("%s orders (%s items, %s fulfilments, %s refunds), %s merchants, %s settlements",
		thousands(orders), thousands(items), thousands(fulfilments), thousands(refunds), thousands(merchants), thousands(settlements))
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
