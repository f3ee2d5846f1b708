package isolation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/apikey"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/graph/generated"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// uiHeader marks a request as the web UI's.
var uiHeader = http.Header{"X-Requested-With": {"backoffice"}}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", auth.CookieName, resp.Header["Set-Cookie"])
	return nil
}

// TestLoginSessionsAndCrossSiteRequests: login answers a token, the user and an
// HttpOnly SameSite=Lax cookie; the cookie works only for same-origin requests; logout
// ends every token of the user.
func TestLoginSessionsAndCrossSiteRequests(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		admin := h.world.Actors["adminA1"]
		status, body, resp := h.request("POST", "/auth/login", "", map[string]string{"email": strings.ToUpper(admin.Email), "password": tenanttest.Password}, nil)
		if status != http.StatusOK {
			t.Fatalf("login: %d %s", status, body)
		}
		var login struct {
			Token string
			User  map[string]any
		}
		if err := json.Unmarshal(body, &login); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]any{"id": admin.Principal.ID, "email": admin.Email, "role": "MERCHANT_ADMIN",
			"merchantId": admin.Principal.MerchantID, "pspId": admin.Principal.PSPID} {
			if login.User[k] != want {
				t.Errorf("login user %s = %v, want %v", k, login.User[k], want)
			}
		}
		if _, ok := login.User["name"]; !ok {
			t.Error("login user has no name")
		}
		cookie := sessionCookie(t, resp)
		if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Value != login.Token {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/ with the token", cookie)
		}

		for _, tc := range []struct {
			name     string
			email    string
			password string
		}{{"a wrong password", admin.Email, "wrong-password-1"}, {"an unknown email", "nobody@nowhere.example", tenanttest.Password}} {
			if status, body, _ := h.request("POST", "/auth/login", "", map[string]string{"email": tc.email, "password": tc.password}, nil); status != http.StatusUnauthorized {
				t.Errorf("login with %s: %d %s, want 401", tc.name, status, body)
			}
		}

		// The web UI's call on load.
		if status, body, _ := h.request("GET", "/auth/me", "", nil, uiHeader, cookie); status != http.StatusOK || !strings.Contains(string(body), admin.Principal.ID) {
			t.Errorf("/auth/me with the cookie: %d %s", status, body)
		}
		if status, _, _ := h.request("GET", "/auth/me", "", nil, nil); status != http.StatusUnauthorized {
			t.Errorf("/auth/me without a session: %d, want 401", status)
		}

		viewer := map[string]any{"query": "{ viewer { id } }"}
		gqlWithCookie := func(contentType string, header http.Header) (int, string) {
			hd := http.Header{"Content-Type": {contentType}}
			for k, v := range header {
				hd[k] = v
			}
			resp, b := h.srv.Do(t, "POST", "/graphql", "", strings.NewReader(`{"query":"{ viewer { id } }"}`), hd, cookie)
			return resp.StatusCode, string(b)
		}
		if status, body := gqlWithCookie("application/json", nil); status != http.StatusOK || !strings.Contains(body, admin.Principal.ID) {
			t.Errorf("cookie GraphQL with a JSON body: %d %s", status, body)
		}
		if status, body := gqlWithCookie("application/x-www-form-urlencoded", nil); status != http.StatusUnauthorized || !strings.Contains(body, "UNAUTHENTICATED") {
			t.Errorf("cookie GraphQL from a cross-site form: %d %s, want 401 UNAUTHENTICATED", status, body)
		}
		if status, _, _ := h.request("POST", "/graphql", login.Token, viewer, nil); status != http.StatusOK {
			t.Errorf("Bearer login token: %d", status)
		}

		// Logout from a cross-site form is refused; from the UI it ends every session.
		form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if resp, _ := h.srv.Do(t, "POST", "/auth/logout", "", strings.NewReader("x=1"), form, cookie); resp.StatusCode != http.StatusForbidden {
			t.Errorf("logout from a cross-site form: %d, want 403", resp.StatusCode)
		}
		status, _, resp = h.request("POST", "/auth/logout", "", nil, uiHeader, cookie)
		if status != http.StatusNoContent {
			t.Fatalf("logout: %d", status)
		}
		if c := sessionCookie(t, resp); c.MaxAge >= 0 && c.Value != "" {
			t.Errorf("logout does not clear the cookie: %+v", c)
		}
		r := h.gqlToken(login.Token, "{ viewer { id } }", nil)
		if r.Status != http.StatusUnauthorized || !slices.Contains(r.Codes(), "UNAUTHENTICATED") {
			t.Errorf("a token after logout: %d %s", r.Status, r.Body)
		}
		if status, _, _ := h.request("GET", "/auth/me", "", nil, uiHeader, cookie); status != http.StatusUnauthorized {
			t.Errorf("/auth/me after logout: %d", status)
		}
		// Other principals stay logged in.
		h.gql("staffA", "{ viewer { id } }", nil).MustData(t)
	})
}

