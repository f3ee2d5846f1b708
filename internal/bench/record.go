package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Statement is one SQL statement ent sent, with its arguments.
type Statement struct {
	Query string
	Args  []any
}

// Recorder is an ent driver that keeps every statement sent through it: the harness
// counts the statements of a GraphQL request and EXPLAINs them.
type Recorder struct {
	dialect.Driver
	mu    sync.Mutex
	stmts []Statement
}

// NewRecorder wraps a database's connection pool.
func NewRecorder(d *db.DB) *Recorder {
	return &Recorder{Driver: entsql.OpenDB(d.Dialect, d.SQL)}
}

func (r *Recorder) keep(query string, args any) {
	a, _ := args.([]any)
	r.mu.Lock()
	r.stmts = append(r.stmts, Statement{Query: query, Args: append([]any(nil), a...)})
	r.mu.Unlock()
}

// Exec records and runs a statement.
func (r *Recorder) Exec(ctx context.Context, query string, args, v any) error {
	r.keep(query, args)
	return r.Driver.Exec(ctx, query, args, v)
}

// Query records and runs a query.
func (r *Recorder) Query(ctx context.Context, query string, args, v any) error {
	r.keep(query, args)
	return r.Driver.Query(ctx, query, args, v)
}

// Tx records the statements of a transaction too.
func (r *Recorder) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := r.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &recordedTx{Tx: tx, r: r}, nil
}

type recordedTx struct {
	dialect.Tx
	r *Recorder
}

func (t *recordedTx) Exec(ctx context.Context, query string, args, v any) error {
	t.r.keep(query, args)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *recordedTx) Query(ctx context.Context, query string, args, v any) error {
	t.r.keep(query, args)
	return t.Tx.Query(ctx, query, args, v)
}

// Take answers the statements recorded since the last Take and forgets them.
func (r *Recorder) Take() []Statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stmts
	r.stmts = nil
	return out
}

// InProcess is the product's GraphQL handler over a Recorder, run in this process
// with a given principal: the same resolvers, privacy rules and eager loading as the
// server, with every SQL statement visible.
type InProcess struct {
	Recorder *Recorder
	handler  http.Handler
}

// NewInProcess builds the handler on a database.
func NewInProcess(d *db.DB) *InProcess {
	rec := NewRecorder(d)
	client := ent.NewClient(ent.Driver(rec))
	return &InProcess{Recorder: rec, handler: graph.NewHandler(&graph.Resolver{Client: client}, graph.Options{})}
}

// Run executes one operation as p and answers the statements it sent.
func (ip *InProcess) Run(ctx context.Context, p *auth.Principal, query string, vars map[string]any) ([]Statement, error) {
	body := fmt.Sprintf(`{"query":%q,"variables":%s}`, query, mustJSON(vars))
	req := httptest.NewRequestWithContext(auth.With(ctx, p), http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	ip.Recorder.Take()
	ip.handler.ServeHTTP(w, req)
	stmts := ip.Recorder.Take()
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
		return stmts, fmt.Errorf("in-process GraphQL: HTTP %d: %s", w.Code, truncate(w.Body.String(), 300))
	}
	return stmts, nil
}

// UserPrincipal is the principal the server gives a logged-in user, read from the
// users table by email.
func UserPrincipal(ctx context.Context, sqldb *sql.DB, postgres bool, email string) (*auth.Principal, error) {
	q := "SELECT id, psp_id, COALESCE(merchant_id, ''), role FROM users WHERE email = ?"
	if postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	p := &auth.Principal{Kind: auth.KindUser, Label: email}
	var role string
	if err := sqldb.QueryRowContext(ctx, q, email).Scan(&p.ID, &p.PSPID, &p.MerchantID, &role); err != nil {
		return nil, fmt.Errorf("user %s: %w", email, err)
	}
	p.Role = domain.Role(role)
	return p, nil
}

func mustJSON(v any) string {
	if v == nil {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
