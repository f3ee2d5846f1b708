package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/app/apptest"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// throttleAnswer is a GraphQL answer with what the throttle says.
type throttleAnswer struct {
	status     int
	retryAfter string
	Errors     []struct {
		Message    string
		Extensions map[string]any
	}
	Extensions struct {
		Cost struct {
			RequestedQueryCost int
			ThrottleStatus     *struct{ MaximumAvailable, CurrentlyAvailable, RestoreRate int }
		}
	}
}

func postGraphQL(t *testing.T, url, token, query string) throttleAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest("POST", url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a throttleAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	return a
}

// TestThrottle: an API key's cost bucket is one on PostgreSQL, whichever instance
// answers (on SQLite, one process, one instance): every answer carries
// extensions.cost.throttleStatus, and the request the bucket cannot pay is HTTP 429
// with Retry-After and THROTTLED, on every instance. A login session has a bucket
// of its own. Before, there was no throttle: every request was served.
func TestThrottle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		budget := limits.Budget{Max: graph.ComplexityLimit, Restore: 1}
		small := func(c *config.Config) { c.APIKeyThrottle = budget }
		a := apptest.Start(t, d, secret, small)
		urls := []string{a.URL}
		if d.IsPostgres() {
			urls = append(urls, startInstance(t, d, small).url) // a second instance, same database
		}
		checkThrottle(t, urls, a.World.Actors["keyA1"].Key, budget)
		// A login session pays from its own bucket, with the session budget.
		session := loginToken(t, a.URL, a.World.Actors["adminA1"].Email)
		ans := postGraphQL(t, a.URL, session, throttleQuery)
		_, want := config.Config{}.Throttles()
		if st := ans.Extensions.Cost.ThrottleStatus; ans.status != http.StatusOK || st == nil || st.MaximumAvailable != want.Max {
			t.Errorf("a session's bucket: %d %+v", ans.status, st)
		}
	})
}

// throttleQuery is a page of orders with their items: thousands of points.
const throttleQuery = `{ orders(first: 100) { edges { node { id reference items { id sku name } fulfilments { id lines { id } } refunds { id lines { id } } } } } }`

// checkThrottle spends key's bucket of budget (restoring 1 point a second) taking
// turns among the instances at urls, each answer showing what the others took,
// then sees every instance refuse.
func checkThrottle(t *testing.T, urls []string, key string, budget limits.Budget) {
	t.Helper()
	first := postGraphQL(t, urls[0], key, throttleQuery)
	cost := first.Extensions.Cost.RequestedQueryCost
	if first.status != http.StatusOK || len(first.Errors) > 0 || cost < budget.Max/20 {
		t.Fatalf("first answer: %d %+v (cost %d should be a twentieth of the bucket at least)", first.status, first.Errors, cost)
	}
	st := first.Extensions.Cost.ThrottleStatus
	if st == nil || st.MaximumAvailable != budget.Max || st.RestoreRate != 1 || st.CurrentlyAvailable != budget.Max-cost {
		t.Fatalf("throttleStatus after one query: %+v, want %d of %d", st, budget.Max-cost, budget.Max)
	}
	left := budget.Max - cost
	for i := 1; left >= cost; i++ {
		in := i % len(urls)
		ans := postGraphQL(t, urls[in], key, throttleQuery)
		if ans.status != http.StatusOK || ans.Extensions.Cost.ThrottleStatus == nil {
			t.Fatalf("with %d left: %d %+v", left, ans.status, ans.Errors)
		}
		// This instance saw what the others took (the restore adds a point a second).
		if got := ans.Extensions.Cost.ThrottleStatus.CurrentlyAvailable; got < left-cost || got > left-cost+5 {
			t.Fatalf("instance %d: %d available, want %d: the bucket is not shared", in, got, left-cost)
		}
		left -= cost
	}
	for in, url := range urls {
		ans := postGraphQL(t, url, key, throttleQuery)
		if ans.status != http.StatusTooManyRequests || len(ans.Errors) != 1 || ans.Errors[0].Extensions["code"] != "THROTTLED" {
			t.Fatalf("instance %d with %d left of a %d query: %d %+v, want 429 THROTTLED", in, left, cost, ans.status, ans.Errors)
		}
		wait, err := strconv.Atoi(ans.retryAfter)
		if err != nil || wait < (cost-left-5) || wait > cost-left {
			t.Errorf("Retry-After %q, want about %d s (restoring 1 a second)", ans.retryAfter, cost-left)
		}
		if st := ans.Extensions.Cost.ThrottleStatus; st == nil || st.CurrentlyAvailable > left+5 {
			t.Errorf("a refused request pays nothing and says what is left: %+v", st)
		}
	}
}

func loginToken(t *testing.T, url, email string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": tenanttest.Password})
	resp, err := http.Post(url+"/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return out.Token
}
