package money_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		amount    string
		currency  string
		wantMinor int64
		wantErr   error
	}{
		// Amounts scale by the currency's exponent.
		{name: "euro with cents", amount: "1238.16", currency: "EUR", wantMinor: 123816},
		{name: "euro whole", amount: "12", currency: "EUR", wantMinor: 1200},
		{name: "euro with one decimal", amount: "12.5", currency: "EUR", wantMinor: 1250},
		{name: "euro with leading dot", amount: ".5", currency: "EUR", wantMinor: 50},
		{name: "euro zero", amount: "0", currency: "EUR", wantMinor: 0},
		{name: "euro zero with decimals", amount: "0.00", currency: "EUR", wantMinor: 0},
		{name: "euro one cent", amount: "0.01", currency: "EUR", wantMinor: 1},
		{name: "euro leading zeros", amount: "000012.34", currency: "EUR", wantMinor: 1234},
		{name: "euro explicit plus", amount: "+12.34", currency: "EUR", wantMinor: 1234},
		{name: "euro surrounding spaces are trimmed", amount: " 12.34\t", currency: "EUR", wantMinor: 1234},
		{name: "yen has no decimals", amount: "1238", currency: "JPY", wantMinor: 1238},
		{name: "dinar has three decimals", amount: "1.234", currency: "KWD", wantMinor: 1234},
		{name: "dinar whole", amount: "7", currency: "KWD", wantMinor: 7000},
		{name: "dinar one decimal", amount: "0.5", currency: "KWD", wantMinor: 500},

		// Trailing zeros beyond the exponent are harmless; anything else is refused.
		{name: "euro trailing zeros beyond cents", amount: "12.5000", currency: "EUR", wantMinor: 1250},
		{name: "yen trailing zeros", amount: "12.00", currency: "JPY", wantMinor: 12},
		{name: "yen with a real decimal", amount: "12.50", currency: "JPY", wantErr: money.ErrTooManyDecimals},
		{name: "yen with one decimal", amount: "12.5", currency: "JPY", wantErr: money.ErrTooManyDecimals},
		{name: "euro with three decimals", amount: "12.345", currency: "EUR", wantErr: money.ErrTooManyDecimals},
		{name: "euro with a tenth of a cent", amount: "0.001", currency: "EUR", wantErr: money.ErrTooManyDecimals},
		{name: "dinar with four decimals", amount: "1.2345", currency: "KWD", wantErr: money.ErrTooManyDecimals},
		{name: "dinar with four decimals ending in zero", amount: "1.2340", currency: "KWD", wantMinor: 1234},

		// Negative amounts.
		{name: "negative euro", amount: "-12.34", currency: "EUR", wantMinor: -1234},
		{name: "negative cent", amount: "-0.01", currency: "EUR", wantMinor: -1},
		{name: "negative zero is zero", amount: "-0", currency: "EUR", wantMinor: 0},
		{name: "negative yen", amount: "-5", currency: "JPY", wantMinor: -5},
		{name: "negative dinar", amount: "-0.001", currency: "KWD", wantMinor: -1},
		{name: "negative with too many decimals", amount: "-0.001", currency: "EUR", wantErr: money.ErrTooManyDecimals},

		// Only plain decimal text is a number.
		{name: "exponent notation", amount: "1e3", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "decimal comma", amount: "1,5", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "thousands separator", amount: "1,000.00", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "digit group underscore", amount: "1_000", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "empty", amount: "", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "only a space", amount: " ", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "space inside", amount: "1 000", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "double minus", amount: "--1", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "plus then minus", amount: "+-1", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "sign then space", amount: "- 1", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "lone dot", amount: ".", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "lone minus dot", amount: "-.", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "trailing dot", amount: "1.", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "two dots", amount: "1.2.3", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "lone plus", amount: "+", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "lone minus", amount: "-", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "hexadecimal", amount: "0x10", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "arabic-indic digits", amount: "١٢", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "fullwidth digits", amount: "１２", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "currency symbol", amount: "€12", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "currency code inside", amount: "12 EUR", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "infinity", amount: "Inf", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "not a number", amount: "NaN", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "fraction", amount: "1/2", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "nul byte", amount: "1\x002", currency: "EUR", wantErr: money.ErrInvalidNumber},
		{name: "invalid utf-8", amount: "1\xff", currency: "EUR", wantErr: money.ErrInvalidNumber},

		// The int64 range of minor units is the limit.
		{name: "largest euro", amount: "92233720368547758.07", currency: "EUR", wantMinor: math.MaxInt64},
		{name: "one cent beyond the largest euro", amount: "92233720368547758.08", currency: "EUR", wantErr: money.ErrOverflow},
		{name: "most negative euro that parses", amount: "-92233720368547758.07", currency: "EUR", wantMinor: -math.MaxInt64},
		{name: "MinInt64 cents are out of range", amount: "-92233720368547758.08", currency: "EUR", wantErr: money.ErrOverflow},
		{name: "largest yen", amount: "9223372036854775807", currency: "JPY", wantMinor: math.MaxInt64},
		{name: "one yen beyond the largest", amount: "9223372036854775808", currency: "JPY", wantErr: money.ErrOverflow},
		{name: "largest dinar", amount: "9223372036854775.807", currency: "KWD", wantMinor: math.MaxInt64},
		{name: "one fils beyond the largest dinar", amount: "9223372036854775.808", currency: "KWD", wantErr: money.ErrOverflow},
		{name: "twenty digits", amount: "12345678901234567890", currency: "EUR", wantErr: money.ErrOverflow},
		{name: "huge negative", amount: "-99999999999999999999999", currency: "EUR", wantErr: money.ErrOverflow},
		{name: "huge with leading zeros still fits", amount: "000000000000000000000000012.34", currency: "EUR", wantMinor: 1234},

		// Currencies are ISO 4217 codes this product knows, exactly as given.
		{name: "unknown currency", amount: "1", currency: "XXX", wantErr: money.ErrUnknownCurrency},
		{name: "lower-case currency", amount: "1", currency: "eur", wantErr: money.ErrUnknownCurrency},
		{name: "empty currency", amount: "1", currency: "", wantErr: money.ErrUnknownCurrency},
		{name: "unknown currency wins over a bad number", amount: "x", currency: "XXX", wantErr: money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.Parse(tt.amount, tt.currency)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q, %q) error = %v, want %v", tt.amount, tt.currency, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q, %q) error = %v, want %d", tt.amount, tt.currency, err, tt.wantMinor)
			}
			if got.Minor() != tt.wantMinor || got.Currency() != tt.currency {
				t.Errorf("Parse(%q, %q) = %d %s, want %d %s", tt.amount, tt.currency,
					got.Minor(), got.Currency(), tt.wantMinor, tt.currency)
			}
		})
	}
}

