package money

import "errors"

var (
	// ErrUnknownCurrency: the code is not an ISO 4217 currency this product knows.
	ErrUnknownCurrency = errors.New("unknown currency")
	// ErrCurrencyMismatch: two amounts of different currencies were combined.
	ErrCurrencyMismatch = errors.New("currency mismatch")
	// ErrTooManyDecimals: an amount has more decimals than its currency, or a quantity more than 3.
	ErrTooManyDecimals = errors.New("too many decimals")
	// ErrInvalidNumber: the text is not a plain decimal number.
	ErrInvalidNumber = errors.New("invalid number")
	// ErrOverflow: the value does not fit the int64 range this product keeps amounts in.
	ErrOverflow = errors.New("amount out of range")
)
