package merchants

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeIBAN(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"a German IBAN", "DE89370400440532013000", "DE89370400440532013000", nil},
		{"an Estonian IBAN", "EE382200221020145685", "EE382200221020145685", nil},
		{"a British IBAN with letters in the account part", "GB82WEST12345698765432", "GB82WEST12345698765432", nil},
		{"a French IBAN with a letter inside", "FR1420041010050500013M02606", "FR1420041010050500013M02606", nil},
		{"a Norwegian IBAN, the shortest", "NO9386011117947", "NO9386011117947", nil},
		{"a Maltese IBAN, among the longest", "MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S", nil},
		{"spaces and lower case as people write it", "de89 3704 0044 0532 0130 00", "DE89370400440532013000", nil},
		{"dashes between groups", "NL91-ABNA-0417-1643-00", "NL91ABNA0417164300", nil},
		{"empty", "", "", ErrIBANCountry},
		{"no country letters", "8937040044053201300012", "", ErrIBANCountry},
		{"a country without IBANs", "US64SVBKUS6S3300958879", "", ErrIBANCountry},
		{"one digit too short", "DE8937040044053201300", "", ErrIBANLength},
		{"one digit too long", "DE893704004405320130000", "", ErrIBANLength},
		{"letters where the country has digits", "DE89370400440532O13000", "", ErrIBANFormat},
		{"digits where the country has letters", "GB82W3ST12345698765432", "", ErrIBANFormat},
		{"letters as check digits", "DEAB370400440532013000", "", ErrIBANFormat},
		{"a punctuation mark", "DE89.70400440532013000", "", ErrIBANFormat},
		{"one digit mistyped", "DE89370400440532013001", "", ErrIBANChecksum},
		{"two digits swapped", "DE89370400440523013000", "", ErrIBANChecksum},
		{"wrong check digits", "DE88370400440532013000", "", ErrIBANChecksum},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeIBAN(c.in)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("NormalizeIBAN(%q) error = %v, want %v", c.in, err, c.err)
			}
			if got != c.want {
				t.Fatalf("NormalizeIBAN(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// Every registry entry's length is its country's IBAN length as published; a
// mistyped format would make every IBAN of that country unusable.
func TestIBANFormatLengths(t *testing.T) {
	lengths := map[string]int{"AT": 20, "BE": 16, "CH": 21, "CY": 28, "DE": 22, "EE": 20, "ES": 24, "FI": 18,
		"FR": 27, "GB": 22, "GR": 27, "IE": 22, "IT": 27, "LT": 20, "LU": 20, "LV": 21, "MT": 31, "NL": 18,
		"NO": 15, "PL": 28, "PT": 25, "RU": 33, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "LC": 32, "BR": 29}
	for country, want := range lengths {
		if got := 4 + bbanLength(ibanFormats[country]); got != want {
			t.Errorf("%s: IBAN length %d, want %d", country, got, want)
		}
	}
}

func FuzzNormalizeIBAN(f *testing.F) {
	for _, s := range []string{"DE89370400440532013000", "gb82 west 1234 5698 7654 32", "MT84MALT011000012345MTLCAST001S",
		"", "DE", "ZZ00", "DE89-3704", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeIBAN(s)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizeIBAN(%q) answered %q with error %v", s, got, err)
			}
			return
		}
		// A valid IBAN is in electronic form, its country's length, and stays valid.
		if strings.ContainsAny(got, " -\t") || strings.ToUpper(got) != got {
			t.Fatalf("NormalizeIBAN(%q) = %q, not in electronic form", s, got)
		}
		if len(got) != 4+bbanLength(ibanFormats[got[:2]]) {
			t.Fatalf("NormalizeIBAN(%q) = %q, not its country's length", s, got)
		}
		if again, err := NormalizeIBAN(got); err != nil || again != got {
			t.Fatalf("NormalizeIBAN(%q) = %q, %v; want it unchanged", got, again, err)
		}
		if mod97(got[4:]+got[:4]) != 1 {
			t.Fatalf("NormalizeIBAN(%q) = %q with a wrong checksum", s, got)
		}
	})
}