func TestParseErrorNamesTheValue(t *testing.T) {
	_, err := money.Parse("12.345", "EUR")
	if err == nil || !strings.Contains(err.Error(), `"12.345"`) {
		t.Errorf("error %v should name the refused value", err)
	}
	_, err = money.Parse("1", "XYZ")
	if err == nil || !strings.Contains(err.Error(), `"XYZ"`) {
		t.Errorf("error %v should name the refused currency", err)
	}
}

func TestMustParsePanicsOnBadInput(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(\"12.345\", \"EUR\") did not panic")
		}
	}()
	money.MustParse("12.345", "EUR")
}

func TestAmount(t *testing.T) {
	tests := []struct {
		name       string
		minor      int64
		currency   string
		wantAmount string
	}{
		{name: "euro with cents", minor: 123816, currency: "EUR", wantAmount: "1238.16"},
		{name: "euro whole keeps two decimals", minor: 1200, currency: "EUR", wantAmount: "12.00"},
		{name: "euro one cent", minor: 1, currency: "EUR", wantAmount: "0.01"},
		{name: "euro zero", minor: 0, currency: "EUR", wantAmount: "0.00"},
		{name: "negative euro", minor: -1234, currency: "EUR", wantAmount: "-12.34"},
		{name: "negative cent", minor: -1, currency: "EUR", wantAmount: "-0.01"},
		{name: "negative ten cents", minor: -10, currency: "EUR", wantAmount: "-0.10"},
		{name: "yen has no dot", minor: 1238, currency: "JPY", wantAmount: "1238"},
		{name: "yen zero", minor: 0, currency: "JPY", wantAmount: "0"},
		{name: "negative yen", minor: -5, currency: "JPY", wantAmount: "-5"},
		{name: "dinar three decimals", minor: 1234, currency: "KWD", wantAmount: "1.234"},
		{name: "dinar one fils", minor: 1, currency: "KWD", wantAmount: "0.001"},
		{name: "negative dinar fils", minor: -1, currency: "KWD", wantAmount: "-0.001"},
		{name: "largest euro", minor: math.MaxInt64, currency: "EUR", wantAmount: "92233720368547758.07"},
		{name: "most negative parsable euro", minor: -math.MaxInt64, currency: "EUR", wantAmount: "-92233720368547758.07"},
		{name: "MinInt64 euro", minor: math.MinInt64, currency: "EUR", wantAmount: "-92233720368547758.08"},
		{name: "MinInt64 yen", minor: math.MinInt64, currency: "JPY", wantAmount: "-9223372036854775808"},
		{name: "MinInt64 dinar", minor: math.MinInt64, currency: "KWD", wantAmount: "-9223372036854775.808"},
		{name: "unknown currency shows two decimals", minor: 1234, currency: "XXX", wantAmount: "12.34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := money.New(tt.minor, tt.currency)
			if got := m.Amount(); got != tt.wantAmount {
				t.Errorf("New(%d, %s).Amount() = %q, want %q", tt.minor, tt.currency, got, tt.wantAmount)
			}
			if got, want := m.String(), tt.wantAmount+" "+tt.currency; got != want {
				t.Errorf("New(%d, %s).String() = %q, want %q", tt.minor, tt.currency, got, want)
			}
			if tt.minor == math.MinInt64 || tt.currency == "XXX" {
				return // outside what Parse accepts; see TestParse
			}
			back, err := money.Parse(tt.wantAmount, tt.currency)
			if err != nil || back != m {
				t.Errorf("Parse(%q, %s) = %v, %v; want it back as %d", tt.wantAmount, tt.currency, back, err, tt.minor)
			}
		})
	}
}

