package merchants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/feeplanversion"
	"github.com/pspbackoffice/backoffice/ent/feerule"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// MaxPayoutDelayDays bounds the pay-now and pay-later payout delays: a payout more
// than a quarter after the sale is a typo, not a contract.
const MaxPayoutDelayDays = 90

// MaxFeeBps is 100 %: a fee can take the whole amount, never more.
const MaxFeeBps = 10000

// NewCompany is addCompany's input.
type NewCompany struct {
	MerchantID         string
	LegalName          string
	Country            string // ISO 3166-1 alpha-2
	RegistrationNumber string // optional; unique within the PSP
	VATID              string // optional
	IBAN               string
	FinanceEmail       string // optional; owed-balance mail goes here, else to the merchant's email
	Currency           string // ISO 4217; empty is EUR
	PayoutSchedule     domain.PayoutSchedule
	PayoutWeekdays     []domain.Weekday
	PayNowDelayDays    int
	PayLaterDelayDays  int
	Fees               []Fee
}

// Fee is one product type's fee: basis points of the amount plus a fixed amount
// per order, as a decimal string in the company's currency ("0.25").
type Fee struct {
	ProductType domain.ProductType
	PercentBps  int
	Fixed       string
}

// CompanyChanges is updateCompany's input; nil leaves a field alone. Fees, when
// given, replace the whole fee plan. A new schedule without weekdays keeps the
// stored weekdays, except DAILY, which has none.
type CompanyChanges struct {
	CompanyID          string
	LegalName          *string
	Country            *string
	RegistrationNumber *string // "" clears it
	VATID              *string // "" clears it
	IBAN               *string
	FinanceEmail       *string // "" clears it
	PayoutSchedule     *domain.PayoutSchedule
	PayoutWeekdays     []domain.Weekday // nil or empty: unchanged
	PayNowDelayDays    *int
	PayLaterDelayDays  *int
	Fees               *[]Fee
}

// companyData is a company's validated, normalised values.
type companyData struct {
	legalName, country string
	registration       string // "" → NULL, so companies without one never collide
	vatID, iban        string
	financeEmail       string
	currency           string
	schedule           domain.PayoutSchedule
	weekdays           []domain.Weekday
	payNow, payLater   int
	fees               []feeRow
	feesGiven          bool
}

type feeRow struct {
	productType domain.ProductType
	bps         int64
	fixed       money.Money
}

// validate normalises and checks every field of a company; fees only when given.
func (p *problems) company(in NewCompany, feesGiven bool) companyData {
	d := companyData{
		legalName:    p.text("legalName", in.LegalName, true, maxNameLen),
		country:      p.country("country", in.Country),
		registration: p.text("registrationNumber", in.RegistrationNumber, false, maxIDLen),
		vatID:        p.vatID(in.VATID),
		financeEmail: p.email("financeEmail", in.FinanceEmail),
		currency:     p.currency("currency", in.Currency),
		feesGiven:    feesGiven,
	}
	if iban, err := NormalizeIBAN(in.IBAN); err != nil {
		p.add([]string{"iban"}, ibanMessage(err))
	} else {
		d.iban = iban
	}
	d.schedule, d.weekdays = p.schedule(in.PayoutSchedule, in.PayoutWeekdays)
	d.payNow = p.delay("payNowDelayDays", in.PayNowDelayDays)
	d.payLater = p.delay("payLaterDelayDays", in.PayLaterDelayDays)
	if feesGiven {
		d.fees = p.fees(in.Fees, d.currency)
	}
	return d
}

func ibanMessage(err error) string {
	switch {
	case errors.Is(err, ErrIBANChecksum):
		return "the IBAN's check digits are wrong: check it for typos"
	default:
		_, detail, _ := strings.Cut(err.Error(), ": ")
		return "not a valid IBAN: " + detail
	}
}

func (p *problems) vatID(value string) string {
	v := strings.ToUpper(p.text("vatId", value, false, maxIDLen))
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" -./", r)) {
			p.add([]string{"vatId"}, fmt.Sprintf("%q is not a VAT id (letters and digits)", value))
			break
		}
	}
	return v
}

