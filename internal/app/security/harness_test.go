// Package security_test reproduces, against the whole product over real HTTP, each
// way in that issue 15 found at the front door, and checks it stays closed: one file
// per finding. It runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
package security_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/app/apptest"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

const secret = "security-test-secret-0123456789abcdef0123456789abcdef"

// harness is the product serving over HTTP on a test database with the tenant world
// of tenanttest written into it.
type harness struct {
	t     *testing.T
	app   *app.App
	url   string
	srv   *apptest.Server
	world *tenanttest.World
	logs  *apptest.LogBuffer
	mu    sync.Mutex
	token map[string]string // actor → Bearer credential, logged in on first use
}

// start serves the product; adjust changes the configuration first.
func start(t *testing.T, d *db.DB, adjust ...func(*config.Config)) *harness {
	t.Helper()
	s := apptest.Start(t, d, secret, adjust...)
	return &harness{t: t, app: s.App, url: s.URL, srv: s, world: s.World, logs: s.Logs, token: map[string]string{}}
}

// serve runs test on each test database (internal/testdb) with the product started
// on it, as most findings need nothing more.
func serve(t *testing.T, test func(t *testing.T, h *harness)) {
	testdb.Each(t, func(t *testing.T, d *db.DB) { test(t, start(t, d)) })
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
	resp, b := h.srv.Do(h.t, method, path, token, body, header)
	return response{status: resp.StatusCode, body: b, header: resp.Header}
}

// gqlAnswer is the GraphQL answer of apptest.
type gqlAnswer = apptest.GQLAnswer

// gql runs a document as an actor ("" for anonymous).
func (h *harness) gql(actor, query string, vars map[string]any) gqlAnswer {
	h.t.Helper()
	token := ""
	if actor != "" {
		token = h.credential(actor)
	}
	return h.srv.GQL(h.t, token, query, vars)
}

// jsonUnmarshal decodes the data of a GraphQL body.
func jsonUnmarshal(body string, v any) error {
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Data, v)
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