func TestPredicatesAndNeg(t *testing.T) {
	tests := []struct {
		name                   string
		minor                  int64
		zero, negative, postve bool
	}{
		{name: "zero", minor: 0, zero: true},
		{name: "one cent", minor: 1, postve: true},
		{name: "minus one cent", minor: -1, negative: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := money.New(tt.minor, "EUR")
			if m.IsZero() != tt.zero || m.IsNegative() != tt.negative || m.IsPositive() != tt.postve {
				t.Errorf("%v: IsZero=%v IsNegative=%v IsPositive=%v", m,
					m.IsZero(), m.IsNegative(), m.IsPositive())
			}
			if n := m.Neg(); n.Minor() != -tt.minor || n.Currency() != "EUR" {
				t.Errorf("%v.Neg() = %v", m, n)
			}
		})
	}
	if z := money.Zero("JPY"); !z.IsZero() || z.Currency() != "JPY" {
		t.Errorf("Zero(JPY) = %v", z)
	}
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func TestAddSub(t *testing.T) {
	tests := []struct {
		name    string
		a, b    money.Money
		wantAdd money.Money
		addErr  error
		wantSub money.Money
		subErr  error
	}{
		{name: "two amounts", a: eur("12.34"), b: eur("0.66"), wantAdd: eur("13.00"), wantSub: eur("11.68")},
		{name: "result crosses zero", a: eur("1.00"), b: eur("2.50"), wantAdd: eur("3.50"), wantSub: eur("-1.50")},
		{name: "adding zero", a: eur("5.00"), b: money.Zero("EUR"), wantAdd: eur("5.00"), wantSub: eur("5.00")},
		{name: "negative operand", a: eur("5.00"), b: eur("-7.00"), wantAdd: eur("-2.00"), wantSub: eur("12.00")},
		{name: "yen", a: money.New(100, "JPY"), b: money.New(1, "JPY"), wantAdd: money.New(101, "JPY"), wantSub: money.New(99, "JPY")},
		{
			name: "different currencies", a: eur("1.00"), b: money.New(100, "JPY"),
			addErr: money.ErrCurrencyMismatch, subErr: money.ErrCurrencyMismatch,
		},
		{
			name: "same number in another currency", a: money.New(100, "USD"), b: money.New(100, "EUR"),
			addErr: money.ErrCurrencyMismatch, subErr: money.ErrCurrencyMismatch,
		},
		{
			name: "currency without value", a: eur("1.00"), b: money.Money{},
			addErr: money.ErrCurrencyMismatch, subErr: money.ErrCurrencyMismatch,
		},
		{
			name: "different currencies at MinInt64 is still a mismatch", a: eur("1.00"), b: money.New(math.MinInt64, "JPY"),
			addErr: money.ErrCurrencyMismatch, subErr: money.ErrCurrencyMismatch,
		},
		{
			name: "largest plus one cent", a: money.New(math.MaxInt64, "EUR"), b: eur("0.01"),
			addErr: money.ErrOverflow, wantSub: money.New(math.MaxInt64-1, "EUR"),
		},
		{
			name: "most negative minus one cent", a: money.New(math.MinInt64, "EUR"), b: eur("0.01"),
			wantAdd: money.New(math.MinInt64+1, "EUR"), subErr: money.ErrOverflow,
		},
		{
			name: "largest minus a negative", a: money.New(math.MaxInt64, "EUR"), b: eur("-0.01"),
			wantAdd: money.New(math.MaxInt64-1, "EUR"), subErr: money.ErrOverflow,
		},
		{
			name: "largest plus largest", a: money.New(math.MaxInt64, "EUR"), b: money.New(math.MaxInt64, "EUR"),
			addErr: money.ErrOverflow, wantSub: money.Zero("EUR"),
		},
		{
			name: "most negative plus most negative", a: money.New(math.MinInt64, "EUR"), b: money.New(math.MinInt64, "EUR"),
			addErr: money.ErrOverflow, wantSub: money.Zero("EUR"),
		},
		{
			name: "minus one cent minus MinInt64 is the largest", a: eur("-0.01"), b: money.New(math.MinInt64, "EUR"),
			addErr: money.ErrOverflow, wantSub: money.New(math.MaxInt64, "EUR"),
		},
		{
			name: "zero minus MinInt64", a: money.Zero("EUR"), b: money.New(math.MinInt64, "EUR"),
			wantAdd: money.New(math.MinInt64, "EUR"), subErr: money.ErrOverflow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(op string, got money.Money, err error, want money.Money, wantErr error) {
				t.Helper()
				if wantErr != nil {
					if !errors.Is(err, wantErr) {
						t.Errorf("%v %s %v error = %v, want %v", tt.a, op, tt.b, err, wantErr)
					}
					return
				}
				if err != nil || got != want {
					t.Errorf("%v %s %v = %v, %v; want %v", tt.a, op, tt.b, got, err, want)
				}
			}
			got, err := tt.a.Add(tt.b)
			check("+", got, err, tt.wantAdd, tt.addErr)
			got, err = tt.a.Sub(tt.b)
			check("-", got, err, tt.wantSub, tt.subErr)
		})
	}
}

