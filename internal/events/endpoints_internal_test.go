package events

import (
	"errors"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestEndpointURLRules: an endpoint URL obeys the bounds of every URL a user gives
// (domain.MaxURLLen, absolute http(s)) and names no internal address unless
// CALLBACKS_ALLOW_PRIVATE.
func TestEndpointURLRules(t *testing.T) {
	public, private := &Service{}, &Service{cfg: Config{AllowPrivate: true}}
	long := "https://merchant.example/" + strings.Repeat("a", domain.MaxURLLen)
	for _, c := range []struct {
		s    *Service
		url  string
		want bool // accepted
	}{
		{public, "https://merchant.example/hooks", true},
		{public, "http://merchant.example:8080/hooks", true},
		{public, long, false},
		{public, "/hooks", false},
		{public, "ftp://merchant.example/hooks", false},
		{public, "https://", false},
		{public, "http://127.0.0.1/hooks", false},
		{public, "http://localhost:8080/hooks", false},
		{public, "http://169.254.169.254/latest/meta-data", false},
		{public, "http://10.0.0.7/hooks", false},
		{public, "http://[::1]/hooks", false},
		{private, "http://127.0.0.1:9000/hooks", true},
		{private, long, false},
	} {
		r := c.s.checkURL(c.url)
		if got := r == nil; got != c.want {
			t.Errorf("%.60q (allow private %v): accepted %v, want %v (%v)", c.url, c.s.cfg.AllowPrivate, got, c.want, r)
		}
		if r != nil && !errors.Is(r, ErrInvalidEndpoint) {
			t.Errorf("%.60q: refusal %v is not ErrInvalidEndpoint", c.url, r)
		}
	}
}