// schedule checks that the weekdays fit the schedule: DAILY none, WEEKLY exactly
// one, WEEKDAYS at least one (each at most once).
func (p *problems) schedule(s domain.PayoutSchedule, days []domain.Weekday) (domain.PayoutSchedule, []domain.Weekday) {
	if !slices.Contains(s.Values(), string(s)) {
		p.add([]string{"payoutSchedule"}, fmt.Sprintf("%q is not a payout schedule (DAILY, WEEKLY, WEEKDAYS)", s))
		return s, nil
	}
	var out []domain.Weekday
	for i, d := range days {
		if d.Time() < 0 {
			p.add(domain.Field("payoutWeekdays", i), fmt.Sprintf("%q is not a weekday", d))
			continue
		}
		if slices.Contains(out, d) {
			p.add(domain.Field("payoutWeekdays", i), fmt.Sprintf("%s is named twice", d))
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b domain.Weekday) int { return weekdayIndex(a) - weekdayIndex(b) })
	switch {
	case s == domain.PayoutDaily && len(days) > 0:
		p.add([]string{"payoutWeekdays"}, "a DAILY schedule pays out every day: name no weekdays")
	case s == domain.PayoutWeekly && len(days) != 1:
		p.add([]string{"payoutWeekdays"}, "a WEEKLY schedule pays out on exactly one weekday")
	case s == domain.PayoutWeekdays && len(days) == 0:
		p.add([]string{"payoutWeekdays"}, "a WEEKDAYS schedule needs at least one weekday")
	}
	return s, out
}

// weekdayIndex orders weekdays Monday first.
func weekdayIndex(d domain.Weekday) int { return (int(d.Time()) + 6) % 7 }

func (p *problems) delay(field string, days int) int {
	if days < 0 || days > MaxPayoutDelayDays {
		p.add([]string{field}, fmt.Sprintf("%s must be between 0 and %d days", field, MaxPayoutDelayDays))
	}
	return days
}

// fees checks a fee plan: one rule per product type, 0–100 %, a fixed part ≥ 0 in
// the company's currency with no more decimals than it has.
func (p *problems) fees(in []Fee, currency string) []feeRow {
	out := make([]feeRow, 0, len(in))
	seen := map[domain.ProductType]bool{}
	for i, f := range in {
		ok := true
		if !slices.Contains(f.ProductType.Values(), string(f.ProductType)) {
			p.add(domain.Field("fees", i, "productType"), fmt.Sprintf("%q is not a product type", f.ProductType))
			ok = false
		} else if seen[f.ProductType] {
			p.add(domain.Field("fees", i, "productType"), fmt.Sprintf("%s has a fee already: one fee per product type", f.ProductType))
			ok = false
		}
		seen[f.ProductType] = true
		if f.PercentBps < 0 || f.PercentBps > MaxFeeBps {
			p.add(domain.Field("fees", i, "percentBps"),
				fmt.Sprintf("a fee is 0 to %d basis points (0 to 100 %%), not %d", MaxFeeBps, f.PercentBps))
			ok = false
		}
		fixed, fixedOK := p.amount(domain.Field("fees", i, "fixed"), f.Fixed, currency)
		if ok && fixedOK {
			out = append(out, feeRow{productType: f.ProductType, bps: int64(f.PercentBps), fixed: fixed})
		}
	}
	return out
}

// AddCompany adds a legal entity to a merchant.
func (o *Onboarding) AddCompany(ctx context.Context, in NewCompany) (*ent.Company, error) {
	var p problems
	d := p.company(in, true)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *ent.Company
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, in.MerchantID, "merchantId")
		if err != nil {
			return err
		}
		if err := registrationFree(ctx, tx.ent, m.PspID, d.registration, ""); err != nil {
			return err
		}
		c := tx.ent.Company.Create().SetPspID(m.PspID).SetMerchantID(m.ID).SetCurrency(d.currency)
		applyCompany(c.Mutation(), d)
		co, err := c.Save(ctx)
		if err != nil {
			return registrationConflict(err, d.registration)
		}
		if err := saveFees(ctx, tx.ent, co, d.fees, o.now()); err != nil {
			return err
		}
		if _, err := refreshStatus(ctx, tx.ent, m); err != nil {
			return err
		}
		out = co
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Company.Get(ctx, out.ID)
}

