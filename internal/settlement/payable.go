package settlement

import (
	"fmt"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// When money becomes payable: the one rule (docs/settlement.md "When money becomes
// payable"). Money is paid out only once the PSP has it, so what decides is
// when the shopper's money is captured, which is the provider's capability for the
// product type (providers.Capabilities.SettlesAtAuthorisation), not the provider's
// name. The settlement run and the overview (settlement_sources.go, through the SQL
// conditions below), the refund preview and the payout dates stored on orders and
// fulfilments all ask here.

// Timing is when an order's money becomes payable to the merchant.
type Timing string

const (
	// AtConfirmation: the shopper paid in full when the payment was confirmed
	// (instant-settle pay now: Paywerk's card). The whole order is credited X days
	// after confirmation, fulfilled or not; RETURN and CANCEL both give money back and
	// are deducted.
	AtConfirmation Timing = "AT_CONFIRMATION"
	// PerCapture: confirmation only authorises (Billwerk+ and Better Payment cards);
	// each fulfilment part is captured and credited X days after its capture.
	// Confirmed but uncaptured money is never paid out; CANCEL of an uncaptured
	// quantity releases the authorisation and deducts nothing; RETURN is deducted.
	PerCapture Timing = "PER_CAPTURE"
	// PerFulfilment: pay later (invoice, slice): each fulfilment part is credited Y
	// days after its own date; CANCEL only lowers what the shopper owes; RETURN is
	// deducted.
	PerFulfilment Timing = "PER_FULFILMENT"
)

// AuthorisationValidity is how long a card authorisation usually holds (docs/providers/billwerk.md "Authorise, then settle":
// "an authorization is usually valid for seven days"). A capture after it is still
// sent; the provider decides (docs/settlement.md).
const AuthorisationValidity = 7 * 24 * time.Hour

// capabilities is how settlement learns a provider's capabilities.
var capabilities = providers.CapabilitiesOf

// TimingOf is when the money of an order of this provider and product type becomes
// payable.
func TimingOf(p domain.Provider, pt domain.ProductType) Timing {
	if pt.PayLater() {
		return PerFulfilment
	}
	if capabilities(p).SettlesAtAuthorisation(pt) {
		return AtConfirmation
	}
	return PerCapture
}

// timingOfOrder is TimingOf for a stored order; an order without a product type yet
// is not payable at all, which PerCapture says safely (nothing before a capture).
func timingOfOrder(p domain.Provider, pt *domain.ProductType) Timing {
	if pt == nil {
		return PerCapture
	}
	return TimingOf(p, *pt)
}

// Delays are a company's payout delays in days: X after a pay-now credit, Y after a
// pay-later one. The seeds, which write rows without a stored company at hand, give
// them directly; everything else takes DelaysOf.
type Delays struct{ PayNow, PayLater int }

// DelaysOf is a stored company's payout delays.
func DelaysOf(co *ent.Company) Delays {
	return Delays{PayNow: co.PayNowDelayDays, PayLater: co.PayLaterDelayDays}
}

// after is the delay for a timing: X for pay now, Y for pay later.
func (d Delays) after(t Timing) int {
	if t == PerFulfilment {
		return d.PayLater
	}
	return d.PayNow
}

// OrderPayableDate is the day an order's whole amount becomes payable, confirmed at
// confirmed: only for AtConfirmation (ok false: the order is credited per part).
func OrderPayableDate(p domain.Provider, pt *domain.ProductType, confirmed time.Time, d Delays) (domain.Date, bool) {
	t := timingOfOrder(p, pt)
	if pt == nil || t != AtConfirmation {
		return "", false
	}
	return domain.DateOf(confirmed).AddDays(d.after(t)), true
}

// PartPayableDate is the day a fulfilment part (a capture) made at `at` becomes
// payable: X or Y days later, or ok false when the order was credited as a whole at
// confirmation and its fulfilments move no money.
func PartPayableDate(p domain.Provider, pt *domain.ProductType, at time.Time, d Delays) (domain.Date, bool) {
	t := timingOfOrder(p, pt)
	if pt == nil || t == AtConfirmation {
		return "", false
	}
	return domain.DateOf(at).AddDays(d.after(t)), true
}

// Deduction splits what a refund of RETURN amount ret and CANCEL amount cancel does
// to the merchant's settlements: deducted from the next one, or only lowering what
// the shopper owes (nothing had been paid out for it).
func Deduction(p domain.Provider, pt *domain.ProductType, ret, cancel money.Money) (deducted, owedReduction money.Money, err error) {
	if deductsCancel(timingOfOrder(p, pt)) {
		all, err := ret.Add(cancel)
		return all, money.Zero(ret.Currency()), err
	}
	return ret, cancel, nil
}

// deductsCancel is the refund rule: a RETURN is always deducted (it had been paid
// out); a CANCEL only when the shopper had paid it at confirmation. Deduction and the
// run's SQL (deductionSQL) both ask here.
func deductsCancel(t Timing) bool { return t == AtConfirmation }

// deductionSQL is Deduction's deducted amount as a SQL expression over a refund's
// RETURN and CANCEL columns and its order's provider and product type columns.
func deductionSQL(retCol, cancelCol, providerCol, productTypeCol string) string {
	var ts []Timing
	for _, t := range []Timing{AtConfirmation, PerCapture, PerFulfilment} {
		if deductsCancel(t) {
			ts = append(ts, t)
		}
	}
	return fmt.Sprintf(`CASE WHEN %s THEN %s + %s
    ELSE %s END`, timingSQL(providerCol, productTypeCol, ts...), retCol, cancelCol, retCol)
}

// AuthorisationExpiresAt is when an authorise-then-capture order's authorisation
// usually lapses; nil when nothing waits for a capture.
func AuthorisationExpiresAt(p domain.Provider, pt *domain.ProductType, confirmed *time.Time) *time.Time {
	if confirmed == nil || pt == nil || timingOfOrder(p, pt) != PerCapture {
		return nil
	}
	at := confirmed.Add(AuthorisationValidity)
	return &at
}

// timingSQL is a SQL condition true for the orders (provider and product type
// columns) whose timing is one of ts: the rule above, written out over every
// provider and product type.
func timingSQL(providerCol, productTypeCol string, ts ...Timing) string {
	var or []string
	for _, p := range domain.Provider("").Values() {
		var pts []string
		for _, pt := range domain.ProductType("").Values() {
			t := TimingOf(domain.Provider(p), domain.ProductType(pt))
			for _, want := range ts {
				if t == want {
					pts = append(pts, "'"+pt+"'")
				}
			}
		}
		if len(pts) > 0 {
			or = append(or, fmt.Sprintf("(%s = '%s' AND %s IN (%s))", providerCol, p, productTypeCol, strings.Join(pts, ", ")))
		}
	}
	if len(or) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}
