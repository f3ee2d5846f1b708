package security_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// Finding 2 (transport half): a 64 MiB anonymous body was read whole, and malformed
// requests answered INTERNAL after a recovered panic.
func TestGraphQLBodyLimitAndMalformedRequests(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		big := `{"query":"{ __typename }","variables":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`
		if got := h.do("POST", "/graphql", "", strings.NewReader(big), nil); got.status != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB body with its length: %d %.200s, want 413", got.status, got.body)
		}
		// Without a Content-Length (chunked), the limit stops the read instead.
		req, _ := http.NewRequest("POST", h.url+"/graphql", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB chunked body: %d, want 413", resp.StatusCode)
		}
		if got := h.do("POST", "/graphql", "", strings.NewReader(`{"query":"{ __typename }"}`), nil); got.status != http.StatusOK {
			t.Errorf("a small request: %d %s", got.status, got.body)
		}
		for _, body := range []string{`{`, `[]`, `"query"`, `{"query": 5}`, `{"query":"{ __typename }","variables":"x"}`,
			`{"query":"{ __typename }","variables":[1]}`, `{"query":"{ __typename }","operationName":{}}`, "\x00\xff"} {
			got := h.do("POST", "/graphql", "", strings.NewReader(body), nil)
			var out struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			_ = json.Unmarshal(got.body, &out)
			if got.status != http.StatusBadRequest || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_REQUEST" || out.Errors[0].Message == "" {
				t.Errorf("POST %q: %d %s, want 400 BAD_REQUEST with a message", body, got.status, got.body)
			}
		}
		if logs := h.logs.String(); strings.Contains(logs, "panic") {
			t.Errorf("the server logged a panic:\n%s", logs)
		}
	})
}

// TestEveryBodyIsBounded: routes that read bodies themselves are bounded too.
func TestEveryBodyIsBounded(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	big := bytes.Repeat([]byte("a"), 2<<20)
	for _, path := range []string{"/auth/login", "/webhooks/paywerk", "/sandbox/paywerk/orders"} {
		if got := h.do("POST", path, "", bytes.NewReader(big), nil); got.status != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with 2 MiB: %d, want 413", path, got.status)
		}
	}
}

// TestRequestDeadline: a request's work ends at REQUEST_TIMEOUT and GraphQL says
// TIMEOUT; PostgreSQL connections carry the statement timeout.
func TestRequestDeadline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d, func(c *config.Config) { c.RequestTimeout = time.Nanosecond; c.StatementTimeout = 45 * time.Second })
		got := h.do("POST", "/graphql", h.world.Actors["keyA1"].Key, strings.NewReader(`{"query":"{ orders(first: 1) { edges { node { id } } } }"}`), nil)
		if !strings.Contains(string(got.body), `"TIMEOUT"`) {
			t.Errorf("a request past its deadline: %d %s, want TIMEOUT", got.status, got.body)
		}
		if !h.app.DB.IsPostgres() {
			return
		}
		var v string
		if err := h.app.DB.SQL.QueryRow("SHOW statement_timeout").Scan(&v); err != nil || v != "45s" {
			t.Errorf("statement_timeout = %q (%v), want 45s", v, err)
		}
	})
}
