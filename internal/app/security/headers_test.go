package security_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// Finding 8 (headers): no CSP, X-Content-Type-Options, X-Frame-Options,
// Referrer-Policy or HSTS anywhere.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	for _, c := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/orders/ord_x"}, {"GET", "/graphql"}, {"POST", "/graphql"}, {"GET", "/healthz"},
		{"GET", "/metrics"}, {"POST", "/auth/login"}, {"GET", "/auth/me"}, {"GET", "/missing.js"},
		{"GET", "/sandbox/paywerk/checkout/nothing"}, {"GET", "/sandbox/paywerk/_sandbox/faults"}, {"POST", "/webhooks/paywerk"},
	} {
		got := h.do(c.method, c.path, "", nil, nil)
		csp := got.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s %s: CSP %q", c.method, c.path, csp)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if v := got.header.Get(k); v != want {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, k, v, want)
			}
		}
		if v := got.header.Get("Strict-Transport-Security"); v != "" {
			t.Errorf("%s %s: HSTS %q on a plain-http server", c.method, c.path, v)
		}
	}
	// The UI must work under that CSP: no inline script in the page that loads it.
	page := h.do("GET", "/", "", nil, nil)
	for _, tag := range regexp.MustCompile(`(?is)<script[^>]*>`).FindAllString(string(page.body), -1) {
		if !strings.Contains(tag, "src=") {
			t.Errorf("GET / has an inline script, which the CSP blocks: %s", tag)
		}
	}
}

func TestHSTSWhenThePublicURLIsHTTPS(t *testing.T) {
	h := start(t, testdb.SQLite(t), func(c *config.Config) { c.PublicURL = "https://backoffice.example" })
	for _, path := range []string{"/", "/healthz", "/graphql"} {
		if got := h.do("GET", path, "", nil, nil); !strings.HasPrefix(got.header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("GET %s: no HSTS with an https public URL", path)
		}
	}
	if got := h.do("GET", "/healthz", "", nil, nil); got.status != http.StatusOK {
		t.Errorf("healthz: %d", got.status)
	}
}

// Finding 8 (explorer): GET /graphql loaded Apollo's sandbox from a third-party CDN
// with an inline script. Now it is GraphiQL from the binary's own UI build.
func TestGraphiQLIsServedByTheBinary(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	page := h.do("GET", "/graphql", "", nil, nil)
	body := string(page.body)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /graphql: %d %s", page.status, page.header.Get("Content-Type"))
	}
	if strings.Contains(body, "embeddable-sandbox") || strings.Contains(body, "cdn.") {
		t.Fatalf("GET /graphql still loads a CDN:\n%s", body)
	}
	tags := regexp.MustCompile(`(?is)<(script|link)[^>]*>`).FindAllString(body, -1)
	for _, tag := range tags {
		if strings.HasPrefix(strings.ToLower(tag), "<script") && !strings.Contains(tag, "src=") {
			t.Errorf("inline script, which the CSP blocks: %s", tag)
		}
		if strings.Contains(tag, "://") {
			t.Errorf("a resource from another origin: %s", tag)
		}
	}
	if !strings.Contains(body, `id="graphiql"`) {
		t.Skip("the UI is not built into this binary (web/dist): GraphiQL's own page is not checked")
	}
	for _, src := range regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		if got := h.do("GET", src[1], "", nil, nil); got.status != http.StatusOK {
			t.Errorf("GET %s: %d", src[1], got.status)
		}
	}
}
