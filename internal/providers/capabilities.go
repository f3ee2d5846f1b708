package providers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// The capability set each provider declares, as data in this package rather than in
// each provider's own: the money services (internal/psp, internal/settlement) decide
// by provider without a client and must not import any provider package, so what
// they need to know about a provider is here and nowhere else. Each client's
// Capabilities method answers its entry.
var declared = map[Name]Capabilities{
	// Invoices for businesses (B2B, the debtor company is named): partial captures
	// (invoices) and credit notes naming lines with integer quantities, so a
	// fractional part goes by amount. A credit note belongs to one invoice; the cancel
	// goes first, so a credit refused later leaves nothing uncaptured that the refund
	// meant to cancel.
	Billie: {
		PartialCapture:        true,
		LineLevelCapture:      true,
		LineLevelRefunds:      true,
		Cancel:                true,
		RefundsAgainstCapture: true,
		CancelFirst:           true,
		ProductTypes:          []domain.ProductType{domain.ProductInvoice},
		Currencies:            []string{"EUR"},
		NeedsCompany:          true,
	},
	// Lines with fractional quantities, partial fulfilment, line-level RETURN and
	// CANCEL, and nothing by amount. Pay now by card is paid in full at confirmation;
	// invoice and slice are captured per fulfilment. The page speaks English and
	// Estonian; pay now is for shoppers in the EEA, pay later for Estonian shoppers
	// within the pay-later limit.
	Paywerk: {
		PartialCapture:            true,
		LineLevelCapture:          true,
		LineLevelRefunds:          true,
		FractionalQuantities:      true,
		Cancel:                    true,
		LinesOnly:                 true,
		NoIdempotencyKey:          true,
		RefundInOneCall:           true,
		InstantSettleProductTypes: []domain.ProductType{domain.ProductPayNowCard},
		ProductTypes:              []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice},
		Currencies:                []string{"EUR"},
		Langs:                     []string{"en", "et"},
		ShopperCountries: map[domain.ProductType][]string{
			domain.ProductPayNowCard: EEA,
			domain.ProductInvoice:    {"EE"},
			domain.ProductSlice:      {"EE"},
		},
		PayLaterLimit: true,
	},
	// Card payments authorised first and settled later, partially and repeatedly;
	// settle can name lines with whole quantities; refunds go by amount.
	Billwerk: {
		PartialCapture:   true,
		LineLevelCapture: true,
		Cancel:           true,
		ProductTypes:     []domain.ProductType{domain.ProductPayNowCard},
		Currencies:       []string{"EUR", "DKK", "SEK", "NOK", "USD", "GBP"},
	},
	// Card payments authorised on the hosted page, captured partially and repeatedly,
	// refunded by amount; the uncaptured part is reversed. No order lines.
	BetterPayment: {
		PartialCapture: true,
		Cancel:         true,
		ProductTypes:   []domain.ProductType{domain.ProductPayNowCard},
		Currencies:     []string{"EUR"},
	},
}

// CapabilitiesOf answers what a provider's API can do; it does not depend on the
// account. An unknown provider can do nothing. The answer's slices and map are
// shared: read them, never change them.
func CapabilitiesOf(p domain.Provider) Capabilities { return declared[NameOf(p)] }

// EEA are the countries of the European Economic Area (the EU, Iceland,
// Liechtenstein and Norway).
var EEA = []string{
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
	"MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}

// ErrNotOffered: the provider does not offer a product type, or not for this amount
// or this shopper (Capabilities.Offers).
var ErrNotOffered = errors.New("product not offered")

// notOffered is an Offers refusal: its text is the reason alone, for the user.
type notOffered struct{ reason string }

func (e *notOffered) Error() string        { return e.reason }
func (e *notOffered) Is(target error) bool { return target == ErrNotOffered }

func refuseOffer(format string, args ...any) error {
	return &notOffered{reason: fmt.Sprintf(format, args...)}
}

// Offers tells whether the provider offers a product type for an amount to a shopper
// whose billing country is shopperCountry ("" is not known yet: the country rules
// wait). A refusal is ErrNotOffered, and its text says why in the user's terms.
func (c Capabilities) Offers(pt domain.ProductType, amount money.Money, shopperCountry string) error {
	if !slices.Contains(c.ProductTypes, pt) {
		return refuseOffer("%s is not offered", pt)
	}
	if c.PayLaterLimit && pt.PayLater() {
		if !domain.InPayLaterLimit(amount) {
			return refuseOffer("%s is only for carts of %s", pt, domain.PayLaterRange())
		}
	}
	if countries, ok := c.ShopperCountries[pt]; ok && shopperCountry != "" && !slices.Contains(countries, shopperCountry) {
		where := strings.Join(countries, ", ")
		if slices.Equal(countries, EEA) {
			where = "the EEA"
		}
		return refuseOffer("%s is only for shoppers in %s, not %s", pt, where, shopperCountry)
	}
	return nil
}
