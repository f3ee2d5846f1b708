package isolation_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestMFAPolicyThroughTheAPI: once a PSP requires two-factor sign-in of its staff (or a
// merchant of its users), those without it may only enrol — other fields answer
// MFA_ENROLMENT_REQUIRED, exports 403 — until they have enrolled through GraphQL; other
// PSPs and merchants are not affected, and one's sessions are listed.
func TestMFAPolicyThroughTheAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		const list = `{ merchants(first: 1) { edges { node { id } } } }`
		enrolling := func(actor string) bool {
			t.Helper()
			r := h.gql(actor, list, nil)
			return slices.Contains(r.Codes(), "MFA_ENROLMENT_REQUIRED")
		}
		var psp struct {
			Psp struct{ RequireStaffMfa bool }
		}
		h.gql("staffA", `mutation { updatePsp(input: {requireStaffMfa: true}) { psp { requireStaffMfa } userErrors { code } } }`, nil).
			MustData(t).Field(t, "updatePsp", &psp)
		if !psp.Psp.RequireStaffMfa {
			t.Fatalf("updatePsp did not set requireStaffMfa")
		}
		if !enrolling("staffA") || !enrolling("operatorA") || enrolling("staffB") || enrolling("adminA1") {
			t.Errorf("after the PSP policy: staffA %v operatorA %v staffB %v adminA1 %v, want true true false false",
				enrolling("staffA"), enrolling("operatorA"), enrolling("staffB"), enrolling("adminA1"))
		}
		if status, _, _ := h.request("GET", "/exports/settlements/"+h.world.ByName["settlement A1/a"].ID+".csv",
			h.tokens["operatorA"], nil, nil); status != http.StatusForbidden {
			t.Errorf("an enrolling operator's export: %d, want 403", status)
		}
		var viewer struct {
			MfaEnabled bool
			Sessions   []struct {
				ID      string
				Current bool
			}
		}
		h.gql("staffA", `{ viewer { mfaEnabled sessions { id current } } }`, nil).MustData(t).Field(t, "viewer", &viewer)
		if viewer.MfaEnabled || len(viewer.Sessions) != 1 || !viewer.Sessions[0].Current {
			t.Errorf("viewer while enrolling: %+v", viewer)
		}
		var started struct{ Secret, OtpauthURI string }
		h.gql("staffA", `mutation { startMfaEnrollment { secret otpauthUri } }`, nil).MustData(t).Field(t, "startMfaEnrollment", &started)
		if !strings.HasPrefix(started.OtpauthURI, "otpauth://totp/") || !strings.Contains(started.OtpauthURI, "secret="+started.Secret) {
			t.Fatalf("startMfaEnrollment: %+v", started)
		}
		raw, err := auth.DecodeTOTPSecret(started.Secret)
		if err != nil {
			t.Fatal(err)
		}
		var confirmed struct {
			RecoveryCodes []string
			UserErrors    []struct{ Code string }
		}
		h.gql("staffA", `mutation($c: String!) { confirmMfaEnrollment(input: {code: $c}) { recoveryCodes userErrors { code } } }`,
			map[string]any{"c": "000000"}).MustData(t).Field(t, "confirmMfaEnrollment", &confirmed)
		if len(confirmed.UserErrors) != 1 || confirmed.UserErrors[0].Code != "VALIDATION" || confirmed.RecoveryCodes != nil {
			t.Errorf("a wrong code: %+v", confirmed)
		}
		h.gql("staffA", `mutation($c: String!) { confirmMfaEnrollment(input: {code: $c}) { recoveryCodes userErrors { code } } }`,
			map[string]any{"c": auth.TOTPCode(raw, time.Now())}).MustData(t).Field(t, "confirmMfaEnrollment", &confirmed)
		if len(confirmed.RecoveryCodes) != auth.RecoveryCodeCount {
			t.Fatalf("confirmMfaEnrollment: %+v", confirmed)
		}
		if enrolling("staffA") {
			t.Errorf("still enrolling after confirming")
		}
		h.gql("staffA", list, nil).MustData(t)

		// A merchant admin requires it of its own merchant's users; another merchant's is NOT_FOUND.
		var own struct {
			Merchant   *struct{ RequireMfa bool }
			UserErrors []struct{ Code string }
		}
		doc := `mutation($m: ID!) { updateMerchantSecurity(input: {merchantId: $m, requireMfa: true}) { merchant { requireMfa } userErrors { code } } }`
		h.gql("adminA1", doc, map[string]any{"m": h.world.ByName["merchant A1"].ID}).MustData(t).Field(t, "updateMerchantSecurity", &own)
		if own.Merchant == nil || !own.Merchant.RequireMfa {
			t.Fatalf("updateMerchantSecurity: %+v", own)
		}
		if !enrolling("viewerA1") || !enrolling("adminA1") || enrolling("viewerA2") {
			t.Errorf("after the merchant policy: viewerA1 %v adminA1 %v viewerA2 %v, want true true false",
				enrolling("viewerA1"), enrolling("adminA1"), enrolling("viewerA2"))
		}
		h.gql("adminA2", doc, map[string]any{"m": h.world.ByName["merchant A1"].ID}).MustData(t).Field(t, "updateMerchantSecurity", &own)
		if len(own.UserErrors) != 1 || own.UserErrors[0].Code != "NOT_FOUND" {
			t.Errorf("another merchant's policy: %+v", own)
		}
	})
}
