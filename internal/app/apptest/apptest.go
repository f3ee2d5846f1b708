// Package apptest serves the whole product (internal/app) over real HTTP on a test
// database with the tenant world of internal/tenant/tenanttest written into it. The
// isolation and security suites drive it from the outside; both start it here so the
// way the product is wired for a test is written once.
package apptest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
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
