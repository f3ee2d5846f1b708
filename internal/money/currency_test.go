package money_test

import (
	"fmt"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
)

func TestExponent(t *testing.T) {
	tests := []struct {
		name     string
		currency string
		want     int
		wantErr  error
	}{
		{name: "euro has cents", currency: "EUR", want: 2},
		{name: "swedish krona has öre", currency: "SEK", want: 2},
		{name: "yen has none", currency: "JPY", want: 0},
		{name: "won has none", currency: "KRW", want: 0},
		{name: "kuwaiti dinar has fils", currency: "KWD", want: 3},
		{name: "bahraini dinar has fils", currency: "BHD", want: 3},
		{name: "lower case is not a code", currency: "eur", wantErr: money.ErrUnknownCurrency},
		{name: "unknown code", currency: "ABC", wantErr: money.ErrUnknownCurrency},
		{name: "empty", currency: "", wantErr: money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.Exponent(tt.currency)
			wantResult(t, fmt.Sprintf("Exponent(%q)", tt.currency), got, err, tt.want, tt.wantErr)
		})
	}
}

func TestNormalizeCurrency(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{name: "already a code", in: "EUR", want: "EUR"},
		{name: "lower case", in: "eur", want: "EUR"},
		{name: "mixed case with spaces", in: " jPy\n", want: "JPY"},
		{name: "unknown", in: "xyz", wantErr: money.ErrUnknownCurrency},
		{name: "space inside", in: "E UR", wantErr: money.ErrUnknownCurrency},
		{name: "symbol", in: "€", wantErr: money.ErrUnknownCurrency},
		{name: "empty", in: "", wantErr: money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.NormalizeCurrency(tt.in)
			wantResult(t, fmt.Sprintf("NormalizeCurrency(%q)", tt.in), got, err, tt.want, tt.wantErr)
		})
	}
}