// TestCredentialsAreChecked: no credential, a forged one, and the other
// environment's key are UNAUTHENTICATED.
func TestCredentialsAreChecked(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	key := h.tokens["keyA1"]
	live := strings.Replace(key, "pk_test_", "pk_live_", 1)
	forged := key[:len(key)-4] + "aaaa"
	r := h.gql("", "{ viewer { id } }", nil)
	if !slices.Contains(r.Codes(), "UNAUTHENTICATED") {
		t.Errorf("no credentials: %s, want UNAUTHENTICATED", r.Body)
	}
	for name, token := range map[string]string{"a forged API key": forged, "a key of the live environment": live,
		"garbage": "not-a-token", "a login token signed elsewhere": forgedJWT(t)} {
		r := h.gqlToken(token, "{ viewer { id } }", nil)
		if r.Status != http.StatusUnauthorized || !slices.Contains(r.Codes(), "UNAUTHENTICATED") {
			t.Errorf("%s: %d %s, want 401 UNAUTHENTICATED", name, r.Status, r.Body)
		}
	}
}

func forgedJWT(t *testing.T) string {
	tok, _, err := auth.NewSessions([]byte("some other server's key, 32 bytes long")).Issue("usr_x", 0, "ses_x", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestFailedLoginsAreRateLimited: after too many failures an account, then an IP, is
// answered 429 — even with the right password — while successes never count.
func TestFailedLoginsAreRateLimited(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	admin, other := h.world.Actors["adminA1"], h.world.Actors["adminA2"]
	attempt := func(email, password string) int {
		status, _, _ := h.request("POST", "/auth/login", "", map[string]string{"email": email, "password": password}, nil)
		return status
	}
	for range 3 {
		if s := attempt(other.Email, tenanttest.Password); s != http.StatusOK {
			t.Fatalf("a successful login: %d", s)
		}
	}
	for i := range auth.DefaultLimits.PerAccount {
		if s := attempt(admin.Email, "wrong-password-"+fmt.Sprint(i)); s != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, s)
		}
	}
	status, _, resp := h.request("POST", "/auth/login", "", map[string]string{"email": admin.Email, "password": tenanttest.Password}, nil)
	if status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the account after %d failures: %d (Retry-After %q), want 429", auth.DefaultLimits.PerAccount, status, resp.Header.Get("Retry-After"))
	}
	if s := attempt(other.Email, tenanttest.Password); s != http.StatusOK {
		t.Errorf("another account from the same IP: %d, want 200", s)
	}
	for i := auth.DefaultLimits.PerAccount; i < auth.DefaultLimits.PerIP; i++ {
		attempt(fmt.Sprintf("guess%d@nowhere.example", i), "wrong-password")
	}
	if s := attempt(other.Email, tenanttest.Password); s != http.StatusTooManyRequests {
		t.Errorf("any account from an IP with %d failures: %d, want 429", auth.DefaultLimits.PerIP, s)
	}
}

