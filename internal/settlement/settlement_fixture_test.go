package settlement_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// The rows the settlement tests settle are written directly through ent, in the states
// the order, fulfilment and refund services leave them in: CONFIRMED orders with a
// product type (pay now: payout_date = confirmation + X days), SUCCEEDED fulfilment
// parts with their payout date (fulfilment + Y days), SUCCEEDED refunds with their
// RETURN and CANCEL amounts and completed_at.

// ledgerToday is the tests' "now": Friday 20 March 2026, noon UTC.
var ledgerToday = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

func ledgerDay(s string) domain.Date { return domain.Date(s) }

// fee is one FeeRule: basis points plus a fixed amount in cents.
type ledgerFee struct{ bps, fixed int64 }

// ledgerTenant is one PSP with one merchant and shop, and the principals acting in it.
type ledgerTenant struct {
	t        *testing.T
	d        *db.DB
	sys      context.Context
	psp      *ent.PSP
	merchant *ent.Merchant
	shop     *ent.Shop
	svc      *settlement.Settlements
	refs     *atomic.Int64
}

// eachLedger runs fn on a new tenant of its own on each test database (testdb.Each).
func eachLedger(t *testing.T, fn func(t *testing.T, w *ledgerTenant)) {
	testdb.Each(t, func(t *testing.T, d *db.DB) { fn(t, newLedgerTenant(t, d)) })
}

func newLedgerTenant(t *testing.T, d *db.DB) *ledgerTenant {
	t.Helper()
	sys := auth.System(context.Background())
	p, err := d.Ent.PSP.Create().SetName("PSP " + t.Name()).SetIban("DE89370400440532013000").SetBic("COBADEFFXXX").Save(sys)
	ledgerMust(t, err)
	m, err := d.Ent.Merchant.Create().SetPspID(p.ID).SetName("Kask & Kivi").SetCountry("EE").SetStatus("ACTIVE").Save(sys)
	ledgerMust(t, err)
	sh, err := d.Ent.Shop.Create().SetPspID(p.ID).SetMerchantID(m.ID).SetName("Home").Save(sys)
	ledgerMust(t, err)
	svc := settlement.NewSettlements(d)
	svc.Now = func() time.Time { return ledgerToday }
	return &ledgerTenant{t: t, d: d, sys: sys, psp: p, merchant: m, shop: sh, svc: svc, refs: &atomic.Int64{}}
}

// staff acts as the PSP's admin.
func (w *ledgerTenant) staff() context.Context {
	return auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_staff", Label: "admin@psp",
		PSPID: w.psp.ID, Role: domain.RolePSPAdmin})
}

// merchantUser acts as the merchant's admin.
func (w *ledgerTenant) merchantUser() context.Context {
	return auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_owner", Label: "owner@merchant",
		PSPID: w.psp.ID, MerchantID: w.merchant.ID, Role: domain.RoleMerchantAdmin})
}

// apiKey acts as an API key of the company and shop with the given scopes.
func (w *ledgerTenant) apiKey(co *ent.Company, scopes ...string) context.Context {
	return auth.With(context.Background(), &auth.Principal{Kind: auth.KindAPIKey, ID: "key_test", Label: "shop key",
		PSPID: w.psp.ID, MerchantID: w.merchant.ID, CompanyID: co.ID, ShopID: w.shop.ID, Scopes: scopes})
}

type ledgerCompany struct {
	schedule domain.PayoutSchedule
	weekdays []domain.Weekday
	fees     map[domain.ProductType]ledgerFee
}

