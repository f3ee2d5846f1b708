package money

import (
	"fmt"
	"math"
	"math/bits"
)

// Money is an amount in a currency's minor units. The zero value has no currency and
// is only useful as "nothing yet"; build values with New, Zero or Parse.
type Money struct {
	minor    int64
	currency string
}

// New builds an amount from minor units. It does not validate the currency; use
// NormalizeCurrency at the edge where the code comes in.
func New(minor int64, currency string) Money { return Money{minor: minor, currency: currency} }

// Zero is nothing, in a currency.
func Zero(currency string) Money { return Money{currency: currency} }

// Parse reads a decimal string ("1238.16") in the given currency, refusing more
// decimals than the currency has.
func Parse(amount, currency string) (Money, error) {
	exp, err := Exponent(currency)
	if err != nil {
		return Money{}, err
	}
	v, err := parseFixed(amount, exp)
	if err != nil {
		return Money{}, err
	}
	return Money{minor: v, currency: currency}, nil
}

// MustParse is Parse for constants in tests and seeds; it panics on bad input.
func MustParse(amount, currency string) Money {
	m, err := Parse(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Minor is the amount in minor units (cents for EUR).
func (m Money) Minor() int64 { return m.minor }

// Currency is the ISO 4217 code.
func (m Money) Currency() string { return m.currency }

// Amount is the decimal string with exactly the currency's decimals ("1238.16").
func (m Money) Amount() string {
	exp, err := Exponent(m.currency)
	if err != nil {
		exp = 2
	}
	return formatFixed(m.minor, exp)
}

// String is "1238.16 EUR", for logs and messages.
func (m Money) String() string { return m.Amount() + " " + m.currency }

func (m Money) IsZero() bool     { return m.minor == 0 }
func (m Money) IsNegative() bool { return m.minor < 0 }
func (m Money) IsPositive() bool { return m.minor > 0 }

// Neg is -m.
func (m Money) Neg() Money { return Money{minor: -m.minor, currency: m.currency} }

func (m Money) same(o Money) error {
	if m.currency != o.currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.currency, o.currency)
	}
	return nil
}

// Add is m + o; it refuses different currencies and overflow.
func (m Money) Add(o Money) (Money, error) {
	if err := m.same(o); err != nil {
		return Money{}, err
	}
	s := m.minor + o.minor
	if (s > m.minor) != (o.minor > 0) {
		return Money{}, ErrOverflow
	}
	return Money{minor: s, currency: m.currency}, nil
}

// Sub is m - o; it refuses different currencies and overflow.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.same(o); err != nil {
		return Money{}, err
	}
	// Checked directly rather than as m + (-o): -MinInt64 does not exist, yet
	// m - MinInt64 fits whenever m < 0.
	d := m.minor - o.minor
	if (d < m.minor) != (o.minor > 0) {
		return Money{}, ErrOverflow
	}
	return Money{minor: d, currency: m.currency}, nil
}

// Cmp compares two amounts of one currency: -1, 0 or 1.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.same(o); err != nil {
		return 0, err
	}
	switch {
	case m.minor < o.minor:
		return -1, nil
	case m.minor > o.minor:
		return 1, nil
	}
	return 0, nil
}

// Sum adds amounts of one currency; an empty list is Zero(currency).
func Sum(currency string, parts ...Money) (Money, error) {
	total := Zero(currency)
	for _, p := range parts {
		var err error
		if total, err = total.Add(p); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// mulDivHalfUp computes round_half_up(a*b/d) for a, b ≥ 0 and d > 0 in 128 bits.
func mulDivHalfUp(a, b uint64, d uint64) (uint64, error) {
	hi, lo := bits.Mul64(a, b)
	// add d/2 for half-up rounding (ties go away from zero; inputs are ≥ 0).
	var carry uint64
	lo, carry = bits.Add64(lo, d/2, 0)
	hi += carry
	if hi >= d {
		return 0, ErrOverflow
	}
	q, _ := bits.Div64(hi, lo, d)
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	return q, nil
}

// Times is round_half_up(m × q): the amount of q units at unit price m.
// Negative quantities and prices round half away from zero.
func (m Money) Times(q Quantity) (Money, error) { return m.scaled(int64(q), QuantityScale) }

// BasisPoints is round_half_up(m × bps / 10000), for fees (150 bps = 1.5 %).
func (m Money) BasisPoints(bps int64) (Money, error) { return m.scaled(bps, 10000) }

// scaled is round_half_up(m × mul / div) with the sign of m × mul, so that Times
// and BasisPoints round the same way: half away from zero.
func (m Money) scaled(mul int64, div uint64) (Money, error) {
	neg := (m.minor < 0) != (mul < 0)
	v, err := mulDivHalfUp(abs64(m.minor), abs64(mul), div)
	if err != nil {
		return Money{}, err
	}
	r := int64(v)
	if neg {
		r = -r
	}
	return Money{minor: r, currency: m.currency}, nil
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}
