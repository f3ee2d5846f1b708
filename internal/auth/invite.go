package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"strings"
	"time"
)

// InvitationTTL is how long an invitation's set-password link works.
const InvitationTTL = 72 * time.Hour

// NewInvitationToken makes a one-time set-password token (256 random bits) and the
// hash the database keeps instead of it.
func NewInvitationToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, InvitationTokenHash(token), nil
}

// InvitationTokenHash is the stored form of a set-password token. A plain SHA-256 is
// enough: the token is 256 random bits, so there is nothing to guess.
func InvitationTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NormalizeEmail is the form emails are stored and compared in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidEmail tells whether s is a plain address (x@y.z), without a display name.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}
