package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// The demo's money history, for its settlements: what merchants did with their
// confirmed orders over the last 60 days, written as the fulfilment and refund
// services leave it (SUCCEEDED operations, item quantities and order amounts
// consistent with them). The app then settles each of those days in order
// (internal/app.settleDemo), so the demo opens with two months of settlements.
//
//   - Most orders are fulfilled one to five days after confirmation, some in two
//     parts a few days apart, the most recent ones not yet; a pay-later part is
//     payable Y days after it (a pay-now order X days after confirmation, set with
//     the order).
//   - About one fulfilled order in eight comes back (RETURN of its last line); about
//     one open order in ten is cancelled before shipping (CANCEL of every line).
//   - A DAILY company also gets one large card order returned in full three weeks
//     ago, so one settlement of the demo is negative: the merchant owes the PSP.

// demoOperations fulfils and refunds a company's confirmed demo orders.
func demoOperations(ctx context.Context, c *ent.Client, co *ent.Company, shop *ent.Shop, now time.Time) error {
	rng := rand.New(rand.NewPCG(7, uint64(len(co.LegalName))))
	orders, err := c.Order.Query().Where(order.CompanyID(co.ID), order.StatusEQ(order.StatusCONFIRMED)).
		WithItems(func(q *ent.OrderItemQuery) { q.Order(ent.Asc(orderitem.FieldPosition)) }).
		Order(ent.Asc(order.FieldCreatedAt)).All(ctx)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if err := demoOrderHistory(ctx, c, co, o, now, rng); err != nil {
			return fmt.Errorf("demo operations of %s: %w", o.Reference, err)
		}
	}
	if co.PayoutSchedule == domain.PayoutDaily {
		return demoBigReturn(ctx, c, co, shop, now)
	}
	return nil
}

// demoOrderHistory gives one confirmed order its fulfilments and refunds.
func demoOrderHistory(ctx context.Context, c *ent.Client, co *ent.Company, o *ent.Order, now time.Time, rng *rand.Rand) error {
	confirmed := o.CreatedAt
	if o.ConfirmedAt != nil {
		confirmed = *o.ConfirmedAt
	}
	items := o.Edges.Items
	first := confirmed.Add(time.Duration(24+rng.IntN(4*24)) * time.Hour)
	if first.After(now) || rng.IntN(10) == 0 {
		// Not shipped yet; now and then cancelled before it is.
		if rng.IntN(10) == 0 && confirmed.Add(6*time.Hour).Before(now) {
			return demoRefund(ctx, c, o, items, domain.RefundCancel, confirmed.Add(6*time.Hour))
		}
		return nil
	}
	parts := [][]*ent.OrderItem{items}
	second := first.Add(time.Duration(24+rng.IntN(5*24)) * time.Hour)
	if len(items) > 1 && rng.IntN(3) == 0 && second.Before(now) {
		parts = [][]*ent.OrderItem{items[:1], items[1:]}
	}
	at := first
	for _, lines := range parts {
		if err := demoFulfil(ctx, c, co, o, lines, at); err != nil {
			return err
		}
		at = second
	}
	if returned := at.Add(time.Duration(48+rng.IntN(7*24)) * time.Hour); rng.IntN(8) == 0 && returned.Before(now) {
		return demoRefund(ctx, c, o, items[len(items)-1:], domain.RefundReturn, returned)
	}
	return nil
}

// demoFulfil ships whole lines at a time: a SUCCEEDED fulfilment payable Y days later
// for pay later.
func demoFulfil(ctx context.Context, c *ent.Client, co *ent.Company, o *ent.Order, lines []*ent.OrderItem, at time.Time) error {
	var amount int64
	for _, it := range lines {
		amount += it.TotalMinor
	}
	fc := c.Fulfilment.Create().SetOrderID(o.ID).SetCompanyID(o.CompanyID).SetStatus(domain.OperationSucceeded).SetCurrency(o.Currency).
		SetAmountMinor(amount).SetCompletedAt(at).SetCreatedAt(at).SetUpdatedAt(at).
		SetProviderOperationID(fmt.Sprintf("demo_cap_%s_%d", o.ID[len(o.ID)-6:], at.Unix()))
	if d, ok := settlement.PartPayableDate(o.Provider, o.ProductType, at, settlement.DelaysOf(co)); ok {
		fc.SetPayoutDate(d)
	}
	f, err := fc.Save(ctx)
	if err != nil {
		return err
	}
	for _, it := range lines {
		if err := c.FulfilmentLine.Create().SetFulfilmentID(f.ID).SetOrderItemID(it.ID).SetQuantity(it.Quantity).
			SetCurrency(o.Currency).SetAmountMinor(it.TotalMinor).SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx); err != nil {
			return err
		}
		if err := c.OrderItem.UpdateOne(it).SetFulfilledQuantity(it.Quantity).SetFulfilledAmountMinor(it.TotalMinor).Exec(ctx); err != nil {
			return err
		}
		it.FulfilledQuantity, it.FulfilledAmountMinor = it.Quantity, it.TotalMinor
	}
	o.FulfilledAmountMinor += amount
	status := order.FulfilmentStatusPARTIALLY_FULFILLED
	if o.FulfilledAmountMinor == o.InitialAmountMinor {
		status = order.FulfilmentStatusFULFILLED
	}
	o.FulfilmentStatus = status
	return c.Order.UpdateOne(o).SetFulfilledAmountMinor(o.FulfilledAmountMinor).SetFulfilmentStatus(status).Exec(ctx)
}