func TestSum(t *testing.T) {
	tests := []struct {
		name    string
		parts   []money.Money
		want    money.Money
		wantErr error
	}{
		{name: "nothing is zero in the currency", parts: nil, want: money.Zero("EUR")},
		{name: "one part", parts: []money.Money{eur("1.23")}, want: eur("1.23")},
		{name: "three thirds of a euro", parts: []money.Money{eur("0.33"), eur("0.33"), eur("0.34")}, want: eur("1.00")},
		{name: "a refund in between", parts: []money.Money{eur("10.00"), eur("-2.50"), eur("0.50")}, want: eur("8.00")},
		{name: "one part in another currency", parts: []money.Money{eur("1.00"), money.New(1, "JPY")}, wantErr: money.ErrCurrencyMismatch},
		{name: "parts in another currency than asked", parts: []money.Money{money.New(1, "JPY")}, wantErr: money.ErrCurrencyMismatch},
		{name: "overflow on the way", parts: []money.Money{money.New(math.MaxInt64, "EUR"), eur("0.01"), eur("-0.01")}, wantErr: money.ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := money.Sum("EUR", tt.parts...)
			wantResult(t, "Sum", got, err, tt.want, tt.wantErr)
		})
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		name    string
		a, b    money.Money
		want    int
		wantErr error
	}{
		{name: "less", a: eur("1.00"), b: eur("1.01"), want: -1},
		{name: "equal", a: eur("1.00"), b: eur("1.0"), want: 0},
		{name: "greater", a: eur("1.01"), b: eur("1.00"), want: 1},
		{name: "negative is less than zero", a: eur("-0.01"), b: money.Zero("EUR"), want: -1},
		{name: "extremes", a: money.New(math.MinInt64, "EUR"), b: money.New(math.MaxInt64, "EUR"), want: -1},
		{name: "different currencies", a: eur("1.00"), b: money.New(100, "JPY"), wantErr: money.ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Cmp(tt.b)
			wantResult(t, fmt.Sprintf("%v.Cmp(%v)", tt.a, tt.b), got, err, tt.want, tt.wantErr)
		})
	}
}

