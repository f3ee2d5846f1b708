package settlement

import "testing"

// TestHeaderValueStaysOnOneLine: a company's legal name reaches the owed mail's
// Subject header; a line break in it must not start a header of its own.
func TestHeaderValueStaysOnOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Settlement of Kask & Kivi OÜ":         "Settlement of Kask & Kivi OÜ",
		"Evil GmbH\r\nBcc: victim@example.com": "Evil GmbH Bcc: victim@example.com",
		"Evil GmbH\nBcc: victim@example.com":   "Evil GmbH Bcc: victim@example.com",
		"Evil GmbH\rBcc: victim@example.com":   "Evil GmbH Bcc: victim@example.com",
	} {
		if got := headerValue(in); got != want {
			t.Errorf("headerValue(%q) = %q, want %q", in, got, want)
		}
	}
}