// UpdateCompany corrects a company's data (for instance after a rejected
// activation; activate it again afterwards). Activations already ACTIVE are kept.
func (o *Onboarding) UpdateCompany(ctx context.Context, in CompanyChanges) (*ent.Company, error) {
	var out *ent.Company
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		co, err := tx.ent.Company.Get(ctx, in.CompanyID)
		if ent.IsNotFound(err) {
			return notFound("companyId", "company", in.CompanyID)
		}
		if err != nil {
			return err
		}
		m, err := o.lockMerchant(ctx, tx.ent, co.MerchantID, "companyId")
		if err != nil {
			return err
		}
		var p problems
		d := p.company(mergeCompany(co, in), in.Fees != nil)
		if err := p.err(); err != nil {
			return err
		}
		if err := registrationFree(ctx, tx.ent, co.PspID, d.registration, co.ID); err != nil {
			return err
		}
		u := tx.ent.Company.UpdateOne(co)
		applyCompany(u.Mutation(), d)
		if d.registration == "" {
			u.ClearRegistrationNumber()
		}
		if co, err = u.Save(ctx); err != nil {
			return registrationConflict(err, d.registration)
		}
		if d.feesGiven {
			if _, err := tx.ent.FeeRule.Delete().Where(feerule.CompanyID(co.ID)).Exec(ctx); err != nil {
				return err
			}
			if err := saveFees(ctx, tx.ent, co, d.fees, o.now()); err != nil {
				return err
			}
		}
		if _, err := refreshStatus(ctx, tx.ent, m); err != nil {
			return err
		}
		out = co
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Company.Get(ctx, out.ID)
}

// mergeCompany lays the changes over the stored company, so one validation checks
// the company as it will be.
func mergeCompany(co *ent.Company, in CompanyChanges) NewCompany {
	n := NewCompany{MerchantID: co.MerchantID, LegalName: co.LegalName, Country: co.Country,
		VATID: co.VatID, IBAN: co.Iban, FinanceEmail: co.FinanceEmail, Currency: co.Currency, PayoutSchedule: co.PayoutSchedule,
		PayoutWeekdays: co.PayoutWeekdays, PayNowDelayDays: co.PayNowDelayDays, PayLaterDelayDays: co.PayLaterDelayDays}
	if co.RegistrationNumber != nil {
		n.RegistrationNumber = *co.RegistrationNumber
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&n.LegalName, in.LegalName)
	set(&n.Country, in.Country)
	set(&n.RegistrationNumber, in.RegistrationNumber)
	set(&n.VATID, in.VATID)
	set(&n.IBAN, in.IBAN)
	set(&n.FinanceEmail, in.FinanceEmail)
	if in.PayoutSchedule != nil {
		n.PayoutSchedule = *in.PayoutSchedule
		if *in.PayoutSchedule == domain.PayoutDaily {
			n.PayoutWeekdays = nil
		}
	}
	if len(in.PayoutWeekdays) > 0 {
		n.PayoutWeekdays = in.PayoutWeekdays
	}
	if in.PayNowDelayDays != nil {
		n.PayNowDelayDays = *in.PayNowDelayDays
	}
	if in.PayLaterDelayDays != nil {
		n.PayLaterDelayDays = *in.PayLaterDelayDays
	}
	if in.Fees != nil {
		n.Fees = *in.Fees
	}
	return n
}