func TestTimes(t *testing.T) {
	tests := []struct {
		name     string
		unit     money.Money
		quantity string
		want     money.Money
		wantErr  error
	}{
		{name: "whole quantity", unit: eur("9.99"), quantity: "3", want: eur("29.97")},
		{name: "half of a cent rounds up", unit: eur("0.01"), quantity: "0.5", want: eur("0.01")},
		{name: "less than half of a cent rounds down", unit: eur("0.01"), quantity: "0.499", want: eur("0.00")},
		{name: "a thousandth of a cent is nothing", unit: eur("0.01"), quantity: "0.001", want: eur("0.00")},
		{name: "one and an eighth at 9.99", unit: eur("9.99"), quantity: "1.125", want: eur("11.24")}, // 11.23875
		{name: "exact product needs no rounding", unit: eur("8.00"), quantity: "1.125", want: eur("9.00")},
		{name: "tie at half a cent goes up", unit: eur("0.03"), quantity: "0.5", want: eur("0.02")},     // 0.015
		{name: "just below the tie goes down", unit: eur("0.03"), quantity: "0.499", want: eur("0.01")}, // 0.01497
		{name: "zero quantity", unit: eur("9.99"), quantity: "0", want: eur("0.00")},
		{name: "zero price", unit: eur("0.00"), quantity: "1.125", want: eur("0.00")},
		{name: "yen half a yen rounds up", unit: money.New(1, "JPY"), quantity: "0.5", want: money.New(1, "JPY")},
		{name: "dinar", unit: money.MustParse("1.001", "KWD"), quantity: "2.5", want: money.MustParse("2.503", "KWD")}, // 2.5025
		{name: "negative price", unit: eur("-9.99"), quantity: "1.125", want: eur("-11.24")},
		{name: "negative quantity", unit: eur("9.99"), quantity: "-1.125", want: eur("-11.24")},
		{name: "both negative", unit: eur("-9.99"), quantity: "-1.125", want: eur("11.24")},
		{name: "negative tie rounds away from zero", unit: eur("-0.01"), quantity: "0.5", want: eur("-0.01")},
		{name: "largest amount times one", unit: money.New(math.MaxInt64, "EUR"), quantity: "1", want: money.New(math.MaxInt64, "EUR")},
		{name: "most negative parsable amount times one", unit: money.New(-math.MaxInt64, "EUR"), quantity: "1", want: money.New(-math.MaxInt64, "EUR")},
		{name: "largest amount times a half", unit: money.New(math.MaxInt64, "EUR"), quantity: "0.5", want: money.New(math.MaxInt64/2+1, "EUR")},
		{name: "largest amount times two", unit: money.New(math.MaxInt64, "EUR"), quantity: "2", wantErr: money.ErrOverflow},
		{name: "largest amount times 1.001", unit: money.New(math.MaxInt64, "EUR"), quantity: "1.001", wantErr: money.ErrOverflow},
		{name: "huge quantity", unit: eur("1000.00"), quantity: "9223372036854775.807", wantErr: money.ErrOverflow},
		{name: "huge quantity at one cent", unit: eur("0.01"), quantity: "9223372036854775.807", want: money.New(9223372036854776, "EUR")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := money.MustQuantity(tt.quantity)
			got, err := tt.unit.Times(q)
			wantResult(t, fmt.Sprintf("%v × %s", tt.unit, tt.quantity), got, err, tt.want, tt.wantErr)
		})
	}
}

