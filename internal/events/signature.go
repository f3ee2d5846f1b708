package events

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// SignatureHeader is the header carrying a delivery's signature.
const SignatureHeader = "Backoffice-Signature"

// DefaultSignatureTolerance is how old a signed delivery Verify accepts.
const DefaultSignatureTolerance = 5 * time.Minute

// CallbackSecret is a company's signing key for its orders' callbackUrl deliveries,
// derived from the server secret (Company.webhookSigningSecret).
func CallbackSecret(serverSecret, companyID string) string {
	return "whsec_" + hex.EncodeToString(secrets.Derive(serverSecret, "merchant-callbacks/"+companyID))
}

// Sign answers the Backoffice-Signature header value of body at time t: one v1= entry
// per key, in the order given (a rolled endpoint's new key first, then the previous
// one while it has not expired).
func Sign(t time.Time, body []byte, keys ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, k := range keys {
		b.WriteString(",v1=" + mac(k, ts, body))
	}
	return b.String()
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Signature errors.
var (
	// ErrSignatureMissing: no t= or no v1= in the header.
	ErrSignatureMissing = errors.New("callback signature: header missing or malformed")
	// ErrSignatureMismatch: no v1 signature matches the body.
	ErrSignatureMismatch = errors.New("callback signature: no signature matches the body")
	// ErrSignatureExpired: the timestamp is outside the tolerance (a replay).
	ErrSignatureExpired = errors.New("callback signature: timestamp outside the tolerance")
)

// Verify checks a delivery as a merchant's server should: the raw body, the
// Backoffice-Signature header, the secret, and a tolerance against replays (0 is
// DefaultSignatureTolerance). Any v1 entry may match, so during a secret roll both
// the old and the new secret verify.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance == 0 {
		tolerance = DefaultSignatureTolerance
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMissing
	}
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return ErrSignatureExpired
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
