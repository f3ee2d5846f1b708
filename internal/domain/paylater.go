package domain

import (
	"fmt"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// The pay-later limit: a cart paid later (INVOICE, SLICE) carries 100.00 to 2000.00
// EUR, both inclusive. The one place the limit is written; the provider that applies
// it to orders says so in its capabilities (providers.Capabilities.PayLaterLimit), the
// payment schedule and the demo data sets read it here.
const (
	PayLaterMinMinor = 100_00
	PayLaterMaxMinor = 2000_00
	PayLaterCurrency = "EUR"
)

// InPayLaterLimit tells whether a pay-later cart may carry amount.
func InPayLaterLimit(amount money.Money) bool {
	return amount.Currency() == PayLaterCurrency && amount.Minor() >= PayLaterMinMinor && amount.Minor() <= PayLaterMaxMinor
}

// PayLaterRange is the limit in words: "100.00 EUR to 2000.00 EUR".
func PayLaterRange() string {
	return fmt.Sprintf("%s to %s", money.New(PayLaterMinMinor, PayLaterCurrency), money.New(PayLaterMaxMinor, PayLaterCurrency))
}
