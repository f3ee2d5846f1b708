package auth

import (
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 rows (8 digits), and the 6-digit codes apps show.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		at := time.Unix(v.unix, 0)
		if got := hotp(secret, totpStep(at), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
		if got := TOTPCode(secret, at); got != v.want[2:] {
			t.Errorf("T=%d six digits: %s, want %s", v.unix, got, v.want[2:])
		}
	}
}

// A code of the previous or next step is accepted, one two steps away is not, and a
// step at or before the last accepted one never is.
func TestMatchTOTPWindowAndReplay(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	cur := totpStep(now)
	for d, want := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code := hotp(secret, cur+d, 6)
		got := matchTOTP(secret, code, now, 0)
		if (got != 0) != want || (want && got != cur+d) {
			t.Errorf("step %+d: matched %d, want %v", d, got, want)
		}
	}
	if got := matchTOTP(secret, TOTPCode(secret, now), now, cur); got != 0 {
		t.Errorf("a code of the last accepted step matched again (step %d)", got)
	}
	if got := matchTOTP(secret, hotp(secret, cur-1, 6), now, cur); got != 0 {
		t.Errorf("an older code than the last accepted matched (step %d)", got)
	}
	if got := matchTOTP(secret, "12345", now, 0); got != 0 {
		t.Errorf("a 5-digit code matched")
	}
}

func TestOtpauthURI(t *testing.T) {
	u := otpauthURI("Demo PSP", "admin@demo.psp", []byte("12345678901234567890"))
	want := "otpauth://totp/Demo%20PSP:admin@demo.psp?algorithm=SHA1&digits=6&issuer=Demo+PSP&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if u != want {
		t.Errorf("got %s\nwant %s", u, want)
	}
	s, err := DecodeTOTPSecret("gezdgnbvgy3tqojqgezdgnbvgy3tqojq")
	if err != nil || string(s) != "12345678901234567890" {
		t.Errorf("decode: %q %v", s, err)
	}
}
