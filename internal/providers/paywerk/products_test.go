package paywerk_test

import (
	"errors"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/paywerk"
)

// TestPayNowOnlyInTheEEA: seed 003 offers pay now to shoppers in Estonia and other
// EEA countries only (issue 13, defect 7); pay later to Estonian shoppers only.
func TestPayNowOnlyInTheEEA(t *testing.T) {
	amount := money.MustParse("150.00", "EUR")
	for _, tc := range []struct {
		pt      providers.ProductType
		country string
		ok      bool
	}{
		{providers.PayNowCard, "EE", true},
		{providers.PayNowCard, "DE", true},
		{providers.PayNowCard, "NO", true}, // EEA, not EU
		{providers.PayNowCard, "", true},   // the merchant's country
		{providers.PayNowCard, "US", false},
		{providers.PayNowCard, "CH", false}, // Europe, not EEA
		{providers.PayNowCard, "GB", false},
		{providers.Invoice, "EE", true},
		{providers.Invoice, "DE", false},
	} {
		err := paywerk.Available(tc.pt, amount, tc.country)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, paywerk.ErrProductNotAvailable)) {
			t.Errorf("%s for a shopper in %q: %v, want available %v", tc.pt, tc.country, err, tc.ok)
		}
	}
}