// demoRefund refunds whole lines as RETURN (shipped) or CANCEL (not shipped).
func demoRefund(ctx context.Context, c *ent.Client, o *ent.Order, lines []*ent.OrderItem, kind domain.RefundType, at time.Time) error {
	var amount int64
	for _, it := range lines {
		amount += it.TotalMinor
	}
	rc := c.Refund.Create().SetOrderID(o.ID).SetCompanyID(o.CompanyID).SetStatus(domain.OperationSucceeded).SetCurrency(o.Currency).
		SetAmountMinor(amount).SetCompletedAt(at).SetCreatedAt(at).SetUpdatedAt(at).
		SetProviderOperationID(fmt.Sprintf("demo_ref_%s_%d", o.ID[len(o.ID)-6:], at.Unix()))
	if kind == domain.RefundReturn {
		rc.SetReturnAmountMinor(amount).SetReason("returned by the customer")
	} else {
		rc.SetCancelAmountMinor(amount).SetReason("out of stock")
	}
	r, err := rc.Save(ctx)
	if err != nil {
		return err
	}
	for _, it := range lines {
		if err := c.RefundLine.Create().SetRefundID(r.ID).SetOrderItemID(it.ID).SetRefundType(kind).SetQuantity(it.Quantity).
			SetCurrency(o.Currency).SetAmountMinor(it.TotalMinor).SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx); err != nil {
			return err
		}
		u := c.OrderItem.UpdateOne(it)
		if kind == domain.RefundReturn {
			u.SetReturnedQuantity(it.Quantity).SetReturnedAmountMinor(it.TotalMinor)
		} else {
			u.SetCancelledQuantity(it.Quantity).SetCancelledAmountMinor(it.TotalMinor)
		}
		if err := u.Exec(ctx); err != nil {
			return err
		}
	}
	o.RefundedAmountMinor += amount
	o.AmountMinor = o.InitialAmountMinor - o.RefundedAmountMinor
	return c.Order.UpdateOne(o).SetRefundedAmountMinor(o.RefundedAmountMinor).SetAmountMinor(o.AmountMinor).Exec(ctx)
}

// demoBigReturn is a large card order, paid out, then returned in full three weeks
// ago: its settlement deducts more than the day's credits, so the merchant owes.
func demoBigReturn(ctx context.Context, c *ent.Client, co *ent.Company, shop *ent.Shop, now time.Time) error {
	created := now.AddDate(0, 0, -40).Truncate(time.Hour)
	rug := catalogue[1] // the wool rug
	unit := money.MustParse(rug.price, "EUR")
	qty := money.Units(8)
	total, err := unit.Times(qty)
	if err != nil {
		return err
	}
	pt := domain.ProductPayNowCard
	payout, _ := settlement.OrderPayableDate(domain.ProviderPaywerk, &pt, created, settlement.DelaysOf(co))
	o, err := c.Order.Create().SetPspID(co.PspID).SetMerchantID(co.MerchantID).SetCompanyID(co.ID).SetShopID(shop.ID).
		SetProvider(domain.ProviderPaywerk).SetProductType(pt).
		SetReference(shop.Name[:3] + "-HOTEL-01").SetStatus(order.StatusCONFIRMED).SetCurrency("EUR").
		SetInitialAmountMinor(total.Minor()).SetAmountMinor(total.Minor()).SetLang(shop.DefaultLang).
		SetFirstName("Hotel").SetLastName("Viru").SetEmail("purchasing@hotel.example").
		SetBillingAddress(domain.Address{Street: "Viru väljak 4", City: "Tallinn", PostalCode: "10111", Country: co.Country}).
		SetProviderReference("demo_paywerk_hotel").SetShopperContinued(true).
		SetConfirmedAt(created.Add(3 * time.Minute)).SetPayoutDate(payout).
		SetCreatedAt(created).SetUpdatedAt(created).Save(ctx)
	if err != nil {
		return err
	}
	it, err := c.OrderItem.Create().SetOrderID(o.ID).SetSku(rug.sku).SetName(rug.name).SetQuantity(qty).SetCurrency("EUR").
		SetUnitPriceMinor(unit.Minor()).SetVatRateBps(rug.vatBps).SetTotalMinor(total.Minor()).Save(ctx)
	if err != nil {
		return err
	}
	if err := demoFulfil(ctx, c, co, o, []*ent.OrderItem{it}, created.AddDate(0, 0, 1)); err != nil {
		return err
	}
	return demoRefund(ctx, c, o, []*ent.OrderItem{it}, domain.RefundReturn, now.AddDate(0, 0, -21).Truncate(time.Hour))
}
