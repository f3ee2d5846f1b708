package paywerk

import (
	"errors"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Product rules of seed 003, shared by the sandbox (which enforces them) and by
// callers that want to show a schedule without a call.
var (
	// PayLaterMin and PayLaterMax bound the cart for INVOICE and SLICE: 100–2000 EUR.
	PayLaterMin = money.MustParse("100.00", Currency)
	PayLaterMax = money.MustParse("2000.00", Currency)
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
var ProductTypes = []providers.ProductType{providers.PayNowCard, providers.Invoice, providers.Slice}

// IsPayLater tells whether a product is paid after fulfilment (INVOICE, SLICE).
func IsPayLater(pt providers.ProductType) bool {
	return pt == providers.Invoice || pt == providers.Slice
}

// eea are the countries of the European Economic Area (the EU, Iceland,
// Liechtenstein and Norway): where Paywerk's pay now is offered (seed 003, "Estonia
// and other EEA countries").
var eea = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
	"IS": true, "LI": true, "NO": true,
}

// Available tells whether a product can be offered for an amount and a shopper
// country ("" is the merchant's country, Estonia): pay now only for shoppers in the
// EEA; pay later only for 100–2000 EUR and only for Estonian shoppers (seed 003).
func Available(pt providers.ProductType, amount money.Money, shopperCountry string) error {
	switch pt {
	case providers.PayNowCard:
		if shopperCountry != "" && !eea[shopperCountry] {
			return fmt.Errorf("%w: %s is only for shoppers in the EEA, not %s", ErrProductNotAvailable, pt, shopperCountry)
		}
		return nil
	case providers.Invoice, providers.Slice:
	default:
		return fmt.Errorf("%w: %q", ErrUnknownProductType, pt)
	}
	lo, err1 := amount.Cmp(PayLaterMin)
	hi, err2 := amount.Cmp(PayLaterMax)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%w: %v", ErrProductNotAvailable, err)
	}
	if lo < 0 || hi > 0 {
		return fmt.Errorf("%w: %s is only for carts of %s to %s", ErrProductNotAvailable, pt, PayLaterMin, PayLaterMax)
	}
	if shopperCountry != "" && shopperCountry != "EE" {
		return fmt.Errorf("%w: %s is only for shoppers in Estonia", ErrProductNotAvailable, pt)
	}
	return nil
}

// ProductID is the sandbox's id of the standard product of a type (Paywerk's ids
// are not public; these are inferred).
func ProductID(pt providers.ProductType) string {
	switch pt {
	case providers.Invoice:
		return "INVOICE_EE_30D"
	case providers.Slice:
		return "SLICE_EE_3"
	}
	return "PAY_NOW_CARD_EE"
}

// ProductTypeOf answers the product type of a ProductID.
func ProductTypeOf(productID string) (providers.ProductType, bool) {
	for _, pt := range ProductTypes {
		if ProductID(pt) == productID {
			return pt, true
		}
	}
	return "", false
}

// BuildSchedule is the payment schedule of seed 003: PAY_NOW_CARD all today, INVOICE
// all in 30 days, SLICE in 3 monthly parts with the remainder cent on the first
// (100.00 → 33.34, 33.33, 33.33).
func BuildSchedule(pt providers.ProductType, amount money.Money, shopperCountry string, today time.Time) (Schedule, error) {
	if !amount.IsPositive() {
		return Schedule{}, fmt.Errorf("%w: amount must be positive", ErrProductNotAvailable)
	}
	if err := Available(pt, amount, shopperCountry); err != nil {
		return Schedule{}, err
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	s := Schedule{ProductID: ProductID(pt), ProductType: string(pt)}
	switch pt {
	case providers.PayNowCard:
		s.Schedule = []ScheduleItem{{DueDate: day(today), Amount: NewAmount(amount)}}
	case providers.Invoice:
		s.Schedule = []ScheduleItem{{DueDate: day(today.AddDate(0, 0, InvoiceDays)), Amount: NewAmount(amount)}}
	case providers.Slice:
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
