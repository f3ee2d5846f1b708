package merchants

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// FuzzValidators feeds every onboarding validator arbitrary text: none panics, and
// what a validator accepts is within its documented bound and shape.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"", "Kask & Kivi OÜ", "owner@kaskkivi.ee", "https://shop.example/x", "et", "EUR",
		"12.50", "-1", "1e9", "EE", "ee ", strings.Repeat("ä", 201), "http://user@host/", "\x00", "mailto:a@b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p problems
		if v := p.text("name", s, true, maxNameLen); len(p.r.Problems) == 0 && (v == "" || utf8.RuneCountInString(v) > maxNameLen) {
			t.Fatalf("text accepted %q", v)
		}
		p = problems{}
		if v := p.email("email", s); len(p.r.Problems) == 0 && v != "" && (!strings.Contains(v, "@") || domain.TooLong(v, domain.MaxEmailLen)) {
			t.Fatalf("email accepted %q", v)
		}
		p = problems{}
		if v := p.webURL("url", s); len(p.r.Problems) == 0 && v != "" && (len(v) > maxURLLen || !strings.HasPrefix(strings.ToLower(v), "http")) {
			t.Fatalf("webURL accepted %q", v)
		}
		p = problems{}
		if v := p.lang("lang", s); len(p.r.Problems) == 0 && len(v) != 2 {
			t.Fatalf("lang accepted %q", v)
		}
		p = problems{}
		if c := p.currency("currency", s); len(p.r.Problems) == 0 && len(c) != 3 {
			t.Fatalf("currency accepted %q as %q", s, c)
		}
		p = problems{}
		if m, ok := p.amount([]string{"amount"}, s, "EUR"); ok && m.IsNegative() {
			t.Fatalf("amount accepted a negative %q", s)
		}
		if c, ok := NormalizeCountry(s); ok && (len(c) != 2 || c != strings.ToUpper(c)) {
			t.Fatalf("NormalizeCountry(%q) = %q", s, c)
		}
	})
}
