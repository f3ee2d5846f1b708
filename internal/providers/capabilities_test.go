package providers

import (
	"errors"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// TestOffers: what a provider offers, for how much and to whom, is decided by its
// capabilities alone; a refusal is ErrNotOffered and its text is the reason in the
// user's terms, with no provider prefix to strip.
func TestOffers(t *testing.T) {
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	for _, tc := range []struct {
		provider domain.Provider
		pt       domain.ProductType
		amount   money.Money
		country  string
		ok       bool
	}{
		{domain.ProviderPaywerk, domain.ProductInvoice, eur("100.00"), "EE", true}, // the limit is inclusive
		{domain.ProviderPaywerk, domain.ProductSlice, eur("2000.00"), "", true},
		{domain.ProviderPaywerk, domain.ProductInvoice, eur("99.99"), "EE", false},
		{domain.ProviderPaywerk, domain.ProductSlice, eur("2000.01"), "EE", false},
		{domain.ProviderPaywerk, domain.ProductInvoice, eur("150.00"), "DE", false}, // pay later: Estonian shoppers
		{domain.ProviderPaywerk, domain.ProductPayNowCard, eur("5000.00"), "NO", true},
		{domain.ProviderPaywerk, domain.ProductPayNowCard, eur("10.00"), "US", false}, // pay now: the EEA
		{domain.ProviderBillie, domain.ProductInvoice, eur("50.00"), "DE", true},      // Billie has no pay-later limit
		{domain.ProviderBillie, domain.ProductPayNowCard, eur("50.00"), "DE", false},
		{domain.ProviderBillwerk, domain.ProductPayNowCard, money.MustParse("50.00", "DKK"), "US", true},
		{domain.Provider("NOBODY"), domain.ProductPayNowCard, eur("50.00"), "EE", false},
	} {
		err := CapabilitiesOf(tc.provider).Offers(tc.pt, tc.amount, tc.country)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotOffered)) {
			t.Errorf("%s %s %s for %q: %v, want offered %v", tc.provider, tc.pt, tc.amount, tc.country, err, tc.ok)
		}
		if err != nil && (strings.Contains(err.Error(), "paywerk") || !strings.Contains(err.Error(), string(tc.pt))) {
			t.Errorf("refusal text %q", err)
		}
	}
}
