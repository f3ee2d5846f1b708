package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseDate: a date is accepted only as a real calendar day, written back as given.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-21", "2026-02-30", "2026-2-3", "", "9999-12-31", "0000-01-01", "2026-11-21T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if string(d) != s || d.Time().IsZero() && s != "0001-01-01" || DateOf(d.Time()) != d {
			t.Fatalf("ParseDate(%q) = %q", s, d)
		}
	})
}

// FuzzCheckText: a text is accepted trimmed and within its bound, refused otherwise.
func FuzzCheckText(f *testing.F) {
	f.Add(" name ", 5, true)
	f.Add("", 1, false)
	f.Add(strings.Repeat("ß", 11), 10, false)
	f.Fuzz(func(t *testing.T, s string, max int, required bool) {
		if max < 0 || max > 1<<16 {
			return
		}
		var r Refusal
		v := CheckText(&r, Field("x"), "x", s, required, max)
		ok := len(r.Problems) == 0
		if ok != (!(required && v == "") && utf8.RuneCountInString(v) <= max) || v != strings.TrimSpace(s) {
			t.Fatalf("CheckText(%q, %d, %v) = %q, %v", s, max, required, v, r.Problems)
		}
		if TooLong(s, max) != (utf8.RuneCountInString(s) > max) {
			t.Fatalf("TooLong(%q, %d)", s, max)
		}
	})
}
