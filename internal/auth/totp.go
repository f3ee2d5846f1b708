package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as RFC 6238 defines it, with the parameters every authenticator app uses by
// default: HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch. Twenty-odd lines
// checked against the RFC's own test vectors (totp_test.go) instead of a dependency.
const (
	totpDigits = 6
	totpPeriod = 30
	// totpSkew is how many steps before and after the current one a code may be from
	// (a phone's clock that is a little off, a code typed as it changes).
	totpSkew = 1
	// totpSecretBytes is the secret's length: 160 bits, as RFC 4226 recommends for SHA-1.
	totpSecretBytes = 20
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret makes a random secret.
func newTOTPSecret() ([]byte, error) {
	s := make([]byte, totpSecretBytes)
	_, err := rand.Read(s)
	return s, err
}

// EncodeTOTPSecret is a secret as authenticator apps take it (base32, no padding).
func EncodeTOTPSecret(secret []byte) string { return b32.EncodeToString(secret) }

// DecodeTOTPSecret reads EncodeTOTPSecret's text (tests compute codes from it).
func DecodeTOTPSecret(s string) ([]byte, error) {
	return b32.DecodeString(strings.ToUpper(strings.TrimRight(strings.ReplaceAll(s, " ", ""), "=")))
}

// totpStep is the RFC 6238 time step T of an instant.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// hotp is RFC 4226's HOTP value of a counter, truncated to digits decimal digits.
func hotp(secret []byte, counter int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPCode is the code of a secret at an instant.
func TOTPCode(secret []byte, at time.Time) string { return hotp(secret, totpStep(at), totpDigits) }

// matchTOTP finds the step a code belongs to: the current step or one either side,
// and only a step after lastStep (a code, once accepted, never works again; nor does
// an older one). 0 when none matches.
func matchTOTP(secret []byte, code string, now time.Time, lastStep int64) int64 {
	if len(code) != totpDigits {
		return 0
	}
	cur := totpStep(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s > lastStep && subtle.ConstantTimeCompare([]byte(hotp(secret, s, totpDigits)), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// otpauthURI is the Key Uri Format authenticator apps read from a QR code:
// otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30.
func otpauthURI(issuer, account string, secret []byte) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", EncodeTOTPSecret(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + label + "?" + q.Encode()
}
