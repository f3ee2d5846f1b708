package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// API keys look like pk_<env>_<prefix>_<secret> (docs/api.md "Credentials"): env is "test" (sandbox
// mode) or "live"; the prefix (12 characters, 60 bits) names the stored row and is
// shown in listings; the secret (40 characters, 200 bits) is shown once. The database
// keeps the prefix and HMAC-SHA256(pepper, prefix "." secret), where the pepper is
// derived from BACKOFFICE_SECRET: a copy of the database alone cannot be used to
// check guesses, and the comparison is constant-time.

// Key environments.
const (
	EnvTest = "test"
	EnvLive = "live"
)

const (
	keyPrefixLen = 12
	keySecretLen = 40
)

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// APIKeySecret is a freshly made key, before it is shown once.
type APIKeySecret struct {
	Env, Prefix, Secret string
}

// String is the whole key as the integrator sends it.
func (k APIKeySecret) String() string { return "pk_" + k.Env + "_" + k.Prefix + "_" + k.Secret }

// NewAPIKeySecret makes a random key for an environment.
func NewAPIKeySecret(env string) (APIKeySecret, error) {
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		return APIKeySecret{}, err
	}
	s := keyEncoding.EncodeToString(b) // 64 characters
	return APIKeySecret{Env: env, Prefix: s[:keyPrefixLen], Secret: s[keyPrefixLen : keyPrefixLen+keySecretLen]}, nil
}

// LooksLikeAPIKey tells a key from a login token.
func LooksLikeAPIKey(token string) bool { return strings.HasPrefix(token, "pk_") }

// ParseAPIKey splits a key into its parts.
func ParseAPIKey(s string) (APIKeySecret, error) {
	parts := strings.Split(s, "_")
	if len(parts) != 4 || parts[0] != "pk" || (parts[1] != EnvTest && parts[1] != EnvLive) ||
		len(parts[2]) != keyPrefixLen || len(parts[3]) != keySecretLen {
		return APIKeySecret{}, ErrMalformedKey
	}
	return APIKeySecret{Env: parts[1], Prefix: parts[2], Secret: parts[3]}, nil
}

// KeyHasher computes the stored form of a key's secret.
type KeyHasher struct{ pepper []byte }

// NewKeyHasher makes a hasher from the pepper (secrets.Derive(secret, "api-key-pepper")).
func NewKeyHasher(pepper []byte) *KeyHasher { return &KeyHasher{pepper: pepper} }

// Hash is what the database stores for a key.
func (h *KeyHasher) Hash(k APIKeySecret) []byte {
	m := hmac.New(sha256.New, h.pepper)
	m.Write([]byte(k.Prefix + "." + k.Secret))
	return m.Sum(nil)
}

// Matches compares a presented key with the stored hash in constant time.
func (h *KeyHasher) Matches(k APIKeySecret, stored []byte) bool {
	return hmac.Equal(h.Hash(k), stored)
}
