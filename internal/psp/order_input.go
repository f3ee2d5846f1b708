package psp

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// CreateOrderInput is an order request (after Paywerk's: docs/providers/paywerk.md "Orders").
type CreateOrderInput struct {
	CompanyID, ShopID string // implied by an API key; required from users
	Reference         string
	Lang              string // "" → the shop's default language
	FirstName         string
	LastName          string
	Email             string
	Phone             string
	CompanyName       string // the buying business (B2B)
	BillingAddress    *domain.Address
	DeliveryAddress   *domain.Address
	Amount            string // decimal, e.g. "1238.16"
	Currency          string // "" → the shop's currency
	Items             []OrderItemInput
	SuccessURL        string
	FailedURL         string
	CallbackURL       string
	Provider          domain.Provider    // "" → the company's only activated provider
	ProductType       domain.ProductType // "" → the shopper chooses on the page
	IdempotencyKey    string
}

// OrderItemInput is one cart line of an order request.
type OrderItemInput struct {
	SKU       string
	Name      string
	Quantity  money.Quantity
	UnitPrice string // decimal, per unit, gross
	VATRate   string // percent, e.g. "22" or "7.5"; "" is 0
}

// SummarySKU is the sku of the one item an order gets when it is sent without items
// (docs/providers/paywerk.md "Orders": "Paywerk adds a summarising item covering full amount of the order").
const SummarySKU = "ORDER"

// Limits of stored text: internal/domain/text_limits.go.
const (
	maxReferenceLen = domain.MaxReferenceLen
	maxSKULen       = domain.MaxSKULen
)

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	e164RE  = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	langRE  = regexp.MustCompile(`^[a-z]{2}$`)
)

// plannedItem is a validated order item with its total.
type plannedItem struct {
	sku, name  string
	quantity   money.Quantity
	unitPrice  money.Money
	vatRateBps int64
	total      money.Money
}

// orderPlan is a validated order request: everything the order row, its items and
// the provider session are written from.
type orderPlan struct {
	in         CreateOrderInput
	company    *ent.Company
	shop       *ent.Shop
	provider   domain.Provider
	client     providers.Provider
	activation *ent.ProviderActivation
	amount     money.Money
	items      []plannedItem
	lang       string
	billing    domain.Address
	delivery   *domain.Address
	requested  domain.ProductType   // "" → the shopper chooses
	offered    []domain.ProductType // what the payment page may offer
}

// checkFields validates the request's own fields against the provider's capabilities
// and rules and the shop's settings, adding every problem to r. The plan's company,
// shop and provider client are already known (nil client: provider checks skipped).
func (p *orderPlan) checkFields(r *domain.Refusal) {
	in := p.in
	var caps providers.Capabilities
	if p.client != nil {
		caps = p.client.Capabilities()
	}

	ref := strings.TrimSpace(in.Reference)
	switch {
	case ref == "":
		r.AddErr(ErrInvalidOrder, domain.Field("reference"), "reference is required: your unique order number")
	case len(ref) > maxReferenceLen:
		r.AddErr(ErrInvalidOrder, domain.Field("reference"), fmt.Sprintf("reference is longer than %d characters", maxReferenceLen))
	}
	p.in.Reference = ref

	p.checkLang(r, caps)
	p.checkShopper(r, caps)
	p.checkURLs(r)

	// Currency and amount.
	cur := strings.TrimSpace(in.Currency)
	if cur == "" {
		cur = p.shop.Currency
	}
	cur, err := money.NormalizeCurrency(cur)
	switch {
	case err != nil:
		r.AddErr(ErrInvalidOrder, domain.Field("currency"), fmt.Sprintf("%q is not an ISO 4217 currency this service knows", in.Currency))
		return
	case p.company != nil && cur != p.company.Currency:
		// A company is settled in one currency (docs/settlement.md): an order in
		// another would never be paid out nor shown in an overview.
		r.AddErr(ErrCurrencyMismatch, domain.Field("currency"),
			fmt.Sprintf("%s settles in %s; an order in %s cannot be settled to it", p.company.LegalName, p.company.Currency, cur))
		return
	case p.client != nil && !slices.Contains(caps.Currencies, cur):
		r.AddErr(ErrInvalidOrder, domain.Field("currency"),
			fmt.Sprintf("%s does not take %s; it takes %s", p.provider, cur, strings.Join(caps.Currencies, ", ")))
	}
	amount, ok := parseAmount(r, domain.Field("amount"), in.Amount, cur)
	if !ok {
		return
	}
	if !amount.IsPositive() {
		r.AddErr(ErrInvalidOrder, domain.Field("amount"), "amount must be more than zero")
		return
	}
	if amount.Minor() > domain.MaxOrderAmountMinor {
		r.AddErr(ErrInvalidOrder, domain.Field("amount"),
			fmt.Sprintf("amount is more than one order may carry: at most %s", money.New(domain.MaxOrderAmountMinor, cur).Amount()))
		return
	}
	p.amount = amount
	p.checkShopLimits(r)
	p.checkItems(r, caps)
	if p.client != nil {
		p.checkProductType(r, caps)
	}
}

