package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// LargeTables are the tables that grow with the orders: a hot query must reach them
// through an index, never by reading them whole.
var LargeTables = []string{"orders", "order_items", "fulfilments", "fulfilment_lines", "refunds", "refund_lines",
	"settlement_entries"}

// PlanNode is one node of a PostgreSQL plan (EXPLAIN (FORMAT JSON)).
type PlanNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	SortKey   []string   `json:"Sort Key"`
	Plans     []PlanNode `json:"Plans"`
}

// Walk visits the node and everything below it.
func (n PlanNode) Walk(fn func(PlanNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.Walk(fn)
	}
}

// Explain answers PostgreSQL's plan of a statement. With noSeqScan the planner is
// told to avoid sequential scans wherever an index can serve (enable_seqscan = off),
// which on a small test database shows whether an index exists for a query at all:
// a sequential scan that remains means none can.
func Explain(ctx context.Context, sqldb *sql.DB, st Statement, noSeqScan bool) (PlanNode, error) {
	tx, err := sqldb.BeginTx(ctx, nil)
	if err != nil {
		return PlanNode{}, err
	}
	defer func() { _ = tx.Rollback() }()
	if noSeqScan {
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return PlanNode{}, err
		}
	}
	var raw []byte
	if err := tx.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+st.Query, st.Args...).Scan(&raw); err != nil {
		return PlanNode{}, fmt.Errorf("explain: %w\n%s", err, st.Query)
	}
	var out []struct {
		Plan PlanNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out) == 0 {
		return PlanNode{}, fmt.Errorf("explain: unreadable plan: %v", err)
	}
	return out[0].Plan, nil
}

// PlanProblems lists what makes a plan unfit for a hot query on a large data set:
// a sequential scan of a large table, or a full Sort of a large table's rows (a page
// must come off an index in order; an Incremental Sort on an index's prefix is fine).
func PlanProblems(root PlanNode) []string {
	var out []string
	root.Walk(func(n PlanNode) {
		if n.NodeType == "Seq Scan" && slices.Contains(LargeTables, n.Relation) {
			out = append(out, "sequential scan of "+n.Relation)
		}
		if n.NodeType == "Sort" {
			sorted := false
			n.Walk(func(c PlanNode) { sorted = sorted || (c.Relation == "orders" && strings.HasSuffix(c.NodeType, "Scan")) })
			if sorted {
				out = append(out, fmt.Sprintf("sort of every matching order (%s) before the limit", strings.Join(n.SortKey, ", ")))
			}
		}
	})
	return out
}

// Summary is a plan in one line: the access path to each table ("orders: Index Scan
// Backward using order_psp_id_created_at").
func Summary(root PlanNode) string {
	var parts []string
	root.Walk(func(n PlanNode) {
		if n.Relation == "" {
			return
		}
		p := n.Relation + ": " + n.NodeType
		if n.Index != "" {
			p += " using " + n.Index
		}
		parts = append(parts, p)
	})
	if len(parts) == 0 {
		return root.NodeType
	}
	return strings.Join(parts, "; ")
}
