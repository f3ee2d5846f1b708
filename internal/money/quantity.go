package money

import "fmt"

// QuantityScale is the fixed-point scale of quantities: 3 decimals.
const QuantityScale = 1000

// Quantity is a fixed-point count with 3 decimals, stored as thousandths
// (1.125 is Quantity(1125)). It is never a float.
type Quantity int64

// Units builds a whole quantity: Units(3) is "3".
func Units(n int64) Quantity { return Quantity(n * QuantityScale) }

// ParseQuantity reads "2", "0.5" or "1.125"; more than 3 decimals is refused.
func ParseQuantity(s string) (Quantity, error) {
	v, err := parseFixed(s, 3)
	if err != nil {
		return 0, fmt.Errorf("quantity: %w", err)
	}
	return Quantity(v), nil
}

// MustQuantity is ParseQuantity for constants; it panics on bad input.
func MustQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// Milli is the quantity in thousandths, as stored.
func (q Quantity) Milli() int64 { return int64(q) }

// IsWhole tells whether the quantity has no fractional part.
func (q Quantity) IsWhole() bool { return q%QuantityScale == 0 }

// String is the shortest exact form: "2", "0.5", "1.125".
func (q Quantity) String() string {
	s := formatFixed(int64(q), 3)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
