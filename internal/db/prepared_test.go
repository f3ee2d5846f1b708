package db

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestPreparedStatementsInATransaction: a statement a transaction meets for the
// first time runs on the transaction's own connection (preparing it would take a
// second one: with every connection held by transactions, that waits forever) and is
// prepared in the background; the next transaction runs it prepared.
func TestPreparedStatementsInATransaction(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs TEST_DATABASE_URL")
		}
		t.Skip("TEST_DATABASE_URL is not set")
	}
	if os.Getenv("TEST_DATABASE_POOLER") != "" {
		t.Skip("prepared statements are for direct connections (pooler.go)")
	}
	d, err := Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SQL.SetMaxOpenConns(1) // the transaction holds the only connection
	const q = "SELECT $1::int + 1"
	add := func(ctx context.Context, tx *Tx) error {
		var got int
		if err := (preparedTx{tx: tx.SQL, c: d.stmts}).QueryRowish(ctx, q, 41, &got); err != nil {
			return err
		}
		if got != 42 {
			t.Errorf("got %d", got)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.InTx(ctx, add); err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	for d.stmts.cached(q) == nil {
		if ctx.Err() != nil {
			t.Fatal("the statement was never prepared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := d.InTx(ctx, add); err != nil {
		t.Fatalf("second transaction, prepared: %v", err)
	}
}

// QueryRowish runs a one-row query through the transaction's statement path.
func (p preparedTx) QueryRowish(ctx context.Context, query string, arg any, dest any) error {
	rows, err := p.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return rows.Err()
	}
	return rows.Scan(dest)
}
