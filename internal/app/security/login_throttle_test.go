package security_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// behindProxy trusts the test client (127.0.0.1) as the load balancer, so each request
// names its client in X-Forwarded-For.
func behindProxy(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

func (h *harness) loginFrom(addr, email, password string) response {
	h.t.Helper()
	var hdr http.Header
	if addr != "" {
		hdr = http.Header{"X-Forwarded-For": {addr}}
	}
	return h.do("POST", "/auth/login", "", jsonBody(map[string]string{"email": email, "password": password}), hdr)
}

// Finding 5a: X-Forwarded-For was believed from anyone, so each guess claimed a new
// address and the per-address limit never applied.
func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	for i := range auth.DefaultLimits.PerIP {
		got := h.loginFrom(fmt.Sprintf("198.51.100.%d", i), fmt.Sprintf("guess%d@nowhere.example", i), "wrong-password")
		if got.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s", i, got.status, got.body)
		}
	}
	got := h.loginFrom("198.51.100.250", "guess-last@nowhere.example", "wrong-password")
	if got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures from one peer claiming new addresses: %d, want 429 with Retry-After", auth.DefaultLimits.PerIP, got.status)
	}
}

// Finding 5b: ten wrong passwords from ten addresses locked the owner out for 15
// minutes. Now the guesser's own address pair is limited and the account only slows
// down: the owner, from their address, logs in.
func TestGuessesNeverLockTheOwnerOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d, behindProxy)
		owner := h.world.Actors["staffA"]
		for i := range 12 {
			if got := h.loginFrom(fmt.Sprintf("203.0.113.%d", i), owner.Email, "wrong-password-"+fmt.Sprint(i)); got.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s", i, got.status, got.body)
			}
		}
		start := time.Now()
		got := h.loginFrom("192.0.2.44", owner.Email, tenanttest.Password)
		took := time.Since(start)
		if got.status != http.StatusOK {
			t.Fatalf("the owner after 12 guesses from 12 addresses: %d %s, want 200", got.status, got.body)
		}
		if max := auth.DefaultLimits.MaxDelay + 2*time.Second; took > max {
			t.Errorf("the owner's login took %s, want at most the slowdown cap plus a hash (%s)", took, max)
		}
		t.Logf("owner's login after 12 distributed guesses: %s (slowed down, not refused)", took.Round(time.Millisecond))
		// One address guessing one account is refused after PerAccount failures.
		for i := range auth.DefaultLimits.PerAccount {
			h.loginFrom("203.0.113.200", h.world.Actors["operatorA"].Email, "wrong-"+fmt.Sprint(i))
		}
		got = h.loginFrom("203.0.113.200", h.world.Actors["operatorA"].Email, tenanttest.Password)
		if got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") == "" {
			t.Errorf("the guessing address after %d failures: %d, want 429 with Retry-After", auth.DefaultLimits.PerAccount, got.status)
		}
		if got := h.loginFrom("192.0.2.45", h.world.Actors["operatorA"].Email, tenanttest.Password); got.status != http.StatusOK {
			t.Errorf("the same account from another address: %d, want 200", got.status)
		}
	})
}

// Finding 5c: sixteen junk logins in parallel made a real login take 4 s (one global
// argon2 slot, first come first served).
func TestJunkLoginsDoNotStarveRealOnes(t *testing.T) {
	h := start(t, testdb.SQLite(t), behindProxy)
	owner := h.world.Actors["adminA1"]
	h.loginFrom("192.0.2.1", owner.Email, tenanttest.Password) // warm up (the dummy hash, the pool)
	one := time.Now()
	h.loginFrom("192.0.2.1", owner.Email, tenanttest.Password)
	hash := time.Since(one)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				got := h.loginFrom(fmt.Sprintf("198.18.%d.%d", i, n%250), fmt.Sprintf("junk%d-%d@nowhere.example", i, n), "wrong-password")
				mu.Lock()
				statuses[got.status]++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // the flood is under way
	var worst time.Duration
	for range 3 {
		start := time.Now()
		got := h.loginFrom("192.0.2.7", owner.Email, tenanttest.Password)
		took := time.Since(start)
		worst = max(worst, took)
		if got.status != http.StatusOK {
			t.Errorf("a real login during the flood: %d %s", got.status, got.body)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("one login alone: %s; a real login under 16 parallel junk logins: worst of 3 %s; junk answers %v",
		hash.Round(time.Millisecond), worst.Round(time.Millisecond), statuses)
	// The bound: about one junk hash ahead of it, and its own; never seconds on a
	// machine where one login takes a fraction of one.
	if worst > max(1500*time.Millisecond, 3*hash) {
		t.Errorf("a real login under 16 junk logins took %s; alone %s", worst, hash)
	}
}

// Finding 5d: /auth/set-password hashed a long password before checking the token.
func TestSetPasswordChecksBeforeHashing(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	setPassword := func(token, password string) response {
		return h.do("POST", "/auth/set-password", "", jsonBody(map[string]string{"token": token, "password": password}), nil)
	}
	if got := setPassword("made-up", strings.Repeat("p", 40<<10)); got.status != http.StatusBadRequest || !strings.Contains(string(got.body), "at most") {
		t.Errorf("a 40 KiB password: %d %s, want 400 naming the bound", got.status, got.body)
	}
	one := time.Now()
	if _, err := auth.HashPassword("a-password-to-time"); err != nil {
		t.Fatal(err)
	}
	hash := time.Since(one)
	start := time.Now()
	for range 5 {
		if got := setPassword("made-up-token", strings.Repeat("p", auth.MaxPasswordLength)); got.status != http.StatusBadRequest {
			t.Fatalf("a made-up token: %d %s", got.status, got.body)
		}
	}
	if took := time.Since(start); took > 2*hash {
		t.Errorf("5 made-up tokens took %s, one hash %s: the password is hashed before the token is checked", took, hash)
	}
}
