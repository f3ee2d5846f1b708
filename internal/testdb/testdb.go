// Package testdb gives each test its own migrated database: a fresh SQLite file
// always, and a fresh PostgreSQL schema when TEST_DATABASE_URL is set, so packages
// and tests run in parallel without seeing each other's rows.
//
// In CI (CI=true) a missing TEST_DATABASE_URL fails the test instead of silently
// running on SQLite alone: PostgreSQL is the reference for locking and concurrency.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// Each runs fn once per available database ("sqlite", and "postgres" when
// TEST_DATABASE_URL is set), each with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresURL(t) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// PostgresURL is TEST_DATABASE_URL; in CI its absence is a failure.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" && os.Getenv("CI") == "true" {
		t.Fatal("TEST_DATABASE_URL is not set in CI: PostgreSQL tests must run")
	}
	return u
}

// SQLite opens a fresh, migrated SQLite database in the test's temp folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open("sqlite://" + filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Postgres opens a fresh, migrated schema on TEST_DATABASE_URL, dropped after the
// test. It skips when TEST_DATABASE_URL is unset outside CI.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, _ := PostgresWithURL(t)
	return d
}

// Pooler is TEST_DATABASE_POOLER: "transaction" when TEST_DATABASE_URL names a
// transaction-mode pooler (pgbouncer), which the suite then runs through the way
// DATABASE_POOLER=transaction runs the server.
func Pooler() string { return os.Getenv("TEST_DATABASE_POOLER") }

// Options are the db.Options the tests' PostgreSQL needs.
func Options() db.Options { return db.Options{Pooler: Pooler()} }

// PostgresWithURL is Postgres and the URL that opens the same schema, for a server
// the test runs as a child process.
func PostgresWithURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	u := EmptyPostgres(t)
	d, err := db.OpenWith(u, Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, u
}

// EmptyPostgres answers the URL of a fresh, empty PostgreSQL schema (opened with
// Options), dropped after the test. It skips when TEST_DATABASE_URL is unset
// outside CI.
//
// Behind a pooler (Pooler) no session setting such as search_path survives, so each
// test gets a database of its own instead (the pooler's wildcard entry reaches any
// name). That is dropped after the test only if the pooler has let go of its
// connections: terminating them (DROP DATABASE … WITH (FORCE)) crashed pgbouncer
// 1.18 ("server in bad state"), so .ci/run drops what is left once the pooler stops.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	if base == "" {
		t.Skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped")
	}
	name := "t_" + randomHex(8)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	create, drop := "CREATE SCHEMA "+name, "DROP SCHEMA "+name+" CASCADE"
	if Pooler() != "" {
		create, drop = "CREATE DATABASE "+name, "DROP DATABASE "+name
	}
	if _, err := admin.Exec(create); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	// Registered first, so it runs after the test's own cleanups closed its handles.
	t.Cleanup(func() {
		a, err := sql.Open("postgres", base)
		if err == nil {
			_, _ = a.Exec(drop)
			_ = a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if Pooler() != "" {
		u.Path = "/" + name
	} else {
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ReplicaURL is TEST_DATABASE_REPLICA_URL: a streaming replica of TEST_DATABASE_URL's
// server (scripts/replica.sh), or "".
func ReplicaURL() string { return os.Getenv("TEST_DATABASE_REPLICA_URL") }

// PostgresWithReplica is Postgres opened with the replica as DATABASE_REPLICA_URL
// (the same schema or database on the replica). It skips without
// TEST_DATABASE_REPLICA_URL.
func PostgresWithReplica(t testing.TB) *db.DB {
	t.Helper()
	if ReplicaURL() == "" {
		t.Skip("TEST_DATABASE_REPLICA_URL not set: replica tests skipped")
	}
	primary, u := PostgresWithURL(t)
	_ = primary.Close()
	d, err := db.OpenWith(u, db.Options{Pooler: Pooler(), Replica: SameSchema(t, ReplicaURL(), u)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// SameSchema answers server's URL pointed at the schema (or database) that of, a URL
// EmptyPostgres answered, names.
func SameSchema(t testing.TB, server, of string) string {
	t.Helper()
	su, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	ou, err := url.Parse(of)
	if err != nil {
		t.Fatal(err)
	}
	su.Path = ou.Path
	q := su.Query()
	if sp := ou.Query().Get("search_path"); sp != "" {
		q.Set("search_path", sp)
	}
	su.RawQuery = q.Encode()
	return su.String()
}

// PauseReplica waits until the replica has replayed everything d's primary wrote,
// then pauses its replay (pg_wal_replay_pause) until ResumeReplica or the test's end:
// what the primary writes next is not on the replica. The pause is the whole
// server's: replica tests run one at a time (.ci/run).
func PauseReplica(t testing.TB, d *db.DB) {
	t.Helper()
	r := replicaServer(t)
	defer r.Close()
	caughtUp(t, d, r)
	if _, err := r.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r, err := sql.Open("postgres", ReplicaURL()); err == nil {
			_, _ = r.Exec(`SELECT pg_wal_replay_resume()`)
			_ = r.Close()
		}
	})
}

// ResumeReplica resumes the replica's replay and waits until it has caught up.
func ResumeReplica(t testing.TB, d *db.DB) {
	t.Helper()
	r := replicaServer(t)
	defer r.Close()
	if _, err := r.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, d, r)
}

func replicaServer(t testing.TB) *sql.DB {
	t.Helper()
	r, err := sql.Open("postgres", ReplicaURL())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// caughtUp waits until the replica has replayed everything the primary has written.
func caughtUp(t testing.TB, d *db.DB, r *sql.DB) {
	t.Helper()
	var lsn string
	if err := d.SQL.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var ok bool
		if err := r.QueryRow(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
	}
	t.Fatal("the replica did not catch up in 30 s")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
