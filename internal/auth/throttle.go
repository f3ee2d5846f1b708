package auth

import (
	"context"
	"sync"
	"time"
)

// The hash gate's bounds: one hash at a time takes ~0.1–0.25 s, so a handful waiting
// is a second or two of work queued. Unknown emails have a shorter queue and a
// shorter wait of their own, so they can never fill the known ones' queue, and a
// known account waits longer before it is turned away (an overloaded machine hashes
// slowly).
const (
	loginQueueKnown   = 8
	loginQueueUnknown = 4
	loginWaitKnown    = 5 * time.Second
	loginWaitUnknown  = time.Second
	perAddress        = 2 // attempts of one client address in the gate at once
)

// hashGate bounds the argon2id work logins may cause, so anonymous traffic cannot
// starve real logins. One hash runs at a time (argonSlots: each takes 64 MiB); at
// most maxWaiting attempts of each kind wait, each at most its maxWait, and one client address has at
// most perAddress attempts in the gate — the excess is ErrBusy at once, before any hashing.
// Attempts for an existing account go before attempts for unknown emails, so a
// flood of made-up emails delays a real login by one hash at most.
//
// The trade-off: under such a flood an unknown email waits longer than a known one,
// which a patient attacker could time; without load both take one hash (Login).
type hashGate struct {
	maxWaiting [2]int
	maxWait    [2]time.Duration

	mu      sync.Mutex
	running bool
	queue   [2][]chan struct{} // 0: known accounts, 1: unknown emails
	perAddr map[string]int
}

func newHashGate(known, unknown int, waitKnown, waitUnknown time.Duration) *hashGate {
	return &hashGate{maxWaiting: [2]int{known, unknown}, maxWait: [2]time.Duration{waitKnown, waitUnknown}, perAddr: map[string]int{}}
}

// acquire waits for the turn of one attempt from addr and answers the function that
// ends it.
func (g *hashGate) acquire(ctx context.Context, addr string, known bool) (release func(), err error) {
	g.mu.Lock()
	if g.perAddr[addr] >= perAddress {
		g.mu.Unlock()
		return nil, ErrBusy
	}
	if !g.running {
		g.running = true
		g.perAddr[addr]++
		g.mu.Unlock()
		return g.releaser(addr), nil
	}
	prio := 1
	if known {
		prio = 0
	}
	if len(g.queue[prio]) >= g.maxWaiting[prio] {
		g.mu.Unlock()
		return nil, ErrBusy
	}
	turn := make(chan struct{})
	g.queue[prio] = append(g.queue[prio], turn)
	g.perAddr[addr]++
	g.mu.Unlock()

	t := time.NewTimer(g.maxWait[prio])
	defer t.Stop()
	select {
	case <-turn:
		return g.releaser(addr), nil
	case <-t.C:
		err = ErrBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, c := range g.queue[prio] {
		if c == turn {
			g.queue[prio] = append(g.queue[prio][:i], g.queue[prio][i+1:]...)
			g.done(addr)
			return nil, err
		}
	}
	// The turn came just as the wait ended: take it.
	return g.releaser(addr), nil
}

func (g *hashGate) releaser(addr string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.done(addr)
			for p := range g.queue {
				if len(g.queue[p]) > 0 {
					next := g.queue[p][0]
					g.queue[p] = g.queue[p][1:]
					close(next) // the slot passes on: running stays true
					return
				}
			}
			g.running = false
		})
	}
}

// done forgets one attempt of addr; the caller holds g.mu.
func (g *hashGate) done(addr string) {
	if g.perAddr[addr]--; g.perAddr[addr] <= 0 {
		delete(g.perAddr, addr)
	}
}

// slowdown is the wait before checking a password of an account that has had
// failures failed attempts in the window (from any address): none up to after, then
// doubling from 250 ms up to max. It slows a distributed guesser down without ever
// refusing the owner, whose right password still works after the wait.
func slowdown(failures, after int, max time.Duration) time.Duration {
	if failures <= after {
		return 0
	}
	d := 250 * time.Millisecond
	for i := after + 1; i < failures && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
