// Package security_test reproduces, from the outside and over real HTTP, each finding
// of the attack on the front door (issue 15) and checks that it stays closed. The
// tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set.
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
	"testing"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
)

const frontDoorSecret = "security-test-secret-0123456789abcdef0123456789abcdef"

// frontDoor is the product serving over HTTP on a test database, with the tenant
// world of internal/tenant/tenanttest and every actor's credential.
type frontDoor struct {
	t      *testing.T
	app    *app.App
	url    string
	world  *tenanttest.World
	tokens map[string]string // actor → Bearer token
}

// openFrontDoor starts the product; tweak adjusts the configuration first.
func openFrontDoor(t *testing.T, d *db.DB, tweak func(*config.Config)) *frontDoor {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DatabaseURL: d.URL, DatabasePooler: d.Options().Pooler, ListenAddr: ln.Addr().String(), Secret: frontDoorSecret,
		ProvidersMode: "sandbox", DataDir: t.TempDir(), PublicURL: "http://" + ln.Addr().String()}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = a.Close() })
	f := &frontDoor{t: t, app: a, url: srv.URL, tokens: map[string]string{}}
	f.world = tenanttest.Build(t, a.DB.Ent, auth.NewKeyHasher(secrets.Derive(frontDoorSecret, "api-key-pepper")), auth.EnvTest)
	for name, actor := range f.world.Actors {
		if actor.Key != "" {
			f.tokens[name] = actor.Key
			continue
		}
		f.tokens[name] = f.login(actor.Email, tenanttest.Password)
	}
	return f
}

func (f *frontDoor) login(email, password string) string {
	f.t.Helper()
	status, body := f.post("/auth/login", "", map[string]string{"email": email, "password": password})
	var out struct{ Token string }
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Token == "" {
		f.t.Fatalf("login %s: %d %s", email, status, body)
	}
	return out.Token
}

// post sends a JSON body with an optional Bearer token.
func (f *frontDoor) post(path, token string, body any) (int, []byte) {
	f.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.raw(path, token, b)
}

// raw sends bytes as they are.
func (f *frontDoor) raw(path, token string, body []byte) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.url+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// gqlErr is one entry of a GraphQL answer's errors.
type gqlErr struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// gqlAnswer is a GraphQL answer with its raw body.
type gqlAnswer struct {
	Status     int
	Body       string
	Data       map[string]json.RawMessage `json:"data"`
	Errors     []gqlErr                   `json:"errors"`
	Extensions map[string]any             `json:"extensions"`
}

// codes lists the answer's error codes.
func (a gqlAnswer) codes() []string {
	var out []string
	for _, e := range a.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// gql runs a document as an actor ("" for anonymous).
func (f *frontDoor) gql(actor, query string, vars map[string]any) gqlAnswer {
	f.t.Helper()
	token := ""
	if actor != "" {
		if token = f.tokens[actor]; token == "" {
			f.t.Fatalf("no credential for %s", actor)
		}
	}
	status, body := f.post("/graphql", token, map[string]any{"query": query, "variables": vars})
	var a gqlAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		f.t.Fatalf("GraphQL answered %d %q", status, body)
	}
	a.Status, a.Body = status, string(body)
	return a
}

// mustData fails the test on any error.
func (a gqlAnswer) mustData(t *testing.T) gqlAnswer {
	t.Helper()
	if len(a.Errors) > 0 {
		t.Fatalf("GraphQL errors: %s", a.Body)
	}
	return a
}

// jsonUnmarshal decodes the data of a GraphQL body.
func jsonUnmarshal(body string, v any) error {
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Data, v)
}
