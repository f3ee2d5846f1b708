package auth

import (
	"strings"
	"testing"
)

// FuzzValidEmailBound: an accepted login email is a plain address of at most 254
// characters, normalised to itself.
func FuzzValidEmailBound(f *testing.F) {
	for _, s := range []string{"owner@kaskkivi.ee", "a@b", "A@B.CD", "<a@b.c>", "a b@c.d", strings.Repeat("a", 250) + "@b.cd", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidEmail(s) {
			return
		}
		if len(s) > 254 || !strings.Contains(s, "@") || strings.ContainsAny(s, " <>") {
			t.Fatalf("ValidEmail accepted %q", s)
		}
	})
}
