// Package scalars binds the API's custom scalars to the product's value types:
// Quantity (a decimal string with at most 3 decimals) to money.Quantity.
package scalars

import (
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// MarshalQuantity writes a quantity as its shortest exact decimal string ("1.125").
func MarshalQuantity(q money.Quantity) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(q.String())) })
}

// UnmarshalQuantity reads a decimal string; numbers are refused so no float ever
// carries a quantity.
func UnmarshalQuantity(v any) (money.Quantity, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("a Quantity must be a decimal string such as \"1.5\"")
	}
	return money.ParseQuantity(s)
}
