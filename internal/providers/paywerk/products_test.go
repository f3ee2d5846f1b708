package paywerk_test

import (
	"errors"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/paywerk"
)

// TestPayNowOnlyInTheEEA: Paywerk (docs/providers/paywerk.md "Products and limits") offers pay now to shoppers in Estonia and other
// EEA countries only (issue 13, defect 7); pay later to Estonian shoppers only.
func TestPayNowOnlyInTheEEA(t *testing.T) {
	amount := money.MustParse("150.00", "EUR")
	for _, tc := range []struct {
		pt      domain.ProductType
		country string
		ok      bool
	}{
		{domain.ProductPayNowCard, "EE", true},
		{domain.ProductPayNowCard, "DE", true},
		{domain.ProductPayNowCard, "NO", true}, // EEA, not EU
		{domain.ProductPayNowCard, "", true},   // the merchant's country
		{domain.ProductPayNowCard, "US", false},
		{domain.ProductPayNowCard, "CH", false}, // Europe, not EEA
		{domain.ProductPayNowCard, "GB", false},
		{domain.ProductInvoice, "EE", true},
		{domain.ProductInvoice, "DE", false},
	} {
		err := paywerk.Available(tc.pt, amount, tc.country)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, paywerk.ErrProductNotAvailable)) {
			t.Errorf("%s for a shopper in %q: %v, want available %v", tc.pt, tc.country, err, tc.ok)
		}
	}
}
