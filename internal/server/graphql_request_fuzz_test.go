package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/server"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// FuzzGraphQLRequest posts arbitrary bodies to /graphql: whatever arrives, the answer
// is a client error or a GraphQL answer, never INTERNAL, a 5xx or a recovered panic.
//
//	go test ./internal/server -run '^$' -fuzz FuzzGraphQLRequest -fuzztime 60s
func FuzzGraphQLRequest(f *testing.F) {
	for _, seed := range []string{`{"query":"{ __typename }"}`, `{`, `[]`, `null`, `{"query":5}`,
		`{"query":"{ __typename }","variables":"x"}`, `{"query":"query($a:Int){ __typename }","variables":{"a":"x"}}`,
		`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"zz"}}}`,
		`{"operationName":"X","query":"query Y { __typename }"}`, `{"query":"{ node(id: \"ord_x\") { id } }"}`} {
		f.Add([]byte(seed))
	}
	var logs bytes.Buffer
	h := server.New(server.Deps{DB: testdb.SQLite(f), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	f.Fuzz(func(t *testing.T, body []byte) {
		logs.Reset()
		r := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 || strings.Contains(w.Body.String(), `"INTERNAL"`) || strings.Contains(logs.String(), "panic") {
			t.Fatalf("POST %q: %d %s\n%s", body, w.Code, w.Body, logs.String())
		}
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("POST %q: status %d", body, w.Code)
		}
	})
}
