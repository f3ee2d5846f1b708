package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

const secret = "instances-test-secret-0123456789abcdef0123456789abcdef"

// instance is one app serving on its own port, like one of several instances
// behind a load balancer on one database.
type instance struct {
	app *app.App
	url string
	srv *httptest.Server
}

func startInstance(t *testing.T, d *db.DB, adjust ...func(*config.Config)) *instance {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DatabaseURL: d.URL, DatabasePooler: d.Options().Pooler, ListenAddr: ln.Addr().String(),
		Secret: secret, ProvidersMode: "sandbox", DataDir: t.TempDir(), PublicURL: "http://" + ln.Addr().String()}
	for _, f := range adjust {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	in := &instance{app: a, url: srv.URL, srv: srv}
	t.Cleanup(in.stop)
	return in
}

func (in *instance) stop() {
	if in.srv != nil {
		in.srv.Close()
		_ = in.app.Close()
		in.srv = nil
	}
}

// TestStartingInstanceLeavesSandboxAccountsAlone: a second instance starting on the
// same database (with its own address) neither rewrites the sandbox accounts nor
// takes over the first one's provider calls, so stopping it leaves the first
// working. Before, every start stored its own URL in provider_accounts.base_url and
// every instance then called the last one started.
func TestStartingInstanceLeavesSandboxAccountsAlone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.System(context.Background())
		psp, err := d.Ent.PSP.Create().SetName("PSP").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := startInstance(t, d)
		stored := d.Ent.ProviderAccount.Query().Order().AllX(ctx)
		if len(stored) == 0 {
			t.Fatal("no sandbox accounts after the first start")
		}
		b := startInstance(t, d)
		b.stop()
		for _, before := range stored {
			after := d.Ent.ProviderAccount.GetX(ctx, before.ID)
			if after.BaseURL != before.BaseURL || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("%s account rewritten by another start: %s → %s", before.Provider, before.BaseURL, after.BaseURL)
			}
		}
		acct, err := a.app.Registry.Account(ctx, psp.ID, domain.ProviderPaywerk)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(acct.BaseURL, a.url+"/sandbox/") {
			t.Errorf("instance A calls the sandbox at %s, not at its configured %s", acct.BaseURL, a.url)
		}
		p, err := a.app.Registry.For(ctx, psp.ID, domain.ProviderPaywerk)
		if err != nil {
			t.Fatal(err)
		}
		// An unknown payment: the sandbox answers (not found); a stopped instance
		// would not answer at all.
		if _, err := p.FetchStatus(ctx, "pay_unknown"); err != nil && strings.Contains(err.Error(), "connection refused") {
			t.Errorf("instance A's provider call went to the stopped instance: %v", err)
		}
	})
}

// TestSimultaneousColdStarts: three instances starting at once on an empty
// PostgreSQL database all migrate and start (the migration lock, internal/db).
// Before, all but one failed creating the same tables.
func TestSimultaneousColdStarts(t *testing.T) {
	dbURL := testdb.EmptyPostgres(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			d, err := db.OpenWith(dbURL, testdb.Options())
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			errs <- d.Migrate(context.Background())
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("a simultaneous start failed: %v", err)
		}
	}
	d, err := db.OpenWith(dbURL, testdb.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	startInstance(t, d)
}

// TestLoginLimitsSharedAcrossInstances: failed logins count on PostgreSQL, so two
// instances together allow one account × address its 10 failures, not 10 each.
// Before, each instance counted in its own memory.
func TestLoginLimitsSharedAcrossInstances(t *testing.T) {
	d := testdb.Postgres(t)
	a, b := startInstance(t, d), startInstance(t, d)
	login := func(in *instance) int {
		body := strings.NewReader(`{"email":"nobody@example.com","password":"wrong-password-1"}`)
		resp, err := http.Post(in.url+"/auth/login", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range auth.DefaultLimits.PerAccount {
		in := a
		if i%2 == 1 {
			in = b
		}
		if status := login(in); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, status)
		}
	}
	for _, in := range []*instance{a, b} {
		if status := login(in); status != http.StatusTooManyRequests {
			t.Errorf("after %d failures across both instances: %d, want 429", auth.DefaultLimits.PerAccount, status)
		}
	}
}