// TestRolesAndScopes: a role or key without the right is FORBIDDEN at the top level;
// business refusals are userErrors.
func TestRolesAndScopes(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	w := h.world
	invite := func(role, merchantID string) (string, map[string]any) {
		in := map[string]any{"email": "x" + role + "@invite.example", "role": role}
		if merchantID != "" {
			in["merchantId"] = merchantID
		}
		return `mutation($in: InviteUserInput!) { inviteUser(input: $in) { user { id } userErrors { code field } } }`, map[string]any{"in": in}
	}
	newKey := func(company, shop string) (string, map[string]any) {
		return `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret userErrors { code field } } }`,
			map[string]any{"in": map[string]any{"companyId": w.ByName[company].ID, "shopId": w.ByName[shop].ID, "name": "k"}}
	}
	ctx := auth.System(context.Background())
	h.app.DB.Ent.Merchant.UpdateOneID(w.ByName["merchant A2"].ID).SetStatus(merchant.StatusSUSPENDED).ExecX(ctx)
	for _, tc := range []struct {
		name, actor string
		doc         func() (string, map[string]any)
		want        string // a top-level code, or "userError:CODE", or "" for success
	}{
		{"anonymous asks who it is", "", func() (string, map[string]any) { return "{ viewer { id } }", nil }, "UNAUTHENTICATED"},
		{"a viewer invites", "viewerA1", func() (string, map[string]any) { return invite("MERCHANT_VIEWER", "") }, "FORBIDDEN"},
		{"a viewer reads the audit trail", "viewerA1", func() (string, map[string]any) { return "{ auditEvents { totalCount } }", nil }, "FORBIDDEN"},
		{"a merchant operator makes an API key", "viewerA1", func() (string, map[string]any) { return newKey("company A1/a", "shop A1/a") }, "FORBIDDEN"},
		{"a PSP operator invites a PSP admin", "operatorA", func() (string, map[string]any) { return invite("PSP_ADMIN", "") }, "userError:FORBIDDEN"},
		{"a PSP operator invites an operator", "operatorA", func() (string, map[string]any) { return invite("PSP_OPERATOR", "") }, ""},
		{"a merchant admin invites PSP staff", "adminA1", func() (string, map[string]any) { return invite("PSP_OPERATOR", "") }, "userError:VALIDATION"},
		{"a merchant admin invites into its merchant", "adminA1", func() (string, map[string]any) { return invite("MERCHANT_OPERATOR", "") }, ""},
		{"PSP staff invite a merchant role without the merchant", "staffA", func() (string, map[string]any) { return invite("MERCHANT_ADMIN", "") }, "userError:VALIDATION"},
		{"an API key invites", "keyA1", func() (string, map[string]any) { return invite("MERCHANT_VIEWER", "") }, "FORBIDDEN"},
		{"an API key makes a key", "keyA1", func() (string, map[string]any) { return newKey("company A1/a", "shop A1/a") }, "FORBIDDEN"},
		{"an API key lists merchants", "keyA1", func() (string, map[string]any) { return "{ merchants { totalCount } }", nil }, "FORBIDDEN"},
		{"an API key reads the audit trail", "keyA1", func() (string, map[string]any) { return "{ auditEvents { totalCount } }", nil }, "FORBIDDEN"},
		{"an API key reads its orders", "keyA1", func() (string, map[string]any) { return "{ orders { totalCount } }", nil }, ""},
		{"a settlements key reads orders", "settlekeyA1", func() (string, map[string]any) { return "{ orders { totalCount } }", nil }, "FORBIDDEN"},
		{"a settlements key reads settlements", "settlekeyA1", func() (string, map[string]any) { return "{ settlements { totalCount } }", nil }, ""},
		{"a key for a shop of another merchant", "staffA", func() (string, map[string]any) { return newKey("company A1/a", "shop A2/a") }, "userError:VALIDATION"},
		{"a suspended merchant makes a key", "adminA2", func() (string, map[string]any) { return newKey("company A2/a", "shop A2/a") }, "userError:MERCHANT_NOT_ACTIVE"},
		{"an unknown scope", "adminA1", func() (string, map[string]any) {
			return `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret userErrors { code field } } }`,
				map[string]any{"in": map[string]any{"companyId": w.ByName["company A1/a"].ID, "shopId": w.ByName["shop A1/a"].ID,
					"name": "k", "scopes": []string{"orders:read", "everything"}}}
		}, "userError:VALIDATION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, vars := tc.doc()
			r := h.gql(tc.actor, doc, vars)
			var codes []string
			codes = append(codes, r.Codes()...)
			for _, raw := range r.Data {
				var p struct{ UserErrors []struct{ Code string } }
				_ = json.Unmarshal(raw, &p)
				for _, ue := range p.UserErrors {
					codes = append(codes, "userError:"+ue.Code)
				}
			}
			switch {
			case tc.want == "" && len(codes) > 0:
				t.Fatalf("refused: %s", r.Body)
			case tc.want != "" && !slices.Contains(codes, tc.want):
				t.Fatalf("answer %s, want %s", r.Body, tc.want)
			}
		})
	}
}

