package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// FuzzGraphQLRequest sends arbitrary bodies to the GraphQL handler as a PSP admin
// (anonymous too): decoding, parsing, validation and the request limits must answer
// every one with a JSON GraphQL response and a client status, never a panic. Queries
// that pass run against an empty database.
func FuzzGraphQLRequest(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ viewer { id } }"}`,
		`{"query":"{ orders(first: 1000000) { edges { node { id } } } }"}`,
		`{"query":"query($c: Cursor) { orders(first: 1, after: $c) { edges { cursor } } }","variables":{"c":"!!"}}`,
		`{"query":"{ settlementOverview(companyId: \"x\", from: \"2026-02-30\", to: \"2026-03-01\") { from } }"}`,
		`{"query":"query($n: Int) { merchants(last: $n) { totalCount } }","variables":{"n":1e300}}`,
		`{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":"one"}}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query":"{ orders(where: {and: [{and: [{and: [{or: [{idIn: [\"a\"]}]}]}]}]}) { totalCount } }"}`,
		`{"query":"{ a: viewer { id } ... on Query { viewer { id } } }","operationName":"x"}`,
		`{"query":`, `[]`, `null`, `{"query":1}`, `{"variables":[]}`, "\xff\xfe",
	} {
		f.Add([]byte(s), true)
	}
	d := testdb.SQLite(f)
	h := graph.NewHandler(&graph.Resolver{Client: d.Ent}, graph.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	admin := &auth.Principal{Kind: auth.KindUser, ID: "usr_fuzz", PSPID: "psp_fuzz", Role: domain.RolePSPAdmin}
	f.Fuzz(func(t *testing.T, body []byte, authenticated bool) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if authenticated {
			req = req.WithContext(auth.With(req.Context(), admin))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var resp struct {
			Errors []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("not JSON for %q: %q", body, rec.Body)
		}
	})
}
