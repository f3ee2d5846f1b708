package domain

// Bounds on what one order may carry. They keep every sum and every fee product far
// from the int64 limit (MaxOrderAmountMinor × 10,000 bps < 2^63) and every statement
// within the databases' variable limits, so bad input is a user error, never a failed
// run. Each is checked where the input is read (internal/psp's order validation) and
// documented in the README's "Security" section.
const (
	// MaxOrderAmountMinor is the largest order amount in minor units of any currency:
	// 10,000,000.00 in a two-decimal currency.
	MaxOrderAmountMinor int64 = 1_000_000_000
	// MaxOrderItems is the most items one order may have.
	MaxOrderItems = 500
)