// TestInvitationAPIKeyJourney is the issue's "done when": a PSP admin invites a
// merchant admin, who sets a password, logs in and makes an API key; the key reads
// its own shop's orders only; revoked and expired keys stop at once; the audit trail
// shows who did it; no secret is stored or logged in clear.
func TestInvitationAPIKeyJourney(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		w := h.world
		sys := auth.System(context.Background())
		var secretsSeen []string // everything that must never be stored or logged in clear

		// The PSP admin invites a merchant admin of A1.
		r := h.gql("staffA", `mutation($in: InviteUserInput!) { inviteUser(input: $in) {
			user { id email role merchantID invitationPending } invitationUrl userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"merchantId": w.ByName["merchant A1"].ID, "email": "New.Admin@kaskkivi.example",
				"name": "New Admin", "role": "MERCHANT_ADMIN"}}).MustData(t)
		var invited struct {
			User struct {
				ID, Email, Role, MerchantID string
				InvitationPending           bool
			}
			InvitationURL string
			UserErrors    []any
		}
		r.Field(t, "inviteUser", &invited)
		if len(invited.UserErrors) > 0 || invited.User.Email != "new.admin@kaskkivi.example" || !invited.User.InvitationPending {
			t.Fatalf("invitation: %s", r.Body)
		}
		link, err := url.Parse(invited.InvitationURL)
		if err != nil || link.Path != "/set-password" || link.Query().Get("token") == "" || !strings.HasPrefix(invited.InvitationURL, h.url) {
			t.Fatalf("invitation link %q", invited.InvitationURL)
		}
		token := link.Query().Get("token")
		secretsSeen = append(secretsSeen, token)
		if status, _, _ := h.request("POST", "/auth/login", "", map[string]string{"email": invited.User.Email, "password": ""}, nil); status != http.StatusUnauthorized {
			t.Errorf("an invited user logs in without a password: %d", status)
		}

		// The invitation sets the password once and signs in.
		const password = "a-new-password-of-the-admin"
		secretsSeen = append(secretsSeen, password)
		if status, body, _ := h.request("POST", "/auth/set-password", "", map[string]string{"token": token, "password": "short"}, nil); status != http.StatusBadRequest {
			t.Errorf("a short password: %d %s", status, body)
		}
		status, body, resp := h.request("POST", "/auth/set-password", "", map[string]string{"token": token, "password": password}, nil)
		if status != http.StatusOK || !strings.Contains(string(body), invited.User.ID) {
			t.Fatalf("set-password: %d %s", status, body)
		}
		sessionCookie(t, resp)
		if status, _, _ := h.request("POST", "/auth/set-password", "", map[string]string{"token": token, "password": password + "2"}, nil); status != http.StatusBadRequest {
			t.Errorf("the invitation used twice: %d, want 400", status)
		}
		adminToken := h.login(invited.User.Email, password)
		h.tokens["newAdmin"] = adminToken
		secretsSeen = append(secretsSeen, adminToken)

		// An expired invitation does not work.
		r = h.gql("staffA", `mutation { inviteUser(input: {email: "late@kaskkivi.example", role: PSP_OPERATOR}) { invitationUrl } }`, nil).MustData(t)
		var late struct{ InvitationURL string }
		r.Field(t, "inviteUser", &late)
		lateLink, _ := url.Parse(late.InvitationURL)
		h.app.DB.Ent.User.Update().Where(user.EmailEQ("late@kaskkivi.example")).SetInviteExpiresAt(time.Now().Add(-time.Minute)).ExecX(sys)
		if status, _, _ := h.request("POST", "/auth/set-password", "", map[string]string{"token": lateLink.Query().Get("token"), "password": password}, nil); status != http.StatusBadRequest {
			t.Errorf("an expired invitation: %d, want 400", status)
		}

		// The new admin makes a key for company a and shop a.
		r = h.gqlToken(adminToken, `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) {
			apiKey { id name prefix scopes active company { id } shop { id } createdBy { id } expiresAt revokedAt lastUsedAt }
			secret userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"companyId": w.ByName["company A1/a"].ID, "shopId": w.ByName["shop A1/a"].ID,
				"name": "Shop integration", "scopes": []string{"orders:read"}}}).MustData(t)
		var created struct {
			APIKey struct {
				ID, Name, Prefix string
				Scopes           []string
				Active           bool
				Company, Shop    struct{ ID string }
				CreatedBy        struct{ ID string }
			}
			Secret     string
			UserErrors []any
		}
		r.Field(t, "createApiKey", &created)
		if len(created.UserErrors) > 0 || !strings.HasPrefix(created.Secret, "pk_test_"+created.APIKey.Prefix+"_") ||
			created.APIKey.CreatedBy.ID != invited.User.ID || !created.APIKey.Active || !slices.Equal(created.APIKey.Scopes, []string{"orders:read"}) {
			t.Fatalf("createApiKey: %s", r.Body)
		}
		key := created.Secret
		secretsSeen = append(secretsSeen, key, key[strings.LastIndex(key, "_")+1:])

		// The key reads its own shop's orders, seeded directly, and nothing else.
		r = h.gqlToken(key, `{ orders(first: 100) { totalCount edges { node { id reference } } } }`, nil).MustData(t)
		var orders struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
		r.Field(t, "orders", &orders)
		if orders.TotalCount != 1 || len(orders.Edges) != 1 || orders.Edges[0].Node.ID != w.ByName["order A1/a/a"].ID {
			t.Errorf("the key's orders: %s, want only order A1/a/a", r.Body)
		}
		for _, other := range []string{"order A1/a/b", "order A1/b/a", "order A2/a/a", "order B1/a/a"} {
			r := h.gqlToken(key, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.ByName[other].ID})
			if !slices.Contains(r.Codes(), "NOT_FOUND") || strings.Contains(r.Body, w.ByName[other].Marker) {
				t.Errorf("the key reads %s: %s", other, r.Body)
			}
		}
		// Its last use is recorded, off the request path.
		deadline := time.Now().Add(5 * time.Second)
		for h.app.DB.Ent.APIKey.GetX(sys, created.APIKey.ID).LastUsedAt == nil {
			if time.Now().After(deadline) {
				t.Fatal("the key's last use was never recorded")
			}
			time.Sleep(20 * time.Millisecond)
		}

		// The listing shows it, without its secret.
		r = h.gqlToken(adminToken, `{ apiKeys(first: 50) { edges { node { id name prefix scopes company { id } shop { id }
			createdBy { email } lastUsedAt expiresAt revokedAt active } } } }`, nil).MustData(t)
		if !strings.Contains(r.Body, created.APIKey.ID) || !strings.Contains(r.Body, "new.admin@kaskkivi.example") ||
			strings.Contains(r.Body, created.Secret[len(created.Secret)-20:]) {
			t.Errorf("the key listing: %s", r.Body)
		}
		if strings.Contains(r.Body, w.ByName["api key keyA2"].ID) {
			t.Error("the listing shows another merchant's key")
		}

		// Revoked: the key stops at once.
		r = h.gqlToken(adminToken, `mutation($in: RevokeApiKeyInput!) { revokeApiKey(input: $in) { apiKey { revokedAt active } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"apiKeyId": created.APIKey.ID}}).MustData(t)
		if !strings.Contains(r.Body, `"active":false`) {
			t.Errorf("revokeApiKey: %s", r.Body)
		}
		if r := h.gqlToken(key, `{ orders { totalCount } }`, nil); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "revoked") {
			t.Errorf("a revoked key: %d %s", r.Status, r.Body)
		}

		// Expired: a key whose time has come stops at once; a past expiry is refused.
		r = h.gqlToken(adminToken, `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { apiKey { id } secret userErrors { code field } } }`,
			map[string]any{"in": map[string]any{"companyId": w.ByName["company A1/a"].ID, "shopId": w.ByName["shop A1/a"].ID,
				"name": "Short-lived", "expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339)}}).MustData(t)
		var shortLived struct {
			APIKey struct{ ID string }
			Secret string
		}
		r.Field(t, "createApiKey", &shortLived)
		secretsSeen = append(secretsSeen, shortLived.Secret)
		h.gqlToken(shortLived.Secret, `{ viewer { id } }`, nil).MustData(t)
		h.app.DB.Ent.APIKey.Update().Where(apikey.ID(shortLived.APIKey.ID)).SetExpiresAt(time.Now().Add(-time.Second)).ExecX(sys)
		if r := h.gqlToken(shortLived.Secret, `{ viewer { id } }`, nil); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "expired") {
			t.Errorf("an expired key: %d %s", r.Status, r.Body)
		}
		r = h.gqlToken(adminToken, `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret userErrors { code field } } }`,
			map[string]any{"in": map[string]any{"companyId": w.ByName["company A1/a"].ID, "shopId": w.ByName["shop A1/a"].ID,
				"name": "Expired", "expiresAt": time.Now().Add(-time.Hour).Format(time.RFC3339)}}).MustData(t)
		if !strings.Contains(r.Body, `"expiresAt"`) || !strings.Contains(r.Body, "VALIDATION") || !strings.Contains(r.Body, `"secret":null`) {
			t.Errorf("a key expiring in the past: %s", r.Body)
		}

		// The audit trail: who did what to which objects, readable by the merchant's
		// admins and the PSP's staff, not by another merchant; no secret in it.
		trail := `{ auditEvents(first: 100, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node {
			actorType actorID actorLabel action objectIds merchantID input } } } }`
		r = h.gqlToken(adminToken, trail, nil).MustData(t)
		var events struct {
			Edges []struct {
				Node struct {
					ActorType, ActorID, Action string
					ObjectIds                  []string
					MerchantID                 *string
					Input                      *string
				}
			}
		}
		r.Field(t, "auditEvents", &events)
		var actions []string
		for _, e := range events.Edges {
			n := e.Node
			actions = append(actions, n.Action)
			if n.Action == "createApiKey" && n.ObjectIds[0] == created.APIKey.ID &&
				(n.ActorType != "USER" || n.ActorID != invited.User.ID || n.Input == nil || !strings.Contains(*n.Input, "Shop integration")) {
				t.Errorf("the createApiKey event: %+v", n)
			}
		}
		for _, want := range []string{"inviteUser", "createApiKey", "revokeApiKey"} {
			if !slices.Contains(actions, want) {
				t.Errorf("the merchant admin's trail has no %s: %v", want, actions)
			}
		}
		if r := h.gql("staffA", trail, nil).MustData(t); !strings.Contains(r.Body, created.APIKey.ID) {
			t.Errorf("the PSP admin does not see the merchant's events: %s", r.Body)
		}
		if r := h.gql("adminA2", trail, nil).MustData(t); strings.Contains(r.Body, created.APIKey.ID) || strings.Contains(r.Body, "inviteUser") {
			t.Errorf("another merchant's admin sees the events: %s", r.Body)
		}
		if r := h.gql("staffB", trail, nil).MustData(t); strings.Contains(r.Body, created.APIKey.ID) {
			t.Errorf("another PSP sees the events: %s", r.Body)
		}

		// A mutation's secrets stay out of the trail (configureProvider takes a password).
		r = h.gql("staffA", `mutation($in: ConfigureProviderInput!) { configureProvider(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"provider": "BILLIE", "baseUrl": "https://billie.example", "username": "psp-a",
				"password": "provider-password-xyz", "webhookSecret": "webhook-secret-xyz"}})
		secretsSeen = append(secretsSeen, "provider-password-xyz", "webhook-secret-xyz")
		r = h.gql("staffA", trail, nil).MustData(t)
		if !strings.Contains(r.Body, "configureProvider") || !strings.Contains(r.Body, "REDACTED") {
			t.Errorf("configureProvider in the trail: %s", r.Body)
		}

		// Nothing secret in clear: not in any table, not in the logs.
		secretsSeen = append(secretsSeen, tenanttest.Password)
		for _, a := range w.Actors {
			if a.Key != "" {
				secretsSeen = append(secretsSeen, a.Key, a.Key[strings.LastIndex(a.Key, "_")+1:])
			}
		}
		for _, tok := range h.tokens {
			secretsSeen = append(secretsSeen, tok)
		}
		dump := fmt.Sprint(h.snapshot(t))
		logs := h.logs.String()
		if !strings.Contains(logs, `"path":"/auth/login"`) {
			t.Fatal("the server logged nothing: the log capture does not work")
		}
		for _, s := range secretsSeen {
			if strings.Contains(dump, s) {
				t.Errorf("the database holds a secret in clear: %.12s…", s)
			}
			if strings.Contains(logs, s) {
				t.Errorf("the logs hold a secret in clear: %.12s…", s)
			}
		}
	})
}

