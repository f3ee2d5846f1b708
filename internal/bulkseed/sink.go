package bulkseed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// sink writes batches of rows inside one open transaction: COPY on PostgreSQL (the
// fast path the large data sets take), multi-row INSERTs on SQLite (small sets, tests).
//
// On PostgreSQL, when the role may, the transactions run with
// session_replication_role = replica, which skips the per-row foreign-key triggers and
// halves the load time. Nothing is lost by it: every parent is written before its
// children in the same transaction, from ids the generator itself made, and the
// package's tests check that no row points nowhere.
type sink struct {
	d            *db.DB
	tx           *sql.Tx
	postgres     bool
	skipTriggers bool
}

func newSink(ctx context.Context, d *db.DB) *sink {
	s := &sink{d: d, postgres: d.IsPostgres()}
	if s.postgres {
		s.skipTriggers = mayReplicate(ctx, d.SQL)
	}
	return s
}

// mayReplicate tells whether the role may set session_replication_role (superusers).
func mayReplicate(ctx context.Context, sqldb *sql.DB) bool {
	tx, err := sqldb.BeginTx(ctx, nil)
	if err != nil {
		return false
	}
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica")
	return err == nil
}

// begin opens the next transaction. On PostgreSQL a bulk load need not wait for its
// WAL to reach the disk at every commit: a crash loses at most the last batches of a
// data set that is re-seeded anyway.
func (s *sink) begin(ctx context.Context) error {
	tx, err := s.d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if s.postgres {
		if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			_ = tx.Rollback()
			return err
		}
		if s.skipTriggers {
			if _, err := tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
	}
	s.tx = tx
	return nil
}

func (s *sink) commit() error {
	if s.tx == nil {
		return nil
	}
	err := s.tx.Commit()
	s.tx = nil
	return err
}

func (s *sink) rollback() {
	if s.tx != nil {
		_ = s.tx.Rollback()
		s.tx = nil
	}
}

// write appends rows to a table in the open transaction.
func (s *sink) write(ctx context.Context, t table, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var err error
	if s.postgres {
		err = s.copy(ctx, t, rows)
	} else {
		err = s.insert(ctx, t, rows)
	}
	if err != nil {
		return fmt.Errorf("bulkseed: write %d rows to %s: %w", len(rows), t.name, err)
	}
	return nil
}

func (s *sink) copy(ctx context.Context, t table, rows [][]any) error {
	stmt, err := s.tx.PrepareContext(ctx, copyStatement(t.name, t.cols))
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			_ = stmt.Close()
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		_ = stmt.Close()
		return err
	}
	return stmt.Close()
}

// sqliteMaxParams is SQLite's default limit of parameters per statement.
const sqliteMaxParams = 32766

func (s *sink) insert(ctx context.Context, t table, rows [][]any) error {
	per := min(500, sqliteMaxParams/len(t.cols))
	head := "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, n*len(t.cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := s.tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// copyStatement is lib/pq's COPY … FROM STDIN for a table and its columns, quoted.
func copyStatement(table string, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	return "COPY " + pq.QuoteIdentifier(table) + " (" + strings.Join(quoted, ", ") + ") FROM STDIN"
}
