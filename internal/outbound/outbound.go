// Package outbound is the one HTTP client for URLs a user gives (merchant callbacks
// today): whatever the URL says, it cannot be aimed at the server's own network.
//
//   - The dialer checks the address it is about to connect to, after DNS resolution
//     (net.Dialer.Control), so a name that resolves — or re-resolves — to an
//     internal address is refused: loopback, private (RFC 1918), CGNAT (100.64/10),
//     link-local (169.254/16 — cloud metadata — and fe80::/10), unique-local
//     (fc00::/7), multicast, unspecified, broadcast and reserved ranges, and the
//     IPv4-mapped, NAT64 and 6to4 forms of them.
//   - No proxy from the environment: the check must see the real destination.
//   - Redirects are not followed: a 3xx is the answer (a callback retries it).
//   - Each request is bounded in time and its response body in size.
//
// AllowPrivate (CALLBACKS_ALLOW_PRIVATE=true) lifts the address rule for local
// development, where the merchant's test server is on localhost. Never in production.
package outbound

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 64 << 10
)

// Options tune the client.
type Options struct {
	// AllowPrivate lets the client reach internal addresses (local development only).
	AllowPrivate bool
	// Timeout bounds a whole request, body included; zero is DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes bounds a response body; reading past it fails with
	// ErrResponseTooLarge. Zero is DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// ErrForbiddenAddress is the dial error for an address the client may not reach.
var ErrForbiddenAddress = errors.New("outbound: destination address is not public")

// ErrResponseTooLarge: the response body exceeded MaxResponseBytes.
var ErrResponseTooLarge = errors.New("outbound: response body too large")

// NewClient builds the client.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	d := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		d.Control = refuseInternal
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: limitBody{tr, o.MaxResponseBytes},
		Timeout:   o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// refuseInternal is the dialer's Control: it runs with the resolved address of
// every connection attempt.
func refuseInternal(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// internal are the ranges no user-given URL may reach, beyond what netip classifies
// (loopback, private, link-local, multicast, unspecified).
var internal = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("fc00::/7"),        // unique local
	netip.MustParsePrefix("fec0::/10"),       // site local (deprecated)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// Public tells whether an address may be reached by a user-given URL. Addresses
// that embed an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) are
// judged by the address they embed.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is6() {
		b := a.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(a):
			return Public(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case netip.MustParsePrefix("2002::/16").Contains(a):
			return Public(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range internal {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// limitBody caps every response body.
type limitBody struct {
	rt  http.RoundTripper
	max int64
}

func (l limitBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: l.max}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells a body of exactly the cap from a larger one.
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
