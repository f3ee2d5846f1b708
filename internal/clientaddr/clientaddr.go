// Package clientaddr decides which address a request comes from, for login
// throttling and logs. It replaces chi's middleware.RealIP, which believed any
// X-Forwarded-For and so let every guess claim a new address.
//
// The rule: the TCP peer is the client, unless the peer is one of the trusted proxies
// (TRUSTED_PROXIES, CIDRs; none by default). Then X-Forwarded-For is read from the
// right — each proxy appends the address it saw — skipping trusted hops, and the
// first address not trusted is the client. Whatever a client writes at the left of
// the header is never reached while a trusted proxy appended the real peer after it.
package clientaddr

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey struct{}

// Middleware puts the client address, decided with trusted, into each request's context.
func Middleware(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := Resolve(r, trusted)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)))
		})
	}
}

// From answers the address Middleware decided, or the TCP peer when it did not run.
func From(r *http.Request) netip.Addr {
	if a, ok := FromContext(r.Context()); ok {
		return a
	}
	return peer(r)
}

// FromContext answers the address Middleware put into ctx.
func FromContext(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(ctxKey{}).(netip.Addr)
	return a, ok
}

// Resolve applies the rule of the package doc to one request.
func Resolve(r *http.Request, trusted []netip.Prefix) netip.Addr {
	client := peer(r)
	if !isTrusted(client, trusted) {
		return client
	}
	hops := r.Header.Values("X-Forwarded-For")
	var all []string
	for _, h := range hops {
		all = append(all, strings.Split(h, ",")...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(all[i]))
		if err != nil {
			return client // a hop we cannot read: the last trusted one is all we know
		}
		client = a.Unmap()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return a.Unmap()
}
