// Package isolation_test runs the whole product (internal/app) over real HTTP and
// checks identity and tenant isolation from the outside: logins, API keys,
// invitations, roles and scopes, the audit trail, and that no principal reaches
// another tenant's objects through any query, mutation or node of the schema.
package isolation_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/app/apptest"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

const secret = "isolation-test-secret-0123456789abcdef0123456789abcdef"

// harness is the product serving over HTTP on a test database, with the tenant
// world written into it and every actor's credential.
type harness struct {
	t      *testing.T
	app    *app.App
	url    string
	srv    *apptest.Server
	db     *db.DB
	world  *tenanttest.World
	logs   *apptest.LogBuffer
	tokens map[string]string // actor name → Bearer token (login token or API key)
	// mfaSecret is the TOTP secret the audit cases enrolled (TestEveryMutationIsAuditedOnce).
	mfaSecret []byte
}

func start(t *testing.T, d *db.DB) *harness {
	t.Helper()
	s := apptest.Start(t, d, secret)
	h := &harness{t: t, app: s.App, url: s.URL, srv: s, db: d, world: s.World, logs: s.Logs, tokens: map[string]string{}}
	for name, actor := range h.world.Actors {
		if actor.Key != "" {
			h.tokens[name] = actor.Key
			continue
		}
		h.tokens[name] = h.login(actor.Email, tenanttest.Password)
	}
	return h
}

// login answers a login token, failing the test on anything but 200.
func (h *harness) login(email, password string) string {
	h.t.Helper()
	status, body, _ := h.request("POST", "/auth/login", "", map[string]string{"email": email, "password": password}, nil)
	if status != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", email, status, body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		h.t.Fatalf("login %s: %s", email, body)
	}
	return out.Token
}

// request sends a JSON request with an optional Bearer token; extra headers and
// cookies may be given.
func (h *harness) request(method, path, token string, body any, header http.Header, cookies ...*http.Cookie) (int, []byte, *http.Response) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	resp, b := h.srv.Do(h.t, method, path, token, r, header, cookies...)
	return resp.StatusCode, b, resp
}

// gqlResponse is the GraphQL answer of apptest.
type gqlResponse = apptest.GQLAnswer

// gql runs a GraphQL document as an actor ("" for anonymous).
func (h *harness) gql(actor, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	token := ""
	if actor != "" {
		token = h.tokens[actor]
		if token == "" {
			h.t.Fatalf("no credential for %s", actor)
		}
	}
	return h.gqlToken(token, query, vars)
}

func (h *harness) gqlToken(token, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	return h.srv.GQL(h.t, token, query, vars)
}

func sqliteDB(t *testing.T) *db.DB { return testdb.SQLite(t) }
