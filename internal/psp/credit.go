package psp

import (
	"context"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// Where a credit arises, its terms are recorded with it by internal/settlement's
// rules: when it becomes payable (payable.go) and the fee plan in force (fees.go).
// An order paid at confirmation is one credit, written when it is confirmed; an order
// captured or fulfilled in parts has one credit per fulfilment part.
//
// Both read through the transaction's own client: a second connection taken while
// holding the order's lock could wait forever for a pool full of requests that wait
// for that lock.

// orderCredit records, on confirmation at now, the payout date and fee terms of an
// order paid at confirmation; other orders are credited per part.
func orderCredit(ctx context.Context, c *ent.Client, ord *ent.Order, pt *domain.ProductType, now time.Time, upd *ent.OrderUpdateOne) error {
	if pt == nil || settlement.TimingOf(ord.Provider, *pt) != settlement.AtConfirmation {
		return nil
	}
	ctx = auth.System(ctx)
	company, err := c.Company.Get(ctx, ord.CompanyID)
	if err != nil {
		return err
	}
	d, _ := settlement.OrderPayableDate(ord.Provider, pt, now, settlement.DelaysOf(company))
	upd.SetPayoutDate(d)
	terms, err := settlement.FeeTermsNow(ctx, c, ord.CompanyID, *pt)
	if err != nil {
		return err
	}
	terms.Freeze(upd.Mutation())
	return nil
}

// partCredit records on a new fulfilment part of an order credited per part its
// payout date (X or Y days after its capture) and fee terms.
func (s *Operations) partCredit(ctx context.Context, c *ent.Client, ord *ent.Order, create *ent.FulfilmentCreate) error {
	if ord.ProductType == nil || settlement.TimingOf(ord.Provider, *ord.ProductType) == settlement.AtConfirmation {
		return nil
	}
	ctx = auth.System(ctx)
	company, err := c.Company.Get(ctx, ord.CompanyID)
	if err != nil {
		return err
	}
	if d, ok := settlement.PartPayableDate(ord.Provider, ord.ProductType, s.cfg.Now(), settlement.DelaysOf(company)); ok {
		create.SetPayoutDate(d)
	}
	terms, err := settlement.FeeTermsNow(ctx, c, ord.CompanyID, *ord.ProductType)
	if err != nil {
		return err
	}
	terms.Freeze(create.Mutation())
	return nil
}
