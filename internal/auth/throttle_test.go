package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHashGateServesKnownAccountsFirst: with the hash busy, an attempt at an existing
// account goes before unknown-email attempts that queued earlier, the unknown queue
// is short, and one address cannot queue more than perAddress attempts.
func TestHashGateServesKnownAccountsFirst(t *testing.T) {
	g := newHashGate(2, 1, time.Second, time.Second)
	ctx := context.Background()
	release, err := g.acquire(ctx, "a", false)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 2)
	go func() {
		r, err := g.acquire(ctx, "junk", false)
		if err == nil {
			order <- "unknown"
			r()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := g.acquire(ctx, "junk2", false); !errors.Is(err, ErrBusy) {
		t.Fatalf("a second unknown attempt with the unknown queue full: %v, want ErrBusy", err)
	}
	go func() {
		r, err := g.acquire(ctx, "owner", true)
		if err == nil {
			order <- "known"
			r()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	release()
	if first := <-order; first != "known" {
		t.Fatalf("%s went first, want the known account", first)
	}
	<-order
	r1, _ := g.acquire(ctx, "same", true)
	go func() {
		r, err := g.acquire(ctx, "same", true)
		if err == nil {
			r()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := g.acquire(ctx, "same", true); !errors.Is(err, ErrBusy) {
		t.Fatalf("a third attempt of one address: %v, want ErrBusy", err)
	}
	r1()
}

func TestSlowdownNeverRefuses(t *testing.T) {
	for failures, want := range map[int]time.Duration{0: 0, 5: 0, 6: 250 * time.Millisecond, 7: 500 * time.Millisecond,
		8: time.Second, 9: 2 * time.Second, 100: 2 * time.Second} {
		if got := slowdown(failures, 5, 2*time.Second); got != want {
			t.Errorf("slowdown(%d) = %s, want %s", failures, got, want)
		}
	}
}
