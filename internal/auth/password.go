package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, memory-constrained).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// argonSlots lets one argon2id computation run at a time. Each takes argonMemory
// (64 MiB) for its duration, so a burst of logins would otherwise take 64 MiB per
// concurrent attempt (245 MiB peak RSS measured with two at once); queueing costs no
// throughput, as one computation already keeps argonThreads cores busy.
var argonSlots = make(chan struct{}, 1)

// argon2id computes one argon2id key within argonSlots, then collects its 64 MiB
// before the next computation starts: otherwise, with the server's relaxed GOGC, the
// next login allocates a fresh 64 MiB beside the garbage of the last one (198 MiB
// peak RSS over a few logins), where after a collection it reuses the same pages.
// A collection costs a few milliseconds against the ~100 ms of the hash.
func argon2id(password, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	key := argon2.IDKey(password, salt, t, m, p, keyLen)
	runtime.GC()
	return key
}

// MinPasswordLength is the shortest password accepted; MaxPasswordLength (bytes)
// the longest, so no request makes the server hash a megabyte.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// CheckPasswordSize refuses a password outside the length bounds: the cheap check
// that runs before any hashing.
func CheckPasswordSize(password string) error {
	switch {
	case len(password) < MinPasswordLength:
		return ErrPasswordTooShort
	case len(password) > MaxPasswordLength:
		return ErrPasswordTooLong
	}
	return nil
}

// HashPassword hashes a password with argon2id into a self-describing string.
func HashPassword(password string) (string, error) {
	if err := CheckPasswordSize(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2id([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares a password with a hash in constant time.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2id([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