func TestBasisPoints(t *testing.T) {
	tests := []struct {
		name    string
		amount  money.Money
		bps     int64
		want    money.Money
		wantErr error
	}{
		{name: "1.5 % of 10.01", amount: eur("10.01"), bps: 150, want: eur("0.15")}, // 0.15015
		{name: "1.5 % of 100", amount: eur("100.00"), bps: 150, want: eur("1.50")},
		{name: "1.5 % of 1.00 is a tie and goes up", amount: eur("1.00"), bps: 150, want: eur("0.02")}, // 0.015
		{name: "1 bp of 50.00 is a tie and goes up", amount: eur("50.00"), bps: 1, want: eur("0.01")},  // 0.005
		{name: "1 bp of 49.99 goes down", amount: eur("49.99"), bps: 1, want: eur("0.00")},             // 0.004999
		{name: "2.9 % of 1238.16", amount: eur("1238.16"), bps: 290, want: eur("35.91")},               // 35.90664
		{name: "zero basis points", amount: eur("1238.16"), bps: 0, want: eur("0.00")},
		{name: "everything", amount: eur("1238.16"), bps: 10000, want: eur("1238.16")},
		{name: "yen", amount: money.New(1050, "JPY"), bps: 150, want: money.New(16, "JPY")}, // 15.75
		{name: "negative amount tie rounds away from zero", amount: eur("-1.00"), bps: 150, want: eur("-0.02")},
		{name: "negative basis points", amount: eur("1.00"), bps: -150, want: eur("-0.02")},
		{name: "largest amount at 100 %", amount: money.New(math.MaxInt64, "EUR"), bps: 10000, want: money.New(math.MaxInt64, "EUR")},
		{name: "largest amount at 200 %", amount: money.New(math.MaxInt64, "EUR"), bps: 20000, wantErr: money.ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.amount.BasisPoints(tt.bps)
			wantResult(t, fmt.Sprintf("%d bps of %v", tt.bps, tt.amount), got, err, tt.want, tt.wantErr)
		})
	}
}

// TestTimesMatchesExactArithmetic checks Times against exact rational arithmetic on a
// grid of prices and quantities around the rounding boundaries.
func TestTimesMatchesExactArithmetic(t *testing.T) {
	prices := []int64{0, 1, 2, 3, 7, 99, 101, 999, 1001, 12345, math.MaxInt64 / 1000, math.MaxInt64}
	quantities := []int64{1, 2, 499, 500, 501, 999, 1000, 1001, 1125, 1500, 2500, 333333, 1000000}
	for _, p := range prices {
		for _, q := range quantities {
			for _, sign := range []int64{1, -1} {
				unit := money.New(sign*p, "EUR")
				got, err := unit.Times(money.Quantity(q))
				want, ok := roundHalfAwayFromZero(big.NewRat(sign*p*1, 1), big.NewRat(q, 1000))
				if !ok {
					if !errors.Is(err, money.ErrOverflow) {
						t.Errorf("%v × %d‰ = %v, %v; want ErrOverflow", unit, q, got, err)
					}
					continue
				}
				if err != nil || got.Minor() != want {
					t.Errorf("%v × %d‰ = %v, %v; want %d minor", unit, q, got, err, want)
				}
			}
		}
	}
}

