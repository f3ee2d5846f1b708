package db_test

import (
	"context"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/psp"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// request is one request of a principal, as the server's authentication starts it.
func request(principal string, lagTolerant bool) context.Context {
	ctx := auth.System(context.Background()) // the tenant policy is not what is tested
	ctx = db.Track(ctx, principal)
	if lagTolerant {
		ctx = db.LagTolerant(ctx)
	}
	return ctx
}

func pspNames(t *testing.T, ctx context.Context, d *db.DB) []string {
	t.Helper()
	names, err := d.Ent.PSP.Query().Order(ent.Asc(psp.FieldName)).Select(psp.FieldName).Strings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestReplicaReadsYourWrites (README "Running several instances", replica.go): with
// the replica's replay paused, a lag-tolerant read of another principal is served by
// the replica (it misses the write), while the writer's own reads — in a later
// request, or later in the request that wrote — and every read not marked lag
// tolerant come from the primary.
func TestReplicaReadsYourWrites(t *testing.T) {
	d := testdb.PostgresWithReplica(t)
	ctx := auth.System(context.Background())
	if err := d.Ent.PSP.Create().SetName("a-before").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	testdb.PauseReplica(t, d)

	// Alice writes (an ent write in her request), then Bob writes in a transaction.
	alice := request("USER:alice", false)
	if err := d.Ent.PSP.Create().SetName("b-alice").Exec(alice); err != nil {
		t.Fatal(err)
	}

	same := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: read %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: read %v, want %v", what, got, want)
			}
		}
	}
	bob := request("USER:bob", true)
	if !d.FromReplica(bob) {
		t.Fatal("Bob's lag-tolerant read does not go to the replica")
	}
	same("Bob, lag tolerant, from the paused replica", pspNames(t, bob, d), "a-before")
	same("Bob, not lag tolerant", pspNames(t, request("USER:bob", false), d), "a-before", "b-alice")
	aliceNext := request("USER:alice", true)
	if d.FromReplica(aliceNext) {
		t.Fatal("Alice's read after her write goes to the replica, which has not replayed it")
	}
	same("Alice's next request, lag tolerant", pspNames(t, aliceNext, d), "a-before", "b-alice")
	same("no principal, lag tolerant", pspNames(t, db.LagTolerant(ctx), d), "a-before")

	// In the request that writes: the reads after the write come from the primary.
	carol := request("USER:carol", true)
	same("Carol before her write", pspNames(t, carol, d), "a-before")
	if err := d.InTx(carol, func(ctx context.Context, tx *db.Tx) error {
		return tx.Ent.PSP.Create().SetName("c-carol").Exec(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	same("Carol after her write, same request", pspNames(t, carol, d), "a-before", "b-alice", "c-carol")
	var raw int
	if err := d.Reader(request("USER:carol", true)).QueryRow(`SELECT count(*) FROM psps`).Scan(&raw); err != nil || raw != 3 {
		t.Fatalf("Carol's raw read in her next request: %d PSPs (%v), want 3 from the primary", raw, err)
	}
	if err := d.Reader(request("USER:bob", true)).QueryRow(`SELECT count(*) FROM psps`).Scan(&raw); err != nil || raw != 1 {
		t.Fatalf("Bob's raw lag-tolerant read: %d PSPs (%v), want 1 from the paused replica", raw, err)
	}

	// Once the replica has replayed past her fence, Alice's lag-tolerant reads go there.
	testdb.ResumeReplica(t, d)
	aliceLater := request("USER:alice", true)
	if !d.FromReplica(aliceLater) {
		t.Fatal("Alice's lag-tolerant read goes to the primary although the replica has replayed her write")
	}
	same("Alice, replica caught up", pspNames(t, aliceLater, d), "a-before", "b-alice", "c-carol")
}
