package settlement

import (
	"context"
	"fmt"

	"github.com/pspbackoffice/backoffice/ent"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// A settlement's life: PENDING (the PSP owes the merchant net) → PAID when the PSP's
// transfer went out; MERCHANT_OWES (net is negative) → SETTLED when the merchant's
// transfer came in. PAID and SETTLED are final; marking them again is refused.

// paidStatus is where markSettlementPaid takes each open status.
var paidStatus = map[domain.SettlementStatus]domain.SettlementStatus{
	domain.SettlementPending:      domain.SettlementPaid,
	domain.SettlementMerchantOwes: domain.SettlementSettled,
}

// MarkPaid records that a settlement's money moved: PENDING → PAID, MERCHANT_OWES →
// SETTLED. PSP staff only; another PSP's settlement is not found.
func (s *Settlements) MarkPaid(ctx context.Context, id string) (*ent.Settlement, error) {
	p := auth.From(ctx)
	if p == nil || !(p.IsSystem() || p.IsPSPStaff()) {
		return nil, domain.RefuseErr(ErrStaffOnly, nil, "only PSP staff mark settlements paid")
	}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		q := tx.Ent.Settlement.Query().Where(entsettlement.ID(id))
		if s.DB.IsPostgres() {
			q = q.ForUpdate()
		}
		st, err := q.Only(ctx)
		if ent.IsNotFound(err) {
			return domain.RefuseErr(ErrSettlementNotFound, domain.Field("settlementId"), "no such settlement")
		}
		if err != nil {
			return err
		}
		next, open := paidStatus[st.Status]
		if !open {
			return domain.RefuseErr(ErrSettlementClosed, domain.Field("settlementId"),
				fmt.Sprintf("the settlement is already %s", st.Status))
		}
		now := s.now()
		// The status guard makes this a compare-and-set on SQLite too.
		n, err := tx.Ent.Settlement.Update().Where(entsettlement.ID(id), entsettlement.StatusEQ(st.Status)).
			SetStatus(next).SetPaidAt(now).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return domain.RefuseErr(ErrSettlementClosed, domain.Field("settlementId"), "the settlement changed meanwhile")
		}
		return audit.WriteTx(ctx, tx.Ent, audit.Event{Action: "markSettlementPaid", ObjectIDs: []string{id},
			PSPID: st.PspID, MerchantID: st.MerchantID, Input: map[string]any{"from": string(st.Status), "to": string(next)}})
	})
	if err != nil {
		return nil, err
	}
	// Read it again outside the finished transaction, so the API can follow its edges.
	return s.DB.Ent.Settlement.Get(ctx, id)
}

// PaymentInstructions tell a merchant who owes money where to transfer it.
type PaymentInstructions struct {
	AccountHolder string
	IBAN          string
	BIC           string
	Reference     string
	Amount        money.Money
}

// Instructions answers the payment instructions of a settlement the merchant owes
// (MERCHANT_OWES, and SETTLED for the record), or nil for a payout: the PSP's account
// and the settlement's reference, for −net.
func (s *Settlements) Instructions(ctx context.Context, st *ent.Settlement) (*PaymentInstructions, error) {
	if st.NetMinor >= 0 || (st.Status != domain.SettlementMerchantOwes && st.Status != domain.SettlementSettled) {
		return nil, nil
	}
	psp, err := s.DB.Ent.PSP.Get(ctx, st.PspID) // every principal of the PSP sees its PSP
	if err != nil {
		return nil, err
	}
	ref := st.PaymentReference
	if ref == "" {
		ref = st.ID
	}
	holder := psp.LegalName
	if holder == "" {
		holder = psp.Name
	}
	return &PaymentInstructions{AccountHolder: holder, IBAN: psp.Iban, BIC: psp.Bic, Reference: ref, Amount: money.New(-st.NetMinor, st.Currency)}, nil
}
