// Package security_test reproduces, against the whole product over real HTTP, each
// way in that issue 15 found at the front door, and checks it stays closed: one file
// per finding. It runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
package security_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
)

const secret = "security-test-secret-0123456789abcdef0123456789abcdef"

// harness is the product serving over HTTP on a test database with the tenant world
// of tenanttest written into it.
type harness struct {
	t     *testing.T
	app   *app.App
	url   string
	world *tenanttest.World
	logs  *syncBuffer
	mu    sync.Mutex
	token map[string]string // actor → Bearer credential, logged in on first use
}

// start serves the product; adjust changes the configuration first.
func start(t *testing.T, d *db.DB, adjust ...func(*config.Config)) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := config.Config{DatabaseURL: d.URL, DatabasePooler: d.Options().Pooler, ListenAddr: ln.Addr().String(), Secret: secret,
		ProvidersMode: "sandbox", DataDir: t.TempDir(), PublicURL: "http://" + ln.Addr().String()}
	for _, f := range adjust {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = a.Close() })
	h := &harness{t: t, app: a, url: srv.URL, logs: logs, token: map[string]string{}}
	h.world = tenanttest.Build(t, a.DB.Ent, auth.NewKeyHasher(secrets.Derive(secret, "api-key-pepper")), auth.EnvTest)
	return h
}

// credential answers an actor's Bearer credential: its API key, or a login token.
func (h *harness) credential(actor string) string {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if tok, ok := h.token[actor]; ok {
		return tok
	}
	a := h.world.Actors[actor]
	if a == nil {
		h.t.Fatalf("no actor %s", actor)
	}
	tok := a.Key
	if tok == "" {
		resp := h.do("POST", "/auth/login", "", jsonBody(map[string]string{"email": a.Email, "password": tenanttest.Password}), nil)
		if resp.status != http.StatusOK {
			h.t.Fatalf("login %s: %d %s", actor, resp.status, resp.body)
		}
		var out struct{ Token string }
		_ = json.Unmarshal(resp.body, &out)
		tok = out.Token
	}
	h.token[actor] = tok
	return tok
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func jsonBody(v any) io.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

// do sends a request with an optional Bearer token; a body is sent as JSON.
func (h *harness) do(method, path, token string, body io.Reader, header http.Header) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: b, header: resp.Header}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// jsonRaw is a body sent verbatim.
type jsonRaw string

func (j jsonRaw) MarshalJSON() ([]byte, error) { return []byte(j), nil }

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

func mustListen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
