package merchants

import (
	"errors"
	"fmt"
	"strings"
)

// IBAN errors, from the outside in: whose country, how long, what shape, which checksum.
var (
	// ErrIBANCountry: the first two letters are not a country that issues IBANs.
	ErrIBANCountry = errors.New("iban: unknown country")
	// ErrIBANLength: the IBAN does not have its country's length.
	ErrIBANLength = errors.New("iban: wrong length")
	// ErrIBANFormat: characters that do not fit the country's account format.
	ErrIBANFormat = errors.New("iban: malformed")
	// ErrIBANChecksum: the check digits do not match (ISO 7064 mod 97-10).
	ErrIBANChecksum = errors.New("iban: wrong check digits")
)

// ibanFormats is the SWIFT IBAN registry: per country the BBAN (the part after the
// country code and the two check digits) as runs of n (digits), a (upper-case
// letters) and c (letters or digits). The IBAN's length is 4 plus the BBAN's.
var ibanFormats = map[string]string{
	"AD": "4n4n12c", "AE": "3n16n", "AL": "8n16c", "AT": "16n", "AZ": "4a20c",
	"BA": "16n", "BE": "12n", "BG": "4a4n2n8c", "BH": "4a14c", "BI": "23n",
	"BR": "8n5n10n1a1c", "BY": "4c4n16c", "CH": "5n12c", "CR": "18n", "CY": "3n5n16c",
	"CZ": "20n", "DE": "18n", "DJ": "23n", "DK": "14n", "DO": "4c20n",
	"EE": "16n", "EG": "25n", "ES": "20n", "FI": "14n", "FK": "2a12n",
	"FO": "14n", "FR": "10n11c2n", "GB": "4a14n", "GE": "2a16n", "GI": "4a15c",
	"GL": "14n", "GR": "7n16c", "GT": "4c20c", "HR": "17n", "HU": "24n",
	"IE": "4a14n", "IL": "19n", "IQ": "4a15n", "IS": "22n", "IT": "1a10n12c",
	"JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c", "LC": "4a24c",
	"LI": "5n12c", "LT": "16n", "LU": "3n13c", "LV": "4a13c", "LY": "21n",
	"MC": "10n11c2n", "MD": "2c18c", "ME": "18n", "MK": "3n10c2n", "MN": "16n",
	"MR": "23n", "MT": "4a5n18c", "MU": "4a2n2n12n3n3a", "NI": "4a20n", "NL": "4a10n",
	"NO": "11n", "OM": "3n16c", "PK": "4a16c", "PL": "24n", "PS": "4a21c",
	"PT": "21n", "QA": "4a21c", "RO": "4a16c", "RS": "18n", "RU": "14n15c",
	"SA": "2n18c", "SC": "4a2n2n16n3a", "SD": "14n", "SE": "20n", "SI": "15n",
	"SK": "20n", "SM": "1a10n12c", "SO": "4n3n12n", "ST": "21n", "SV": "4a20n",
	"TL": "19n", "TN": "20n", "TR": "5n1n16c", "UA": "6n19c", "VA": "3n15n",
	"VG": "4a16n", "XK": "16n", "YE": "4a4n18c",
}

// NormalizeIBAN checks an IBAN and answers it in its electronic form: upper case,
// without the spaces people write it with ("DE89 3704 0044 0532 0130 00" →
// "DE89370400440532013000"). It checks the country, the country's length and
// account format, and the mod-97 check digits.
func NormalizeIBAN(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '-':
			continue
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	iban := b.String()
	if len(iban) < 4 || !isUpper(iban[0]) || !isUpper(iban[1]) {
		return "", fmt.Errorf("%w: an IBAN starts with a two-letter country code", ErrIBANCountry)
	}
	format, ok := ibanFormats[iban[:2]]
	if !ok {
		return "", fmt.Errorf("%w: %s does not issue IBANs", ErrIBANCountry, iban[:2])
	}
	want := 4 + bbanLength(format)
	if len(iban) != want {
		return "", fmt.Errorf("%w: an IBAN from %s has %d characters, not %d", ErrIBANLength, iban[:2], want, len(iban))
	}
	if !isDigit(iban[2]) || !isDigit(iban[3]) {
		return "", fmt.Errorf("%w: the check digits (characters 3 and 4) must be digits", ErrIBANFormat)
	}
	if !bbanMatches(iban[4:], format) {
		return "", fmt.Errorf("%w: the account part does not fit the format of %s", ErrIBANFormat, iban[:2])
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return "", ErrIBANChecksum
	}
	return iban, nil
}

// bbanLength adds up the run lengths of a format ("10n11c2n" → 23).
func bbanLength(format string) int {
	total, n := 0, 0
	for i := 0; i < len(format); i++ {
		if isDigit(format[i]) {
			n = n*10 + int(format[i]-'0')
			continue
		}
		total, n = total+n, 0
	}
	return total
}

// bbanMatches checks each character against its run's class; the length is checked before.
func bbanMatches(bban, format string) bool {
	pos, n := 0, 0
	for i := 0; i < len(format); i++ {
		if isDigit(format[i]) {
			n = n*10 + int(format[i]-'0')
			continue
		}
		for ; n > 0; n-- {
			c := bban[pos]
			ok := false
			switch format[i] {
			case 'n':
				ok = isDigit(c)
			case 'a':
				ok = isUpper(c)
			case 'c':
				ok = isDigit(c) || isUpper(c)
			}
			if !ok {
				return false
			}
			pos++
		}
	}
	return pos == len(bban)
}

// mod97 is the remainder of the number the characters spell when every letter is
// replaced by two digits (A = 10 … Z = 35), computed piecewise so it never overflows.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A'+10)) % 97
		}
	}
	return r
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
