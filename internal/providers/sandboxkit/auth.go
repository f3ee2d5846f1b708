package sandboxkit

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Equal compares two secrets in constant time (for equal lengths; the length itself
// is not secret here).
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Credential is one accepted login: a Basic-auth user and password, or an API key in
// User with an empty Password for Bearer schemes.
type Credential struct {
	User     string
	Password string
}

// Authenticator tells whether a user (or API key) and password are accepted. The
// server may supply one backed by its provider accounts.
type Authenticator func(user, password string) bool

// AcceptOnly answers an Authenticator for a fixed list, compared in constant time.
// Every entry is compared, so the answer time does not tell which one matched.
func AcceptOnly(creds ...Credential) Authenticator {
	return func(user, password string) bool {
		ok := 0
		for _, c := range creds {
			u := subtle.ConstantTimeCompare([]byte(user), []byte(c.User))
			p := subtle.ConstantTimeCompare([]byte(password), []byte(c.Password))
			ok |= u & p
		}
		return ok == 1 && user != ""
	}
}

// BearerToken answers the token of an "Authorization: Bearer <token>" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// BasicAuth answers the Basic-auth user and password of a request.
func BasicAuth(r *http.Request) (user, password string, ok bool) {
	return r.BasicAuth()
}

// NewID answers prefix + 24 random hex digits, e.g. "pw_3f9a…".
func NewID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// NewUUID answers a random (version 4) UUID in its canonical text form.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