// roundHalfAwayFromZero is round_half_up of a×b in exact arithmetic, with ok=false
// when the result does not fit an int64.
func roundHalfAwayFromZero(a, b *big.Rat) (int64, bool) {
	p := new(big.Rat).Mul(a, b)
	neg := p.Sign() < 0
	p.Abs(p)
	p.Add(p, big.NewRat(1, 2))
	q := new(big.Int).Quo(p.Num(), p.Denom())
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() || q.Int64() == math.MinInt64 {
		return 0, false
	}
	return q.Int64(), true
}

var fuzzCurrencies = []string{"EUR", "JPY", "KWD"}

// plainDecimal is what the parser promises to read: an optional sign, digits and at
// most one dot with digits after it, around optional white space.
var plainDecimal = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]+)?|\.[0-9]+)$`)

// FuzzParseRoundTrip: Parse never panics, refuses only with its sentinel errors, agrees
// with exact rational arithmetic on every plain decimal, and whatever it accepts formats
// (Amount) to a canonical string that parses back to the same value.
func FuzzParseRoundTrip(f *testing.F) {
	for _, s := range []string{
		"1238.16", "0", "-0", "0.01", "-0.01", "12.50", "12.00", "12.5000", ".5", "+1",
		"1e3", "1,5", " ", "--1", ".", "1.", "+", "0x10", "١٢", " 12.34 ", "1.234",
		"92233720368547758.07", "92233720368547758.08", "-92233720368547758.08",
		"9223372036854775807", "9223372036854775.808", "0000000000000000000000001",
	} {
		for c := range fuzzCurrencies {
			f.Add(s, uint8(c))
		}
	}
	f.Fuzz(func(t *testing.T, s string, c uint8) {
		currency := fuzzCurrencies[int(c)%len(fuzzCurrencies)]
		exp, _ := money.Exponent(currency)
		m, err := money.Parse(s, currency)

		// Oracle: exact rational value of the plain decimal text.
		trimmed := strings.TrimSpace(s)
		if plainDecimal.MatchString(trimmed) {
			r, ok := new(big.Rat).SetString(trimmed)
			if !ok {
				t.Fatalf("big.Rat refuses plain decimal %q", trimmed)
			}
			scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
			switch {
			case !scaled.IsInt():
				if !errors.Is(err, money.ErrTooManyDecimals) {
					t.Fatalf("Parse(%q, %s) = %v, %v; want ErrTooManyDecimals", s, currency, m, err)
				}
			case !scaled.Num().IsInt64() || scaled.Num().Int64() == math.MinInt64:
				if !errors.Is(err, money.ErrOverflow) {
					t.Fatalf("Parse(%q, %s) = %v, %v; want ErrOverflow", s, currency, m, err)
				}
			default:
				if err != nil || m.Minor() != scaled.Num().Int64() {
					t.Fatalf("Parse(%q, %s) = %v, %v; want %s minor", s, currency, m, err, scaled.Num())
				}
			}
		} else if !errors.Is(err, money.ErrInvalidNumber) {
			t.Fatalf("Parse(%q, %s) = %v, %v; want ErrInvalidNumber for text that is not a plain decimal", s, currency, m, err)
		}

		if err != nil {
			return
		}
		if m.Currency() != currency {
			t.Fatalf("Parse(%q, %s) has currency %q", s, currency, m.Currency())
		}
		out := m.Amount()
		back, err := money.Parse(out, currency)
		if err != nil {
			t.Fatalf("Parse(%q, %s).Amount() = %q, which does not parse: %v", s, currency, out, err)
		}
		if back != m {
			t.Fatalf("Parse(%q, %s) = %d, but its Amount() %q parses to %d", s, currency, m.Minor(), out, back.Minor())
		}
		if again := back.Amount(); again != out {
			t.Fatalf("Amount() is not canonical: %q then %q", out, again)
		}
		if got := strings.IndexByte(out, '.'); (exp == 0) != (got < 0) || (exp > 0 && len(out)-got-1 != exp) {
			t.Fatalf("Amount() %q should have exactly %d decimals for %s", out, exp, currency)
		}
	})
}
