package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

const testIndex = `<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>`

func builtUI() fstest.MapFS {
	return fstest.MapFS{
		".gitkeep":                {Data: []byte{}},
		"index.html":              {Data: []byte(testIndex)},
		"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"assets/index-abc123.js":  {Data: []byte(`console.log("app")`)},
		"assets/index-abc123.css": {Data: []byte(`body{}`)},
	}
}

func serve(t *testing.T, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestBuiltUI(t *testing.T) {
	h := newHandler(builtUI())

	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
		wantBody   string // substring; "" means not checked
		wantType   string // prefix of Content-Type; "" means not checked
		wantCache  string
		wantNoHTML bool
	}{
		{name: "the root answers index.html, revalidated", method: "GET", target: "/", wantStatus: 200, wantBody: `<div id="root">`, wantType: "text/html", wantCache: "no-cache"},
		{name: "index.html by name answers the same page", method: "GET", target: "/index.html", wantStatus: 200, wantBody: `<div id="root">`, wantType: "text/html", wantCache: "no-cache"},
		{name: "a client-side route answers index.html", method: "GET", target: "/merchants", wantStatus: 200, wantBody: `<div id="root">`, wantType: "text/html", wantCache: "no-cache"},
		{name: "a deep client-side route with an id answers index.html", method: "GET", target: "/orders/ord_01J8ZQ", wantStatus: 200, wantBody: `<div id="root">`, wantCache: "no-cache"},
		{name: "a route with a query string answers index.html", method: "GET", target: "/set-password?token=abc.def", wantStatus: 200, wantBody: `<div id="root">`, wantCache: "no-cache"},
		{name: "a directory of the build answers index.html", method: "GET", target: "/assets/", wantStatus: 200, wantBody: `<div id="root">`, wantCache: "no-cache"},
		{name: "a hashed asset is served and cached for a year", method: "GET", target: "/assets/index-abc123.js", wantStatus: 200, wantBody: `console.log("app")`, wantType: "text/javascript", wantCache: "public, max-age=31536000, immutable"},
		{name: "a hashed stylesheet is served with its type", method: "GET", target: "/assets/index-abc123.css", wantStatus: 200, wantType: "text/css", wantCache: "public, max-age=31536000, immutable"},
		{name: "a file outside assets is revalidated", method: "GET", target: "/favicon.svg", wantStatus: 200, wantType: "image/svg+xml", wantCache: "no-cache"},
		{name: "a missing asset is a 404, not index.html", method: "GET", target: "/assets/index-old999.js", wantStatus: 404, wantNoHTML: true},
		{name: "a missing file at the root is a 404", method: "GET", target: "/robots.txt", wantStatus: 404, wantNoHTML: true},
		{name: "the build placeholder is hidden", method: "GET", target: "/.gitkeep", wantStatus: 404, wantNoHTML: true},
		{name: "dot segments cannot climb out of the build", method: "GET", target: "/assets/../../embed.go", wantStatus: 404, wantNoHTML: true},
		{name: "HEAD answers like GET without a body", method: "HEAD", target: "/orders", wantStatus: 200, wantType: "text/html", wantCache: "no-cache"},
		{name: "POST is not allowed", method: "POST", target: "/merchants", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, h, tc.method, tc.target, nil)
			body := rec.Body.String()
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tc.wantStatus, body)
			}
			if tc.wantBody != "" && !strings.Contains(body, tc.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tc.wantBody)
			}
			if got := rec.Header().Get("Content-Type"); tc.wantType != "" && !strings.HasPrefix(got, tc.wantType) {
				t.Errorf("Content-Type = %q, want %q…", got, tc.wantType)
			}
			if got := rec.Header().Get("Cache-Control"); tc.wantCache != "" && got != tc.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.wantCache)
			}
			if tc.wantNoHTML && strings.Contains(body, `<div id="root">`) {
				t.Errorf("answered index.html for a missing file: %q", body)
			}
			if tc.method == "HEAD" && body != "" {
				t.Errorf("HEAD answered a body: %q", body)
			}
		})
	}
	if got := serve(t, h, "POST", "/", nil).Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("405 Allow = %q, want %q", got, "GET, HEAD")
	}
}

func TestIndexRevalidatesWithETag(t *testing.T) {
	h := newHandler(builtUI())
	first := serve(t, h, "GET", "/orders", nil)
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("index.html has no ETag")
	}
	again := serve(t, h, "GET", "/merchants", http.Header{"If-None-Match": {etag}})
	if again.Code != http.StatusNotModified {
		t.Fatalf("revalidation status = %d, want 304", again.Code)
	}
	if again.Body.Len() != 0 {
		t.Errorf("304 answered a body: %q", again.Body.String())
	}
}

func TestUINotBuilt(t *testing.T) {
	// A fresh clone built without node: dist/ holds only .gitkeep.
	h := newHandler(fstest.MapFS{".gitkeep": {Data: []byte{}}})
	for _, target := range []string{"/", "/merchants", "/assets/index-abc123.js"} {
		t.Run(target, func(t *testing.T) {
			rec := serve(t, h, "GET", target, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			body := rec.Body.String()
			for _, want := range []string{"not built", "make web"} {
				if !strings.Contains(body, want) {
					t.Errorf("body does not say %q: %q", want, body)
				}
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestEmbeddedHandlerServes(t *testing.T) {
	// Whatever dist/ holds in this checkout (a build, or only .gitkeep), the
	// root answers an HTML page.
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "PSP Backoffice") {
		t.Fatalf("GET / = %d %q, want 200 and the product name", res.StatusCode, body)
	}
}
