package isolation_test

import (
	"slices"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestListPagesFromTheReplica: with DATABASE_REPLICA_URL and the replica's replay
// paused, a user's mutation shows in that user's next list page (read from the
// primary: the user's write fence, internal/db/replica.go), while another user's
// list page, lag tolerant, is served by the replica and shows it once the replica
// has replayed it.
func TestListPagesFromTheReplica(t *testing.T) {
	d := testdb.PostgresWithReplica(t)
	h := start(t, d)
	testdb.PauseReplica(t, d)
	h.gql("staffA", `mutation($in: CreateMerchantInput!) { createMerchant(input: $in) { merchant { id } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"name": "Fresh from the primary", "country": "DE"}}).MustData(t)
	lists := func(actor string) bool {
		t.Helper()
		var page struct {
			Edges []struct{ Node struct{ Name string } }
		}
		h.gql(actor, `{ merchants(first: 100) { edges { node { name } } } }`, nil).MustData(t).Field(t, "merchants", &page)
		return slices.ContainsFunc(page.Edges, func(e struct{ Node struct{ Name string } }) bool {
			return e.Node.Name == "Fresh from the primary"
		})
	}
	if !lists("staffA") {
		t.Error("the user who created the merchant does not see it in the next list page")
	}
	if lists("operatorA") {
		t.Error("another user's list page shows the new merchant although the replica has not replayed it: not served by the replica")
	}
	testdb.ResumeReplica(t, d)
	if !lists("operatorA") {
		t.Error("another user's list page misses the merchant after the replica replayed it")
	}
}