func (w *ledgerTenant) company(spec ledgerCompany) *ent.Company {
	w.t.Helper()
	if spec.schedule == "" {
		spec.schedule = domain.PayoutDaily
	}
	co, err := w.d.Ent.Company.Create().SetPspID(w.psp.ID).SetMerchantID(w.merchant.ID).SetLegalName("Kask & Kivi OÜ").
		SetCountry("EE").SetIban("EE382200221020145685").SetPayoutSchedule(spec.schedule).SetPayoutWeekdays(spec.weekdays).
		SetPayNowDelayDays(2).SetPayLaterDelayDays(7).Save(w.sys)
	ledgerMust(w.t, err)
	for pt, f := range spec.fees {
		_, err := w.d.Ent.FeeRule.Create().SetCompanyID(co.ID).SetProductType(pt).SetPercentBps(f.bps).SetFixedMinor(f.fixed).Save(w.sys)
		ledgerMust(w.t, err)
	}
	return co
}

// order writes a CONFIRMED Paywerk order of one item; a pay-now order gets its payout date.
func (w *ledgerTenant) order(co *ent.Company, pt domain.ProductType, amount int64, payout domain.Date) *ent.Order {
	w.t.Helper()
	return w.providerOrder(co, domain.ProviderPaywerk, pt, amount, payout)
}

// providerOrder writes a CONFIRMED order of one item at a provider.
func (w *ledgerTenant) providerOrder(co *ent.Company, prov domain.Provider, pt domain.ProductType, amount int64, payout domain.Date) *ent.Order {
	w.t.Helper()
	ref := fmt.Sprintf("T-%05d", w.refs.Add(1))
	var o *ent.Order
	w.booked(func(ctx context.Context, c *ent.Client) (string, error) {
		oc := c.Order.Create().SetPspID(w.psp.ID).SetMerchantID(w.merchant.ID).SetCompanyID(co.ID).SetShopID(w.shop.ID).
			SetProvider(prov).SetProductType(pt).SetReference(ref).SetStatus(order.StatusCONFIRMED).
			SetInitialAmountMinor(amount).SetAmountMinor(amount).SetBillingAddress(domain.Address{Country: "EE"}).
			SetConfirmedAt(ledgerToday.AddDate(0, 0, -10))
		if payout != "" {
			oc.SetPayoutDate(payout)
		}
		if settlement.TimingOf(prov, pt) == settlement.AtConfirmation {
			w.freeze(co.ID, pt, oc.Mutation()) // as the order service does on confirmation
		}
		var err error
		if o, err = oc.Save(ctx); err != nil {
			return "", err
		}
		return o.ID, c.OrderItem.Create().SetOrderID(o.ID).SetSku("SKU-1").SetName("Lamp").
			SetQuantity(money.Units(1)).SetUnitPriceMinor(amount).SetTotalMinor(amount).Exec(ctx)
	})
	return o
}

// booked writes an order's rows in one transaction with the unsettled totals'
// refresh (settlement.RefreshUnsettled), as the operations do; write answers the
// order's id.
func (w *ledgerTenant) booked(write func(ctx context.Context, c *ent.Client) (string, error)) {
	w.t.Helper()
	ledgerMust(w.t, w.book(write))
}

func (w *ledgerTenant) book(write func(ctx context.Context, c *ent.Client) (string, error)) error {
	return w.d.InTx(w.sys, func(ctx context.Context, tx *db.Tx) error {
		orderID, err := write(ctx, tx.Ent)
		if err != nil {
			return err
		}
		return settlement.RefreshUnsettled(ctx, tx, orderID)
	})
}

func (w *ledgerTenant) payNow(co *ent.Company, amount int64, payout string) *ent.Order {
	return w.order(co, domain.ProductPayNowCard, amount, ledgerDay(payout))
}

// confirmedPayNow writes a pay-now order confirmed on a day: payable the company's
// pay-now delay (X) later, as the order service records it.
func (w *ledgerTenant) confirmedPayNow(co *ent.Company, amount int64, confirmed string) *ent.Order {
	return w.order(co, domain.ProductPayNowCard, amount, ledgerDay(confirmed).AddDays(co.PayNowDelayDays))
}

