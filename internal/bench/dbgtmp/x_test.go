package dbgtmp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/bench"
	"github.com/pspbackoffice/backoffice/internal/db"
	"bytes"
)

func TestDump(t *testing.T) {
	d, _ := db.Open("postgres://postgres@127.0.0.1:5432/perf100k2?sslmode=disable")
	ctx := context.Background()
	p, _ := bench.UserPrincipal(ctx, d.SQL, true, "admin@bench.psp")
	var id string
	var at time.Time
	d.SQL.QueryRow("SELECT id, created_at FROM orders ORDER BY created_at DESC, id DESC OFFSET 50000 LIMIT 1").Scan(&id, &at)
	var b bytes.Buffer
	ent.Cursor{ID: id, Value: at}.MarshalGQL(&b)
	ip := bench.NewInProcess(d)
	stmts, err := ip.Run(ctx, p, bench.OrdersPage, map[string]any{"first": 50, "after": strings.Trim(b.String(), `"`), "orderBy": map[string]any{"field": "CREATED_AT", "direction": "DESC"}})
	if err != nil {
		t.Fatal(err)
	}
	q := stmts[0].Query
	fmt.Println(q[strings.Index(q, " FROM "):], stmts[0].Args)
	fmt.Println(stmts[1].Query[strings.Index(stmts[1].Query, " WHERE "):][:300])
}
