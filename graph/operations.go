package graph

import (
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/psp"
)

// Conversions between the fulfilment and refund API and internal/psp.

func fulfilItemsOf(in []*model.FulfilItemInput) []psp.FulfilRequestItem {
	return mapInputs(in, func(it *model.FulfilItemInput) psp.FulfilRequestItem {
		return psp.FulfilRequestItem{SKU: it.Sku, Quantity: it.Quantity}
	})
}

func refundItemsOf(in []*model.RefundItemInput) []psp.RefundRequestItem {
	return mapInputs(in, func(it *model.RefundItemInput) psp.RefundRequestItem {
		return psp.RefundRequestItem{SKU: it.Sku, RefundType: it.RefundType, Quantity: it.Quantity}
	})
}

func fulfilInputOf(in model.FulfilOrderInput) psp.FulfilInput {
	return psp.FulfilInput{OrderID: in.OrderID, Items: fulfilItemsOf(in.Items), IdempotencyKey: deref(in.IdempotencyKey)}
}

func fulfilAllInputOf(in model.FulfilAllInput) psp.FulfilAllInput {
	return psp.FulfilAllInput{OrderID: in.OrderID, IdempotencyKey: deref(in.IdempotencyKey)}
}

func refundInputOf(in model.RefundOrderInput) psp.RefundInput {
	return psp.RefundInput{OrderID: in.OrderID, Items: refundItemsOf(in.Items), Reason: deref(in.Reason),
		IdempotencyKey: deref(in.IdempotencyKey)}
}

func refundAllInputOf(in model.RefundAllInput) psp.RefundAllInput {
	return psp.RefundAllInput{OrderID: in.OrderID, Reason: deref(in.Reason), IdempotencyKey: deref(in.IdempotencyKey)}
}

// fulfilPayload is the payload of a fulfilment: the fulfilment and order when there
// is one (also beside a PROVIDER_ERROR), and the refusal's userErrors.
func fulfilPayload(res *psp.FulfilResult, err error) (*model.FulfilOrderPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.FulfilOrderPayload{UserErrors: ue}
	if res != nil {
		p.Fulfilment, p.Order = res.Fulfilment, res.Order
	}
	return p, nil
}

func refundPayload(res *psp.RefundResult, err error) (*model.RefundOrderPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.RefundOrderPayload{UserErrors: ue}
	if res != nil {
		p.Refund, p.Order = res.Refund, res.Order
	}
	return p, nil
}

func refundPreviewPayload(pv *psp.RefundPreview, err error) (*model.RefundPreviewPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.RefundPreviewPayload{Lines: []*model.RefundPreviewLine{}, UserErrors: ue}
	if pv == nil {
		return p, nil
	}
	for _, l := range pv.Lines {
		p.Lines = append(p.Lines, &model.RefundPreviewLine{Sku: l.SKU, RefundType: l.Type, Quantity: l.Quantity, Amount: &l.Amount})
	}
	p.Amount, p.ReturnAmount, p.CancelAmount, p.OrderAmountAfter = &pv.Amount, &pv.ReturnAmount, &pv.CancelAmount, &pv.OrderAmountAfter
	e := pv.Settlement
	p.SettlementEffect = &model.RefundSettlementEffect{Deducted: &e.Deducted, OwedReduction: &e.OwedReduction, Explanation: e.Explanation}
	if e.Date != "" {
		d := e.Date
		p.SettlementEffect.SettlementDate = &d
	}
	return p, nil
}

// operationSteps shows an operation's stored provider calls (docs/provider-operations.md).
func operationSteps(steps []domain.OperationStep) []*model.OperationStep {
	out := make([]*model.OperationStep, len(steps))
	for i, st := range steps {
		out[i] = &model.OperationStep{Kind: string(st.Kind), Amount: moneyOf(st.AmountMinor, st.Currency), Status: st.Status}
		if st.ReportedMinor != nil {
			out[i].ReportedAmount = moneyOf(*st.ReportedMinor, st.Currency)
		}
		if st.ProviderOperationID != "" {
			out[i].ProviderOperationID = &st.ProviderOperationID
		}
		if st.Error != "" {
			out[i].Error = &st.Error
		}
	}
	return out
}
