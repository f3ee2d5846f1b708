package security_test

import (
	"slices"
	"testing"
)

// TestMerchantTeamFollowsTheRootRule reproduces finding 8 (roles): a MERCHANT_VIEWER
// was refused the root users and apiKeys fields but read both through
// node(id:) { … on Merchant { users apiKeys } }. The rule now lives in the privacy
// layer, so every way in answers the same; the merchant's admin still sees its team.
func TestMerchantTeamFollowsTheRootRule(t *testing.T) {
	serve(t, func(t *testing.T, f *harness) {
		m := f.world.ByName["merchant A1"].ID
		edge := `{ node(id: "` + m + `") { ... on Merchant { users { id } apiKeys { id } } } }`
		type team struct {
			Users   []struct{ ID string }
			APIKeys []struct{ ID string } `json:"apiKeys"`
		}
		read := func(actor string) team {
			var out struct{ Node team }
			a := f.gql(actor, edge, nil).MustData(t)
			if err := jsonUnmarshal(a.Body, &out); err != nil {
				t.Fatal(err)
			}
			return out.Node
		}
		for _, root := range []string{`{ users { edges { node { id } } } }`, `{ apiKeys { edges { node { id } } } }`} {
			if a := f.gql("viewerA1", root, nil); !slices.Contains(a.Codes(), "FORBIDDEN") {
				t.Errorf("viewer at the root %s: %s", root, a.Body)
			}
		}
		if got := read("viewerA1"); len(got.Users) != 0 || len(got.APIKeys) != 0 {
			t.Errorf("a viewer reads the merchant's team through the edge: %+v", got)
		}
		if got := read("adminA1"); len(got.Users) != 2 || len(got.APIKeys) != 3 {
			t.Errorf("the merchant admin's team: %+v, want 2 users and 3 keys", got)
		}
		for _, kind := range []string{"User", "APIKey"} {
			for _, o := range f.world.Objects {
				if o.Type != kind || o.Merch != m {
					continue
				}
				a := f.gql("viewerA1", `{ node(id: "`+o.ID+`") { id } }`, nil)
				if string(a.Data["node"]) != "null" {
					t.Errorf("a viewer reads %s %s by node: %s", kind, o.ID, a.Body)
				}
			}
		}
	})
}