// fulfilledPart writes a part fulfilled on a day: payable the company's pay-later
// delay (Y) later, as the fulfilment service records it.
func (w *ledgerTenant) fulfilledPart(co *ent.Company, o *ent.Order, amount int64, fulfilled string) *ent.Fulfilment {
	return w.part(o, amount, string(ledgerDay(fulfilled).AddDays(co.PayLaterDelayDays)), ledgerOK)
}

// part writes a fulfilment part of a pay-later order payable on payout.
func (w *ledgerTenant) part(o *ent.Order, amount int64, payout string, status domain.OperationStatus) *ent.Fulfilment {
	w.t.Helper()
	f, err := w.tryPart(o, amount, payout, status)
	ledgerMust(w.t, err)
	return f
}

// tryPart is part answering its error (for goroutines, which may not fail the test).
func (w *ledgerTenant) tryPart(o *ent.Order, amount int64, payout string, status domain.OperationStatus) (*ent.Fulfilment, error) {
	var f *ent.Fulfilment
	return f, w.book(func(ctx context.Context, c *ent.Client) (string, error) {
		fc := c.Fulfilment.Create().SetOrderID(o.ID).SetStatus(status).SetAmountMinor(amount).
			SetPayoutDate(ledgerDay(payout)).SetCompletedAt(ledgerDay(payout).Time().AddDate(0, 0, -7))
		w.freeze(o.CompanyID, *o.ProductType, fc.Mutation()) // as the fulfilment service does
		var err error
		f, err = fc.Save(ctx)
		return o.ID, err
	})
}

// freeze records the company's fee plan as it stands on a new credit.
func (w *ledgerTenant) freeze(companyID string, pt domain.ProductType, m interface {
	SetFeeBps(int64)
	SetFeeFixedMinor(int64)
	SetFeePlanVersionID(string)
}) {
	w.t.Helper()
	terms, err := settlement.FeeTermsNow(w.sys, w.d.Ent, companyID, pt)
	ledgerMust(w.t, err)
	terms.Freeze(m)
}

// refund writes a refund of an order: RETURN and CANCEL amounts, completed on a day.
func (w *ledgerTenant) refund(o *ent.Order, ret, cancel int64, completed string, status domain.OperationStatus) *ent.Refund {
	w.t.Helper()
	var r *ent.Refund
	w.booked(func(ctx context.Context, c *ent.Client) (string, error) {
		var err error
		r, err = c.Refund.Create().SetOrderID(o.ID).SetStatus(status).SetAmountMinor(ret + cancel).
			SetReturnAmountMinor(ret).SetCancelAmountMinor(cancel).
			SetCompletedAt(ledgerDay(completed).Time().Add(15 * time.Hour)).Save(ctx)
		return o.ID, err
	})
	return r
}

// run settles a day as the PSP's staff.
func (w *ledgerTenant) run(d string) *settlement.RunResult {
	w.t.Helper()
	res, err := w.svc.Run(w.staff(), ledgerDay(d))
	ledgerMust(w.t, err)
	return res
}

// settlementOf is the company's settlement of a day, or nil.
func (w *ledgerTenant) settlementOf(co *ent.Company, d string) *ent.Settlement {
	w.t.Helper()
	st, err := w.d.Ent.Settlement.Query().Where(entsettlement.CompanyID(co.ID), entsettlement.DateEQ(ledgerDay(d))).Only(w.sys)
	if ent.IsNotFound(err) {
		return nil
	}
	ledgerMust(w.t, err)
	return st
}

// ledgerTotals is a settlement's amounts in cents, for comparisons.
type ledgerTotals struct {
	Gross, Refunds, Fees, Net int64
	Status                    domain.SettlementStatus
}

func ledgerTotalsOf(st *ent.Settlement) ledgerTotals {
	if st == nil {
		return ledgerTotals{}
	}
	return ledgerTotals{st.GrossMinor, st.RefundsMinor, st.FeesMinor, st.NetMinor, st.Status}
}

func ledgerMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
