package paywerk

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// SliceParts is the number of SLICE instalments ("Pay in 3 parts"), InvoiceDays the
// INVOICE term ("Pay in 30 days").
const (
	SliceParts  = 3
	InvoiceDays = 30
)

var (
	// ErrUnknownProductType: not PAY_NOW_CARD, INVOICE or SLICE.
	ErrUnknownProductType = errors.New("paywerk: unknown product type")
	// ErrProductNotAvailable: pay now for a shopper outside the EEA; pay later outside
	// 100–2000 EUR or for a shopper outside Estonia.
	ErrProductNotAvailable = errors.New("paywerk: product not available")
)

// ProductTypes are Paywerk's products in display order.
var ProductTypes = slices.Clone(providers.CapabilitiesOf(domain.ProviderPaywerk).ProductTypes)

// Available tells whether a product can be offered for an amount and a shopper
// country ("" is the merchant's country, Estonia): the rules Paywerk's capabilities
// declare (providers.Capabilities.Offers), as the sandbox enforces them.
func Available(pt domain.ProductType, amount money.Money, shopperCountry string) error {
	if !slices.Contains(ProductTypes, pt) {
		return fmt.Errorf("%w: %q", ErrUnknownProductType, pt)
	}
	if err := providers.CapabilitiesOf(domain.ProviderPaywerk).Offers(pt, amount, shopperCountry); err != nil {
		return fmt.Errorf("%w: %w", ErrProductNotAvailable, err)
	}
	return nil
}

// ProductID is the sandbox's id of the standard product of a type (Paywerk's ids
// are not public; these are inferred).
func ProductID(pt domain.ProductType) string {
	switch pt {
	case domain.ProductInvoice:
		return "INVOICE_EE_30D"
	case domain.ProductSlice:
		return "SLICE_EE_3"
	}
	return "PAY_NOW_CARD_EE"
}

// ProductTypeOf answers the product type of a ProductID.
func ProductTypeOf(productID string) (domain.ProductType, bool) {
	for _, pt := range ProductTypes {
		if ProductID(pt) == productID {
			return pt, true
		}
	}
	return "", false
}

// BuildSchedule is the payment schedule of docs/providers/paywerk.md "Payment schedule": PAY_NOW_CARD all today, INVOICE
// all in 30 days, SLICE in 3 monthly parts with the remainder cent on the first
// (100.00 → 33.34, 33.33, 33.33).
func BuildSchedule(pt domain.ProductType, amount money.Money, shopperCountry string, today time.Time) (Schedule, error) {
	if !amount.IsPositive() {
		return Schedule{}, fmt.Errorf("%w: amount must be positive", ErrProductNotAvailable)
	}
	if err := Available(pt, amount, shopperCountry); err != nil {
		return Schedule{}, err
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	s := Schedule{ProductID: ProductID(pt), ProductType: string(pt)}
	switch pt {
	case domain.ProductPayNowCard:
		s.Schedule = []ScheduleItem{{DueDate: day(today), Amount: NewAmount(amount)}}
	case domain.ProductInvoice:
		s.Schedule = []ScheduleItem{{DueDate: day(today.AddDate(0, 0, InvoiceDays)), Amount: NewAmount(amount)}}
	case domain.ProductSlice:
		base := amount.Minor() / SliceParts
		first := amount.Minor() - base*(SliceParts-1)
		for i := range SliceParts {
			part := base
			if i == 0 {
				part = first
			}
			s.Schedule = append(s.Schedule, ScheduleItem{DueDate: day(today.AddDate(0, i, 0)), Amount: NewAmount(money.New(part, Currency))})
		}
	}
	return s, nil
}
