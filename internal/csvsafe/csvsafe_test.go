package csvsafe

import "testing"

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("https://evil.example","x")`: `'=HYPERLINK("https://evil.example","x")`,
		"+1+1":                                   "'+1+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)", "\t=1": "'\t=1", "\r=1": "'\r=1",
		"W-1234": "W-1234", "": "", "ord_01J": "ord_01J", "'quoted": "'quoted",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("=1+1")
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if out != "" && (out[0] == '=' || out[0] == '+' || out[0] == '-' || out[0] == '@' || out[0] == '\t' || out[0] == '\r') {
			t.Fatalf("Text(%q) = %q starts a formula", s, out)
		}
		if out != s && out != "'"+s {
			t.Fatalf("Text(%q) = %q changes more than a prefix", s, out)
		}
	})
}
