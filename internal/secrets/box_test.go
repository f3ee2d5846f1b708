package secrets

import (
	"bytes"
	"errors"
	"testing"
)

func TestBoxSealsAndOpens(t *testing.T) {
	box, err := NewBox("a-server-secret-of-sufficient-length")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal([]byte("priv_123"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("priv_123")) {
		t.Fatal("the sealed value contains the plaintext")
	}
	again, _ := box.Seal([]byte("priv_123"))
	if bytes.Equal(sealed, again) {
		t.Fatal("sealing twice gave the same bytes: the nonce is not random")
	}
	got, err := box.Open(sealed)
	if err != nil || string(got) != "priv_123" {
		t.Fatalf("open = %q, %v", got, err)
	}
	tampered := append([]byte{}, sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := box.Open(tampered); !errors.Is(err, ErrOpen) {
		t.Fatalf("a tampered value opened: %v", err)
	}
	other, _ := NewBox("another-server-secret-of-enough-length")
	if _, err := other.Open(sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("another key opened the value: %v", err)
	}
	if _, err := box.Open([]byte{1, 2}); !errors.Is(err, ErrOpen) {
		t.Fatalf("a short value opened: %v", err)
	}
}

func TestDeriveSeparatesPurposes(t *testing.T) {
	if bytes.Equal(Derive("s", "jwt"), Derive("s", "encryption")) {
		t.Fatal("two purposes derived the same key")
	}
	if !bytes.Equal(Derive("s", "jwt"), Derive("s", "jwt")) {
		t.Fatal("derivation is not deterministic")
	}
}
