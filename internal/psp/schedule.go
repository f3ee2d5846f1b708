package psp

import (
	"errors"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// The shopper's payment schedule per product type (docs/providers/paywerk.md "Payment schedule", Paywerk's "Get payment schedule by
// product type"), for promoting pay-later products: what the shopper pays when.
//
//   - PAY_NOW_CARD: the whole amount, today.
//   - INVOICE: the whole amount, 30 days from today.
//   - SLICE: three monthly parts starting today; the cents that do not divide go on
//     the first part (100.00 → 33.34, 33.33, 33.33). A later month without the day
//     takes its last day (31 January → 28/29 February).
//
// Only EUR exists (docs/providers/paywerk.md "Orders"). Pay-later products take domain's pay-later limit.

const (
	invoiceDueDays   = 30
	sliceParts       = 3
	scheduleCurrency = domain.PayLaterCurrency
)

// PaymentSchedule is when a shopper pays what.
type PaymentSchedule struct {
	ProductType domain.ProductType
	Parts       []PaymentSchedulePart
}

// PaymentSchedulePart is one payment of a schedule.
type PaymentSchedulePart struct {
	DueDate domain.Date
	Amount  money.Money
}

// PaymentScheduleFor answers the schedule for paying amount (a decimal string in EUR)
// with productType, starting today. It refuses non-positive amounts, more than two
// decimals, and pay-later amounts outside 100–2000 EUR, naming the "amount" field.
func PaymentScheduleFor(productType domain.ProductType, amount string, today domain.Date) (*PaymentSchedule, error) {
	total, err := money.Parse(amount, scheduleCurrency)
	switch {
	case errors.Is(err, money.ErrTooManyDecimals):
		return nil, domain.RefuseErr(ErrTooManyDecimals, domain.Field("amount"), "an EUR amount has at most 2 decimals")
	case err != nil:
		return nil, domain.RefuseErr(ErrInvalidSchedule, domain.Field("amount"), fmt.Sprintf("%q is not an amount", amount))
	case !total.IsPositive():
		return nil, domain.RefuseErr(ErrInvalidSchedule, domain.Field("amount"), "the amount must be positive")
	}
	if productType.PayLater() && !domain.InPayLaterLimit(total) {
		return nil, domain.RefuseErr(ErrAmountOutOfRange, domain.Field("amount"),
			fmt.Sprintf("%s takes amounts from %s", productType, domain.PayLaterRange()))
	}
	s := &PaymentSchedule{ProductType: productType}
	switch productType {
	case domain.ProductInvoice:
		s.Parts = []PaymentSchedulePart{{DueDate: today.AddDays(invoiceDueDays), Amount: total}}
	case domain.ProductSlice:
		base, rest := total.Minor()/sliceParts, total.Minor()%sliceParts
		for i := range sliceParts {
			part := base
			if i == 0 {
				part += rest
			}
			s.Parts = append(s.Parts, PaymentSchedulePart{DueDate: addMonths(today, i), Amount: money.New(part, scheduleCurrency)})
		}
	case domain.ProductPayNowCard:
		s.Parts = []PaymentSchedulePart{{DueDate: today, Amount: total}}
	default:
		return nil, domain.RefuseErr(ErrInvalidSchedule, domain.Field("productType"), fmt.Sprintf("unknown product type %q", productType))
	}
	return s, nil
}

// addMonths is the same day n months later, or that month's last day when it is shorter.
func addMonths(d domain.Date, n int) domain.Date {
	t := d.Time()
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return domain.DateOf(first.AddDate(0, 0, min(t.Day(), last)-1))
}
