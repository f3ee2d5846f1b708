// Package secrets seals what must be stored but never shown (provider credentials,
// webhook secrets) with AES-256-GCM, under a key derived from BACKOFFICE_SECRET, and
// derives the other keys the server needs from that one secret.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
)

// ErrOpen: the ciphertext was not sealed with this key, or was altered.
var ErrOpen = errors.New("secrets: cannot open sealed value")

// Derive makes a purpose-bound key from the server secret (HMAC-SHA256), so the JWT
// key, the API key pepper and the encryption key are independent.
func Derive(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("backoffice/" + purpose))
	return m.Sum(nil)
}

// Box seals and opens small values.
type Box struct{ aead cipher.AEAD }

// NewBox makes a box keyed from the server secret.
func NewBox(secret string) (*Box, error) {
	block, err := aes.NewCipher(Derive(secret, "encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; the nonce is prepended.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts what Seal made.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