// applyCompany writes the validated values into a create or update mutation.
func applyCompany(m *ent.CompanyMutation, d companyData) {
	m.SetLegalName(d.legalName)
	m.SetCountry(d.country)
	if d.registration != "" {
		m.SetRegistrationNumber(d.registration)
	}
	m.SetVatID(d.vatID)
	m.SetIban(d.iban)
	m.SetFinanceEmail(d.financeEmail)
	m.SetPayoutSchedule(d.schedule)
	m.SetPayoutWeekdays(d.weekdays)
	m.SetPayNowDelayDays(d.payNow)
	m.SetPayLaterDelayDays(d.payLater)
}

// saveFees writes a company's fee plan: the current rules (FeeRule) and the next
// version of its history, effective from now. Credits freeze the version in force
// when they arise (internal/settlement, fees.go), so only later credits see the new
// plan. The merchant's lock, held by every caller, serialises the version numbers.
func saveFees(ctx context.Context, c *ent.Client, co *ent.Company, fees []feeRow, now time.Time) error {
	last, err := c.FeePlanVersion.Query().Where(feeplanversion.CompanyID(co.ID)).Count(ctx)
	if err != nil {
		return err
	}
	rates := make([]domain.FeeRate, len(fees))
	for i, f := range fees {
		rates[i] = domain.FeeRate{ProductType: f.productType, PercentBps: f.bps, FixedMinor: f.fixed.Minor(), Currency: co.Currency}
	}
	if err := c.FeePlanVersion.Create().SetCompanyID(co.ID).SetVersion(last + 1).SetEffectiveAt(now).SetFees(rates).Exec(ctx); err != nil {
		return err
	}
	if len(fees) == 0 {
		return nil
	}
	bulk := make([]*ent.FeeRuleCreate, len(fees))
	for i, f := range fees {
		bulk[i] = c.FeeRule.Create().SetCompanyID(co.ID).SetProductType(f.productType).
			SetPercentBps(f.bps).SetFixedMinor(f.fixed.Minor()).SetCurrency(co.Currency)
	}
	return c.FeeRule.CreateBulk(bulk...).Exec(ctx)
}

// FeePlanHistory answers a company's fee plan versions, newest first. A company whose
// plan predates versions answers its current plan as version 1, effective from the
// company's creation.
func (o *Onboarding) FeePlanHistory(ctx context.Context, co *ent.Company) ([]*ent.FeePlanVersion, error) {
	out, err := o.Client.FeePlanVersion.Query().Where(feeplanversion.CompanyID(co.ID)).
		Order(ent.Desc(feeplanversion.FieldVersion)).All(ctx)
	if err != nil || len(out) > 0 {
		return out, err
	}
	rules, err := o.Client.FeeRule.Query().Where(feerule.CompanyID(co.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	v := &ent.FeePlanVersion{CompanyID: co.ID, Version: 1, EffectiveAt: co.CreatedAt, Fees: []domain.FeeRate{}}
	for _, r := range rules {
		v.Fees = append(v.Fees, domain.FeeRate{ProductType: r.ProductType, PercentBps: r.PercentBps, FixedMinor: r.FixedMinor, Currency: r.Currency})
	}
	return []*ent.FeePlanVersion{v}, nil
}

// registrationFree refuses a registration number another company of the PSP has,
// with a clear message; the unique index catches what slips past (a concurrent insert).
func registrationFree(ctx context.Context, c *ent.Client, pspID, reg, exceptID string) error {
	if reg == "" {
		return nil
	}
	q := c.Company.Query().Where(company.PspID(pspID), company.RegistrationNumber(reg))
	if exceptID != "" {
		q = q.Where(company.IDNEQ(exceptID))
	}
	other, err := q.First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return domain.RefuseErr(ErrRegistrationTaken, []string{"registrationNumber"},
		fmt.Sprintf("registration number %s is already registered for %s", reg, other.LegalName))
}

// registrationConflict turns the unique index's refusal into the same CONFLICT.
func registrationConflict(err error, reg string) error {
	if ent.IsConstraintError(err) && strings.Contains(err.Error(), "registration_number") {
		return domain.RefuseErr(ErrRegistrationTaken, []string{"registrationNumber"},
			fmt.Sprintf("registration number %s is already registered with this PSP", reg))
	}
	return err
}
