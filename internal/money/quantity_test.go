package money_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantMilli  int64
		wantString string
		wantErr    error
	}{
		{name: "whole", in: "2", wantMilli: 2000, wantString: "2"},
		{name: "half", in: "0.5", wantMilli: 500, wantString: "0.5"},
		{name: "an eighth more", in: "1.125", wantMilli: 1125, wantString: "1.125"},
		{name: "trailing zero beyond three decimals", in: "1.1250", wantMilli: 1125, wantString: "1.125"},
		{name: "trailing zeros on a whole", in: "3.000", wantMilli: 3000, wantString: "3"},
		{name: "one thousandth", in: "0.001", wantMilli: 1, wantString: "0.001"},
		{name: "ten keeps its zero", in: "10", wantMilli: 10000, wantString: "10"},
		{name: "ten and a tenth", in: "10.10", wantMilli: 10100, wantString: "10.1"},
		{name: "zero", in: "0", wantMilli: 0, wantString: "0"},
		{name: "leading dot", in: ".5", wantMilli: 500, wantString: "0.5"},
		{name: "negative", in: "-0.5", wantMilli: -500, wantString: "-0.5"},
		{name: "largest", in: "9223372036854775.807", wantMilli: math.MaxInt64, wantString: "9223372036854775.807"},

		{name: "fourth decimal", in: "1.1255", wantErr: money.ErrTooManyDecimals},
		{name: "a ten-thousandth", in: "0.0001", wantErr: money.ErrTooManyDecimals},
		{name: "exponent", in: "1e3", wantErr: money.ErrInvalidNumber},
		{name: "decimal comma", in: "0,5", wantErr: money.ErrInvalidNumber},
		{name: "fraction", in: "1/2", wantErr: money.ErrInvalidNumber},
		{name: "empty", in: "", wantErr: money.ErrInvalidNumber},
		{name: "trailing dot", in: "2.", wantErr: money.ErrInvalidNumber},
		{name: "beyond int64", in: "9223372036854775.808", wantErr: money.ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := money.ParseQuantity(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseQuantity(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "quantity: ") {
					t.Errorf("ParseQuantity(%q) error %q should say it is about a quantity", tt.in, err)
				}
				return
			}
			if err != nil || q.Milli() != tt.wantMilli {
				t.Fatalf("ParseQuantity(%q) = %d, %v; want %d", tt.in, q.Milli(), err, tt.wantMilli)
			}
			if got := q.String(); got != tt.wantString {
				t.Errorf("ParseQuantity(%q).String() = %q, want %q", tt.in, got, tt.wantString)
			}
		})
	}
}

func TestQuantityString(t *testing.T) {
	tests := []struct {
		name string
		q    money.Quantity
		want string
	}{
		{name: "zero", q: 0, want: "0"},
		{name: "one thousandth", q: 1, want: "0.001"},
		{name: "one hundredth", q: 10, want: "0.01"},
		{name: "one tenth", q: 100, want: "0.1"},
		{name: "whole", q: money.Units(2), want: "2"},
		{name: "hundred keeps its zeros", q: money.Units(100), want: "100"},
		{name: "hundred and a half", q: 100500, want: "100.5"},
		{name: "minus a thousandth", q: -1, want: "-0.001"},
		{name: "minus one", q: money.Units(-1), want: "-1"},
		{name: "largest", q: math.MaxInt64, want: "9223372036854775.807"},
		{name: "smallest", q: math.MinInt64, want: "-9223372036854775.808"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.String(); got != tt.want {
				t.Errorf("Quantity(%d).String() = %q, want %q", int64(tt.q), got, tt.want)
			}
		})
	}
}

func TestQuantityIsWhole(t *testing.T) {
	tests := []struct {
		name string
		q    string
		want bool
	}{
		{name: "zero", q: "0", want: true},
		{name: "two", q: "2", want: true},
		{name: "two with zeros", q: "2.000", want: true},
		{name: "half", q: "0.5", want: false},
		{name: "a thousandth over", q: "2.001", want: false},
		{name: "minus one", q: "-1", want: true},
		{name: "minus a half", q: "-0.5", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := money.MustQuantity(tt.q).IsWhole(); got != tt.want {
				t.Errorf("%s IsWhole = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestMustQuantityPanicsOnBadInput(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustQuantity(\"1.1255\") did not panic")
		}
	}()
	money.MustQuantity("1.1255")
}

// FuzzParseQuantity: ParseQuantity never panics, agrees with exact arithmetic on every
// plain decimal, and String gives the shortest form, which parses back to the same value.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{
		"2", "0.5", "1.125", "1.1250", "1.1255", "0", "-0.5", ".5", "10", "100.500",
		"1e3", "0,5", "", " ", ".", "1.", "+", "--1", "0x10", "١٢",
		"9223372036854775.807", "9223372036854775.808", "-9223372036854775.808",
	} {
		f.Add(s)
	}
	thousand := new(big.Rat).SetInt64(money.QuantityScale)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := money.ParseQuantity(s)

		trimmed := strings.TrimSpace(s)
		if plainDecimal.MatchString(trimmed) {
			r, ok := new(big.Rat).SetString(trimmed)
			if !ok {
				t.Fatalf("big.Rat refuses plain decimal %q", trimmed)
			}
			scaled := r.Mul(r, thousand)
			switch {
			case !scaled.IsInt():
				if !errors.Is(err, money.ErrTooManyDecimals) {
					t.Fatalf("ParseQuantity(%q) = %v, %v; want ErrTooManyDecimals", s, q, err)
				}
			case !scaled.Num().IsInt64() || scaled.Num().Int64() == math.MinInt64:
				if !errors.Is(err, money.ErrOverflow) {
					t.Fatalf("ParseQuantity(%q) = %v, %v; want ErrOverflow", s, q, err)
				}
			default:
				if err != nil || q.Milli() != scaled.Num().Int64() {
					t.Fatalf("ParseQuantity(%q) = %v, %v; want %s thousandths", s, q, err, scaled.Num())
				}
			}
		} else if !errors.Is(err, money.ErrInvalidNumber) {
			t.Fatalf("ParseQuantity(%q) = %v, %v; want ErrInvalidNumber", s, q, err)
		}

		if err != nil {
			return
		}
		out := q.String()
		back, err := money.ParseQuantity(out)
		if err != nil || back != q {
			t.Fatalf("ParseQuantity(%q) = %d, but its String() %q parses to %d, %v", s, q.Milli(), out, back.Milli(), err)
		}
		if strings.Contains(out, ".") && strings.HasSuffix(out, "0") || strings.HasSuffix(out, ".") {
			t.Fatalf("String() %q is not the shortest form", out)
		}
		if q.IsWhole() == strings.Contains(out, ".") {
			t.Fatalf("Quantity %q: IsWhole = %v", out, q.IsWhole())
		}
	})
}
