package outbound_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/outbound"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700:4700::1111": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.5.6.7": false, "::1": false, "0.0.0.0": false, "::": false,
		"10.1.2.3": false, "172.16.0.1": false, "172.31.255.255": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "100.64.0.1": false, "100.127.255.255": false,
		"fc00::1": false, "fd12:3456::1": false, "224.0.0.1": false, "ff02::1": false,
		"255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"::ffff:8.8.8.8": true, "64:ff9b::7f00:1": false, "64:ff9b::808:808": true,
		"2002:7f00:1::": false, "2002:808:808::": true, "198.18.0.1": false,
	} {
		if got := outbound.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestInternalAddressesRefused: a loopback server is unreachable by its IP and by a
// name resolving to it (the check runs on the resolved address), and reachable when
// private addresses are allowed (local development).
func TestInternalAddressesRefused(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c := outbound.NewClient(outbound.Options{})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		_, err := c.Post(u, "application/json", strings.NewReader("{}"))
		if !errors.Is(err, outbound.ErrForbiddenAddress) {
			t.Errorf("POST %s: %v, want ErrForbiddenAddress", u, err)
		}
	}
	if hits != 0 {
		t.Errorf("the internal server was reached %d times", hits)
	}
	resp, err := outbound.NewClient(outbound.Options{AllowPrivate: true}).Post(srv.URL, "application/json", nil)
	if err != nil || resp.StatusCode != 200 || hits != 1 {
		t.Fatalf("with AllowPrivate: %v %v hits=%d", resp, err, hits)
	}
	_ = resp.Body.Close()
}

// TestNoRedirectsAndCappedBodies: a redirect is the answer, not followed, and a
// body beyond the cap fails to read.
func TestNoRedirectsAndCappedBodies(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/inner", http.StatusTemporaryRedirect)
		case "/inner":
			followed = true
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 1000)))
		}
	}))
	defer srv.Close()
	c := outbound.NewClient(outbound.Options{AllowPrivate: true, MaxResponseBytes: 100})
	resp, err := c.Post(srv.URL+"/redirect", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect || followed {
		t.Fatalf("redirect: %v %v followed=%v", resp, err, followed)
	}
	_ = resp.Body.Close()
	resp, err = c.Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); !errors.Is(err, outbound.ErrResponseTooLarge) || len(b) != 100 {
		t.Errorf("big body: %d bytes, %v", len(b), err)
	}
}
