package money

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseFixed reads a plain decimal string ("-12.5", "1238.16", "3") into an integer
// scaled by 10^scale. It refuses exponents, spaces inside, more than scale decimals,
// and values beyond int64.
func parseFixed(s string, scale int) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrInvalidNumber)
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%w: %q", ErrInvalidNumber, in)
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("%w: %q", ErrInvalidNumber, in)
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%w: %q", ErrInvalidNumber, in)
		}
	}
	// Trailing zeros beyond the scale are harmless ("12.50" for JPY is not).
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > scale {
		return 0, fmt.Errorf("%w: %q allows at most %d", ErrTooManyDecimals, in, scale)
	}
	frac = trimmed + strings.Repeat("0", scale-len(trimmed))
	var v uint64
	for _, r := range strings.TrimLeft(intPart, "0") + frac {
		d := uint64(r - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, fmt.Errorf("%w: %q", ErrOverflow, in)
		}
		v = v*10 + d
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// formatFixed writes v/10^scale as a decimal string with exactly scale decimals
// (or none when scale is 0).
func formatFixed(v int64, scale int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v) // two's complement keeps MinInt64 correct as uint64
	}
	// strconv, not fmt: every Money and Quantity in an API answer passes here, and
	// fmt.Sprintf was the largest cost of rendering an order page.
	var num [20]byte
	d := strconv.AppendUint(num[:0], u, 10)
	var buf [48]byte
	b := buf[:0]
	if neg && u != 0 {
		b = append(b, '-')
	}
	for i := len(d); i < scale+1; i++ { // at least one digit before the point
		b = append(b, '0')
	}
	b = append(b, d...)
	if scale == 0 {
		return string(b)
	}
	var out [49]byte
	cut := len(b) - scale
	r := append(out[:0], b[:cut]...)
	r = append(r, '.')
	r = append(r, b[cut:]...)
	return string(r)
}
