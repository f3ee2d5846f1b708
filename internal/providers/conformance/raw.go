package conformance

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Raw sends one request straight to a sandbox with Basic auth, past the provider
// client, for tests that check what the wire carries or what the sandbox refuses.
// An empty body sends none; header adds to the request's headers. The caller closes
// the answer's body.
func Raw(t testing.TB, method, url, user, password, body string, header http.Header) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
