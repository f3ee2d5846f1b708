// Package money holds the value types every money path uses: Money (int64 minor
// units plus an ISO 4217 currency), Quantity (fixed point, 3 decimals) and the
// allocation rule that splits a line into parts that always add up to the line.
//
// The decision a reader would otherwise rediscover: nothing here ever goes through
// float64. Decimal strings are parsed digit by digit against the currency's exponent,
// products of unit price and quantity are computed in 128 bits and rounded half up,
// and arithmetic refuses to mix currencies instead of converting.
package money
