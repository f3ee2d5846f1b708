package security_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/auth"
)

// TestInviteDoesNotEnumerateAccounts reproduces finding 8 (account enumeration):
// inviteUser with another merchant's user's email answered CONFLICT, so any merchant
// admin could learn who has an account. Now an email of another tenant gets the
// answer a new email gets (a user and a link), nothing is written and the other
// account is untouched; an email already in the inviter's own team is still a
// helpful CONFLICT.
func TestInviteDoesNotEnumerateAccounts(t *testing.T) {
	serve(t, func(t *testing.T, f *harness) {
		ctx := auth.System(context.Background())
		const doc = `mutation($input: InviteUserInput!) { inviteUser(input: $input) {
			user { id email name role merchantID invitationPending } invitationUrl userErrors { code field message } } }`
		type answer struct {
			InviteUser struct {
				User          map[string]any
				InvitationURL *string
				UserErrors    []userError
			}
		}
		invite := func(actor, email string) answer {
			t.Helper()
			a := f.gql(actor, doc, map[string]any{"input": map[string]any{"email": email, "name": "New Person", "role": "MERCHANT_VIEWER"}})
			var out answer
			if len(a.Errors) > 0 || jsonUnmarshal(a.Body, &out) != nil {
				t.Fatalf("inviteUser %s: %s", email, a.Body)
			}
			return out
		}
		shape := func(a answer) []string {
			var keys []string
			for k, v := range a.InviteUser.User {
				if v != nil {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			return append(keys, "url:"+boolText(a.InviteUser.InvitationURL != nil), "errors:"+boolText(len(a.InviteUser.UserErrors) > 0))
		}

		fresh := invite("adminA1", "brand.new@example.com")
		otherEmail := f.world.Actors["adminA2"].Email
		before := f.app.DB.Ent.User.Query().Where(user.EmailEqualFold(otherEmail)).OnlyX(ctx)
		other := invite("adminA1", otherEmail)
		if !reflect.DeepEqual(shape(fresh), shape(other)) {
			t.Errorf("another tenant's email is told apart: %v vs %v (%+v)", shape(fresh), shape(other), other.InviteUser.UserErrors)
		}
		if other.InviteUser.User["role"] != "MERCHANT_VIEWER" || other.InviteUser.User["invitationPending"] != true {
			t.Errorf("the answer differs from a new invitation's: %v", other.InviteUser.User)
		}
		after := f.app.DB.Ent.User.Query().Where(user.EmailEqualFold(otherEmail)).OnlyX(ctx)
		if after.ID != before.ID || after.Role != before.Role || after.Name != before.Name || !reflect.DeepEqual(after.MerchantID, before.MerchantID) ||
			!reflect.DeepEqual(after.InviteTokenHash, before.InviteTokenHash) || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("the other account changed: %+v → %+v", before, after)
		}
		// The link leads nowhere.
		if u := other.InviteUser.InvitationURL; u != nil {
			parsed, _ := url.Parse(*u)
			resp := f.do("POST", "/auth/set-password", "", jsonBody(map[string]string{"token": parsed.Query().Get("token"), "password": "a-long-enough-password-1"}), nil)
			if resp.status == http.StatusOK {
				t.Errorf("the decoy link set a password: %s", resp.body)
			}
		}

		// A PSP's staff member of another PSP is "elsewhere" too.
		if s := shape(invite("adminA1", f.world.Actors["staffB"].Email)); !reflect.DeepEqual(s, shape(fresh)) {
			t.Errorf("another PSP's staff email is told apart: %v", s)
		}
		// The inviter's own team: a helpful conflict.
		own := invite("adminA1", f.world.Actors["viewerA1"].Email)
		if len(own.InviteUser.UserErrors) != 1 || own.InviteUser.UserErrors[0].Code != "CONFLICT" ||
			!strings.Contains(own.InviteUser.UserErrors[0].Message, "already in this team") {
			t.Errorf("own team member: %+v", own.InviteUser)
		}
		// PSP staff see every merchant of their PSP: a conflict for them, too.
		if staff := invite("staffA", otherEmail); len(staff.InviteUser.UserErrors) == 0 {
			// adminA2 is in PSP A: staffA's team.
			t.Errorf("PSP staff inviting a user of their own PSP: %+v", staff.InviteUser)
		}
	})
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
