package providers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// EURNumber is an amount in euros written as a bare JSON number in major units
// ("gross": 119.00), as Billie and Paywerk send and expect it
// (docs/providers/billie.md, docs/providers/paywerk.md). It is read digit by digit
// with money.Parse and written from Money.Amount, never through float64.
type EURNumber struct{ money.Money }

// EUR wraps a Money.
func EUR(m money.Money) EURNumber { return EURNumber{Money: m} }

// MarshalJSON writes the amount as a bare JSON number (0.00 for the zero value).
func (a EURNumber) MarshalJSON() ([]byte, error) {
	if a.Currency() == "" {
		return []byte("0.00"), nil
	}
	return []byte(a.Amount()), nil
}

// UnmarshalJSON reads a JSON number (or, leniently, a quoted one) in EUR.
func (a *EURNumber) UnmarshalJSON(b []byte) error {
	s, err := NumberText(b)
	if err != nil {
		return err
	}
	m, err := money.Parse(s, "EUR")
	if err != nil {
		return err
	}
	a.Money = m
	return nil
}

// NumberText answers the literal of a JSON number (or, leniently, a quoted one),
// refusing exponents (which a float-minded sender would produce) rather than
// guessing.
func NumberText(b []byte) (string, error) {
	s := string(bytes.TrimSpace(b))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" || s == "null" || strings.ContainsAny(s, "eE") {
		return "", fmt.Errorf("%w: %q is not a plain decimal number", money.ErrInvalidNumber, s)
	}
	return s, nil
}
