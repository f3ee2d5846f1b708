package psp

import (
	"context"
	"fmt"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/refund"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// RefundPreview is what a refund would do, computed by the same rules as the refund
// itself; nothing moves.
type RefundPreview struct {
	Order        *ent.Order
	Lines        []PlannedLine // resolved: RETURN or CANCEL, never AUTO
	Amount       money.Money
	ReturnAmount money.Money
	CancelAmount money.Money
	// OrderAmountAfter is what the shopper would owe once this refund (and any
	// refund still PENDING) succeeded.
	OrderAmountAfter money.Money
	Settlement       SettlementEffect
}

// SettlementEffect is what a refund does to the merchant's settlements.
type SettlementEffect struct {
	// Deducted is what the next settlement deducts: pay now, RETURN and CANCEL both
	// (the shopper had paid everything); pay later, RETURN only.
	Deducted money.Money
	// OwedReduction only lowers what the shopper owes (pay later CANCEL): nothing was
	// paid out for it, so nothing is deducted.
	OwedReduction money.Money
	// Date is the settlement that would deduct it: the company's next payout day
	// from today (tomorrow on, when today's settlement already ran). Empty when
	// nothing is deducted.
	Date        domain.Date
	Explanation string
}

// PreviewRefund answers what refundOrder would do with the same input, without
// locking or changing anything. The refund itself decides again under lock.
func (s *Operations) PreviewRefund(ctx context.Context, in RefundInput) (*RefundPreview, error) {
	ord, err := s.cfg.DB.Ent.Order.Query().Where(order.ID(in.OrderID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, domain.RefuseErr(ErrOrderNotFound, domain.Field("orderId"), "no order "+in.OrderID)
	}
	if err != nil {
		return nil, err
	}
	items, err := s.cfg.DB.Ent.OrderItem.Query().Where(orderitem.OrderID(ord.ID)).
		Order(orderitem.ByPosition(), orderitem.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	lo := &lockedOrder{order: ord, items: items}
	if err := lo.requireConfirmed(); err != nil {
		return nil, err
	}
	states, err := lo.states(ctx, s.cfg.DB.Ent, true)
	if err != nil {
		return nil, err
	}
	pl, err := PlanRefund(ord.Currency, states, in.Items)
	if err != nil {
		return nil, err
	}
	pending, err := s.cfg.DB.Ent.Refund.Query().
		Where(refund.OrderID(ord.ID), refund.StatusEQ(domain.OperationPending)).All(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	after := money.New(ord.AmountMinor, ord.Currency)
	for _, r := range pending {
		after = mustSub(after, money.New(r.AmountMinor, r.Currency))
	}
	p := &RefundPreview{Order: ord, Lines: pl.Lines, Amount: pl.Amount, ReturnAmount: pl.ReturnAmount,
		CancelAmount: pl.CancelAmount, OrderAmountAfter: mustSub(after, pl.Amount)}
	if p.Settlement, err = s.settlementEffect(ctx, ord, pl); err != nil {
		return nil, err
	}
	return p, nil
}

// settlementEffect says what the refund takes from which settlement, by the one rule
// of when money is payable (settlement.Deduction).
func (s *Operations) settlementEffect(ctx context.Context, ord *ent.Order, pl Plan) (SettlementEffect, error) {
	var e SettlementEffect
	var err error
	if e.Deducted, e.OwedReduction, err = settlement.Deduction(ord.Provider, ord.ProductType, pl.ReturnAmount, pl.CancelAmount); err != nil {
		return e, err
	}
	if e.Deducted.IsPositive() {
		sys := auth.System(ctx)
		c, err := s.cfg.DB.Ent.Company.Get(sys, ord.CompanyID)
		if err != nil {
			return e, err
		}
		today := domain.DateOf(s.cfg.Now())
		ran, err := s.cfg.DB.Ent.Settlement.Query().
			Where(entsettlement.CompanyID(c.ID), entsettlement.DateEQ(today)).Exist(sys)
		if err != nil {
			return e, err
		}
		from := today
		if ran {
			from = today.AddDays(1)
		}
		e.Date = settlement.CalendarOf(c).Next(from)
	}
	why, cancel := "", ""
	switch settlement.TimingOf(ord.Provider, *ord.ProductType) {
	case settlement.PerCapture:
		why, cancel = "Pay now, captured at fulfilment: ", "only releases the authorisation: it was never captured nor paid out"
	case settlement.PerFulfilment:
		why, cancel = "Pay later: ", "only lowers what the shopper owes, as nothing was paid out for it"
	}
	switch {
	case why == "":
		e.Explanation = fmt.Sprintf("Pay now: the shopper paid everything, so RETURN and CANCEL both give money back: %s is deducted from the settlement of %s.", e.Deducted, e.Date)
	case e.Deducted.IsPositive() && e.OwedReduction.IsPositive():
		e.Explanation = fmt.Sprintf("%sthe RETURN of %s is deducted from the settlement of %s; the CANCEL of %s %s.", why, e.Deducted, e.Date, e.OwedReduction, cancel)
	case e.Deducted.IsPositive():
		e.Explanation = fmt.Sprintf("%sthe RETURN of %s is deducted from the settlement of %s.", why, e.Deducted, e.Date)
	default:
		e.Explanation = fmt.Sprintf("%sthe CANCEL of %s %s, so no settlement changes.", why, e.OwedReduction, cancel)
	}
	return e, nil
}
