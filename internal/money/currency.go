package money

import (
	"fmt"
	"strings"
)

// exponents lists ISO 4217 currencies by their minor-unit exponent. Currencies not
// listed are refused rather than guessed, so a typo never becomes a wrong scale.
var exponents = map[string]int{
	// 0 decimals
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	// 3 decimals
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// 2 decimals
	"AED": 2, "AUD": 2, "BGN": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CNY": 2, "CZK": 2,
	"DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "ILS": 2, "INR": 2, "MXN": 2,
	"NOK": 2, "NZD": 2, "PLN": 2, "RON": 2, "RSD": 2, "SEK": 2, "SGD": 2, "THB": 2,
	"TRY": 2, "UAH": 2, "USD": 2, "ZAR": 2,
}

// Exponent answers the number of decimals of a currency's minor unit.
func Exponent(currency string) (int, error) {
	e, ok := exponents[currency]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownCurrency, currency)
	}
	return e, nil
}

// NormalizeCurrency upper-cases and validates a currency code.
func NormalizeCurrency(currency string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(currency))
	if _, err := Exponent(c); err != nil {
		return "", err
	}
	return c, nil
}
