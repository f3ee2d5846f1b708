// Package apptest serves the whole product (internal/app) over real HTTP on a test
// database with the tenant world of internal/tenant/tenanttest written into it. The
// isolation and security suites drive it from the outside; both start it here so the
// way the product is wired for a test is written once.
package apptest

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

// Server is the product listening on a loopback port until the test ends.
type Server struct {
	App   *app.App
	URL   string
	World *tenanttest.World
	Logs  *LogBuffer // every log record, JSON, at debug level
}

// Start serves the product on d with the given secret (it also peppers the world's
// API keys); adjust changes the configuration first.
func Start(t *testing.T, d *db.DB, secret string, adjust ...func(*config.Config)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := config.Config{DatabaseURL: d.URL, DatabasePooler: d.Options().Pooler, DatabaseReplicaURL: d.Options().Replica, ListenAddr: ln.Addr().String(), Secret: secret,
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
	world := tenanttest.Build(t, a.DB.Ent, auth.NewKeyHasher(secrets.Derive(secret, "api-key-pepper")), auth.EnvTest)
	return &Server{App: a, URL: srv.URL, World: world, Logs: logs}
}

// Do sends a request to the server with an optional Bearer token, extra headers and
// cookies; a body is sent as JSON. It answers the response and its body, read.
func (s *Server) Do(t testing.TB, method, path, token string, body io.Reader, header http.Header, cookies ...*http.Cookie) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
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
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// GQL posts a GraphQL document with its variables and an optional Bearer token and
// decodes the answer.
func (s *Server) GQL(t testing.TB, token, query string, vars map[string]any) GQLAnswer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	resp, b := s.Do(t, "POST", "/graphql", token, bytes.NewReader(body), nil)
	var a GQLAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("GraphQL answered %d %q", resp.StatusCode, b)
	}
	a.Status, a.Body = resp.StatusCode, string(b)
	return a
}

// GQLError is one entry of a GraphQL answer's errors.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code answers the error's extensions.code.
func (e GQLError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// GQLAnswer is a GraphQL answer with its HTTP status and raw body.
type GQLAnswer struct {
	Status     int
	Body       string
	Data       map[string]json.RawMessage `json:"data"`
	Errors     []GQLError                 `json:"errors"`
	Extensions map[string]any             `json:"extensions"`
}

// Codes lists the answer's error codes.
func (a GQLAnswer) Codes() []string {
	var out []string
	for _, e := range a.Errors {
		out = append(out, e.Code())
	}
	return out
}

// MustData fails the test on any error.
func (a GQLAnswer) MustData(t testing.TB) GQLAnswer {
	t.Helper()
	if len(a.Errors) > 0 {
		t.Fatalf("GraphQL errors: %s", a.Body)
	}
	return a
}

// Field decodes one top-level field of the data.
func (a GQLAnswer) Field(t testing.TB, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(a.Data[name], v); err != nil {
		t.Fatalf("decode %s: %v in %s", name, err, a.Body)
	}
}

// LogBuffer is a log sink that tests read while the server writes.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