// TestEveryRootFieldCarriesAuth: the schema declares who may call each Query and
// Mutation field (@auth); introspection needs credentials too (graph/limits.go).
func TestEveryRootFieldCarriesAuth(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	for _, root := range []string{"Query", "Mutation"} {
		for _, f := range s.Types[root].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Directives.ForName("auth") == nil {
				t.Errorf("%s.%s has no @auth: say who may call it", root, f.Name)
			}
		}
	}
}

// TestQueryComplexityIsLimited: an abusive query is refused with a clear message, and
// every answer carries its cost.
func TestQueryComplexityIsLimited(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	r := h.gql("staffA", "{ merchants(first: 10) { edges { node { id name } } } }", nil).MustData(t)
	cost, _ := r.Extensions["cost"].(map[string]any)
	if cost == nil || cost["requested"] == nil || cost["limit"] != float64(graph.ComplexityLimit) {
		t.Errorf("extensions.cost = %v in %s", r.Extensions, r.Body)
	}
	abusive := `{ merchants(first: 100) { edges { node { orders(first: 100) { edges { node {
		items { sku } fulfilments { lines { quantity } } refunds { lines { quantity } } } } } } } } }`
	r = h.gql("staffA", abusive, nil)
	if !slices.Contains(r.Codes(), "COMPLEXITY_LIMIT_EXCEEDED") || !strings.Contains(r.Errors[0].Message, fmt.Sprint(graph.ComplexityLimit)) {
		t.Errorf("an abusive query: %s", r.Body)
	}
	if r.Data != nil && string(r.Data["merchants"]) != "" && string(r.Data["merchants"]) != "null" {
		t.Errorf("an abusive query was run: %s", r.Body)
	}
}