func (p *orderPlan) checkLang(r *domain.Refusal, caps providers.Capabilities) {
	lang := strings.ToLower(strings.TrimSpace(p.in.Lang))
	given := lang != ""
	if !given {
		lang = strings.ToLower(p.shop.DefaultLang)
		if caps.Langs != nil && !slices.Contains(caps.Langs, lang) {
			lang = caps.Langs[0] // the shop's default is not offered: the provider's first
		}
	}
	switch {
	case !langRE.MatchString(lang):
		r.AddErr(ErrInvalidOrder, domain.Field("lang"), "lang must be an ISO 639-1 code: two letters such as en")
	case caps.Langs != nil && !slices.Contains(caps.Langs, lang):
		r.AddErr(ErrInvalidOrder, domain.Field("lang"),
			fmt.Sprintf("%s shows its payment page in %s only", p.provider, strings.Join(caps.Langs, " or ")))
	}
	p.lang = lang
}

func (p *orderPlan) checkShopper(r *domain.Refusal, caps providers.Capabilities) {
	in := p.in
	p.in.FirstName = domain.CheckText(r, domain.Field("firstName"), "firstName", in.FirstName, false, domain.MaxNameLen)
	p.in.LastName = domain.CheckText(r, domain.Field("lastName"), "lastName", in.LastName, false, domain.MaxNameLen)
	p.in.CompanyName = domain.CheckText(r, domain.Field("companyName"), "companyName", in.CompanyName, false, domain.MaxNameLen)
	for _, a := range []struct {
		name string
		addr *domain.Address
	}{{"billingAddress", in.BillingAddress}, {"deliveryAddress", in.DeliveryAddress}} {
		if a.addr == nil {
			continue
		}
		domain.CheckText(r, domain.Field(a.name, "street"), a.name+".street", a.addr.Street, false, domain.MaxStreetLen)
		domain.CheckText(r, domain.Field(a.name, "city"), a.name+".city", a.addr.City, false, domain.MaxCityLen)
		domain.CheckText(r, domain.Field(a.name, "postalCode"), a.name+".postalCode", a.addr.PostalCode, false, domain.MaxPostalCodeLen)
	}
	if domain.TooLong(in.Email, domain.MaxEmailLen) {
		r.AddErr(ErrInvalidOrder, domain.Field("email"), fmt.Sprintf("email is longer than %d characters", domain.MaxEmailLen))
	} else if in.Email != "" && !emailRE.MatchString(in.Email) {
		r.AddErr(ErrInvalidOrder, domain.Field("email"), "email must look like x@y.z")
	}
	if in.Phone != "" && !e164RE.MatchString(in.Phone) {
		r.AddErr(ErrInvalidOrder, domain.Field("phone"), "phone must be in E.164 format: + and up to 15 digits, e.g. +37255555555")
	}
	if caps.NeedsCompany && strings.TrimSpace(in.CompanyName) == "" {
		r.AddErr(ErrInvalidOrder, domain.Field("companyName"), fmt.Sprintf("%s invoices businesses: companyName is required", p.provider))
	}
	if in.BillingAddress == nil || strings.TrimSpace(in.BillingAddress.Country) == "" {
		r.AddErr(ErrInvalidOrder, domain.Field("billingAddress", "country"), "the billing address country is required (ISO 3166-1 alpha-2, e.g. EE)")
	} else if c, ok := merchants.NormalizeCountry(in.BillingAddress.Country); !ok {
		r.AddErr(ErrInvalidOrder, domain.Field("billingAddress", "country"), fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country", in.BillingAddress.Country))
	} else {
		p.billing = trimAddress(*in.BillingAddress, c)
	}
	if in.DeliveryAddress != nil {
		if c, ok := merchants.NormalizeCountry(in.DeliveryAddress.Country); !ok {
			r.AddErr(ErrInvalidOrder, domain.Field("deliveryAddress", "country"), "the delivery address needs an ISO 3166-1 alpha-2 country")
		} else {
			d := trimAddress(*in.DeliveryAddress, c)
			p.delivery = &d
		}
	}
}

func trimAddress(a domain.Address, country string) domain.Address {
	return domain.Address{Street: strings.TrimSpace(a.Street), City: strings.TrimSpace(a.City),
		PostalCode: strings.TrimSpace(a.PostalCode), Country: country}
}

func (p *orderPlan) checkURLs(r *domain.Refusal) {
	for _, u := range []struct {
		field, value string
		required     bool
	}{{"successUrl", p.in.SuccessURL, true}, {"failedUrl", p.in.FailedURL, true}, {"callbackUrl", p.in.CallbackURL, false}} {
		switch {
		case domain.TooLong(u.value, domain.MaxURLLen):
			r.AddErr(ErrInvalidOrder, domain.Field(u.field), fmt.Sprintf("%s is longer than %d characters", u.field, domain.MaxURLLen))
		case u.value == "" && u.required:
			r.AddErr(ErrInvalidOrder, domain.Field(u.field), u.field+" is required: the payment page sends the shopper there")
		case u.value != "" && !domain.AbsoluteHTTP(u.value):
			r.AddErr(ErrInvalidOrder, domain.Field(u.field), u.field+" must be an absolute http(s) URL")
		}
	}
}

// parseAmount reads a decimal in a currency, as a problem on field when it cannot.
func parseAmount(r *domain.Refusal, field []string, s, cur string) (money.Money, bool) {
	if len(s) > domain.MaxDecimalTextLen {
		r.AddErr(ErrInvalidOrder, field, fmt.Sprintf("%q… is not a decimal amount such as 12.50", s[:domain.MaxDecimalTextLen]))
		return money.Money{}, false
	}
	m, err := money.Parse(strings.TrimSpace(s), cur)
	switch {
	case err == nil:
		return m, true
	case errors.Is(err, money.ErrTooManyDecimals):
		exp, _ := money.Exponent(cur)
		r.AddErr(ErrTooManyDecimals, field, fmt.Sprintf("%s takes at most %d decimals, not %q", cur, exp, s))
	default:
		r.AddErr(ErrInvalidOrder, field, fmt.Sprintf("%q is not a decimal amount such as 12.50", s))
	}
	return money.Money{}, false
}

// checkShopLimits applies the shop's order amount limits.
func (p *orderPlan) checkShopLimits(r *domain.Refusal) {
	for _, l := range []struct {
		limit *int64
		below bool
	}{{p.shop.MinAmountMinor, true}, {p.shop.MaxAmountMinor, false}} {
		if l.limit == nil {
			continue
		}
		lim := money.New(*l.limit, p.shop.Currency)
		c, err := p.amount.Cmp(lim)
		switch {
		case err != nil:
			r.AddErr(ErrCurrencyMismatch, domain.Field("currency"),
				fmt.Sprintf("this shop's order limits are in %s; the order is in %s", p.shop.Currency, p.amount.Currency()))
			return
		case l.below && c < 0:
			r.AddErr(ErrInvalidOrder, domain.Field("amount"), fmt.Sprintf("this shop takes orders from %s", lim))
		case !l.below && c > 0:
			r.AddErr(ErrInvalidOrder, domain.Field("amount"), fmt.Sprintf("this shop takes orders up to %s", lim))
		}
	}
}

// checkItems validates the cart: unique skus, positive quantities (fractional only
// where the provider takes them), prices in the order's decimals, and the amount
// equal to the sum of round_half_up(unit price × quantity). No items → one item
// covering the whole amount.
func (p *orderPlan) checkItems(r *domain.Refusal, caps providers.Capabilities) {
	cur := p.amount.Currency()
	if len(p.in.Items) == 0 {
		p.items = []plannedItem{{sku: SummarySKU, name: "Order " + p.in.Reference, quantity: money.Units(1),
			unitPrice: p.amount, total: p.amount}}
		return
	}
	if err := checkItemCount(r, "items", len(p.in.Items)); err {
		return
	}
	before := len(r.Problems)
	seen := map[string]int{}
	sum := money.Zero(cur)
	for i, it := range p.in.Items {
		f := func(name string) []string { return domain.Field("items", i, name) }
		sku := strings.TrimSpace(it.SKU)
		switch {
		case sku == "":
			r.AddErr(ErrInvalidOrder, f("sku"), "sku is required")
		case len(sku) > maxSKULen:
			r.AddErr(ErrInvalidOrder, f("sku"), fmt.Sprintf("sku is longer than %d characters", maxSKULen))
		default:
			if j, dup := seen[sku]; dup {
				r.AddErr(ErrInvalidOrder, f("sku"), fmt.Sprintf("sku %s is also items[%d]: fulfilment and refunds name items by sku, so each sku appears once", sku, j))
			}
			seen[sku] = i
		}
		switch {
		case it.Quantity <= 0:
			r.AddErr(ErrInvalidOrder, f("quantity"), "quantity must be more than zero")
		case !it.Quantity.IsWhole() && p.client != nil && !caps.FractionalQuantities:
			r.AddErr(ErrInvalidOrder, f("quantity"),
				fmt.Sprintf("%s takes whole quantities only, not %s: sell the unit you ship (e.g. 500 g as 1 × \"500 g\")", p.provider, it.Quantity))
		}
		unit, ok := parseAmount(r, f("unitPrice"), it.UnitPrice, cur)
		if ok && unit.IsNegative() {
			r.AddErr(ErrInvalidOrder, f("unitPrice"), "unitPrice must not be negative")
			ok = false
		}
		vat, vatOK := parseVATRate(it.VATRate)
		if !vatOK {
			r.AddErr(ErrInvalidOrder, f("vatRate"), "vatRate is a percentage from 0 to 100 with at most 2 decimals, e.g. 22 or 7.5")
		}
		if !ok || it.Quantity <= 0 {
			continue
		}
		total, err := unit.Times(it.Quantity)
		if err == nil {
			sum, err = sum.Add(total)
		}
		if err != nil {
			r.AddErr(ErrInvalidOrder, f("quantity"), "the item total is out of range")
			continue
		}
		name := domain.CheckText(r, f("name"), "name", it.Name, false, domain.MaxNameLen)
		if name == "" {
			name = sku
		}
		p.items = append(p.items, plannedItem{sku: sku, name: name, quantity: it.Quantity, unitPrice: unit, vatRateBps: vat, total: total})
	}
	if len(r.Problems) == before && sum.Minor() != p.amount.Minor() {
		r.AddErr(ErrInvalidOrder, domain.Field("amount"),
			fmt.Sprintf("amount %s must equal the sum of the item totals, %s (each round_half_up(unitPrice × quantity))", p.amount.Amount(), sum.Amount()))
	}
}

// checkItemCount refuses more than domain.MaxOrderItems items on field: an order
// carries at most that many, so neither does a fulfilment or refund of it. It
// answers whether it refused.
func checkItemCount(r *domain.Refusal, field string, n int) bool {
	if n > domain.MaxOrderItems {
		r.AddErr(ErrInvalidOrder, domain.Field(field), fmt.Sprintf("%d items; an order takes at most %d", n, domain.MaxOrderItems))
		return true
	}
	return false
}

// refuseTooManyItems is checkItemCount for fulfilOrder and refundOrder.
func refuseTooManyItems(n int) error {
	var r domain.Refusal
	if checkItemCount(&r, "items", n) {
		return &r
	}
	return nil
}

// parseVATRate reads a percentage with up to 2 decimals as basis points ("7.5" → 750).
func parseVATRate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(whole, "+-") {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || strings.ContainsAny(frac, "+-") {
		return 0, false
	}
	bps := w*100 + f
	return bps, bps >= 0 && bps <= 10000
}

// checkProductType decides what the payment page may offer: the requested product
// type, or every type both the provider and the shop offer that fits the amount.
func (p *orderPlan) checkProductType(r *domain.Refusal, caps providers.Capabilities) {
	allowed := func(pt domain.ProductType) error {
		if !slices.Contains(caps.ProductTypes, pt) {
			return fmt.Errorf("%s does not offer %s", p.provider, pt)
		}
		if len(p.shop.ProductTypes) > 0 && !slices.Contains(p.shop.ProductTypes, pt) {
			return fmt.Errorf("this shop does not sell with %s", pt)
		}
		if p.amount.IsPositive() {
			// The provider's own rules (where, for how much); the text is the reason alone.
			return caps.Offers(pt, p.amount, p.billing.Country)
		}
		return nil
	}
	if p.in.ProductType != "" {
		if err := allowed(p.in.ProductType); err != nil {
			r.AddErr(ErrInvalidOrder, domain.Field("productType"), err.Error())
			return
		}
		p.requested, p.offered = p.in.ProductType, []domain.ProductType{p.in.ProductType}
		return
	}
	p.offered = nil
	for _, v := range domain.ProductType("").Values() {
		if pt := domain.ProductType(v); allowed(pt) == nil {
			p.offered = append(p.offered, pt)
		}
	}
	if len(p.offered) == 0 && p.amount.IsPositive() {
		r.AddErr(ErrInvalidOrder, domain.Field("productType"),
			fmt.Sprintf("no payment method of this shop can pay %s with %s", p.amount, p.provider))
	}
}
