package clientaddr

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestResolve(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxies trusted: the header is ignored", "203.0.113.9:5000", []string{"1.2.3.4"}, nil, "203.0.113.9"},
		{"an untrusted peer cannot claim an address", "203.0.113.9:5000", []string{"1.2.3.4"}, lb, "203.0.113.9"},
		{"behind the load balancer: the hop it appended", "10.0.0.5:5000", []string{"6.6.6.6, 198.51.100.7"}, lb, "198.51.100.7"},
		{"several trusted hops are skipped", "10.0.0.5:5000", []string{"198.51.100.7", "10.1.1.1"}, lb, "198.51.100.7"},
		{"a garbled hop stops the walk", "10.0.0.5:5000", []string{"198.51.100.7, nonsense"}, lb, "10.0.0.5"},
		{"only trusted hops: the leftmost", "10.0.0.5:5000", []string{"10.2.2.2"}, lb, "10.2.2.2"},
		{"IPv6 peer", "[2001:db8::1]:443", nil, lb, "2001:db8::1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := Resolve(r, c.trusted); got.String() != c.want {
				t.Fatalf("Resolve = %s, want %s", got, c.want)
			}
		})
	}
}
