package graph

import (
	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/psp"
)

// createOrderInput translates the GraphQL order request to the domain's.
func createOrderInput(in model.CreateOrderInput) psp.CreateOrderInput {
	out := psp.CreateOrderInput{
		CompanyID: deref(in.CompanyID), ShopID: deref(in.ShopID), Reference: in.Reference,
		Lang: deref(in.Lang), FirstName: deref(in.FirstName), LastName: deref(in.LastName),
		Email: deref(in.Email), Phone: deref(in.Phone), CompanyName: deref(in.CompanyName),
		BillingAddress: addressInput(in.BillingAddress), DeliveryAddress: addressInput(in.DeliveryAddress),
		Amount: in.Amount, Currency: deref(in.Currency), SuccessURL: deref(in.SuccessURL),
		FailedURL: deref(in.FailedURL), CallbackURL: deref(in.CallbackURL), IdempotencyKey: deref(in.IdempotencyKey),
	}
	if in.Provider != nil {
		out.Provider = *in.Provider
	}
	if in.ProductType != nil {
		out.ProductType = *in.ProductType
	}
	for _, it := range in.Items {
		out.Items = append(out.Items, psp.OrderItemInput{SKU: it.Sku, Name: deref(it.Name), Quantity: it.Quantity,
			UnitPrice: it.UnitPrice, VATRate: deref(it.VatRate)})
	}
	return out
}

func addressInput(a *model.AddressInput) *domain.Address {
	if a == nil {
		return nil
	}
	return &domain.Address{Street: deref(a.Street), City: deref(a.City), PostalCode: deref(a.PostalCode), Country: deref(a.Country)}
}

// createOrderPayload answers the order (also beside a PROVIDER_ERROR) and its page.
func createOrderPayload(res *psp.CreateOrderResult, err error) (*model.CreateOrderPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.CreateOrderPayload{UserErrors: ue}
	if res != nil {
		p.Order = res.Order
		if res.PaymentURL != "" {
			p.PaymentURL = &res.PaymentURL
		}
	}
	return p, nil
}

// searchOrders narrows an orders query by orders(search:) (psp.OrderSearch); a search
// out of its bound is a VALIDATION error on the argument.
func searchOrders(q *ent.OrderQuery, search *string) (*ent.OrderQuery, error) {
	if search == nil {
		return q, nil
	}
	match, err := psp.OrderSearch(*search)
	if err != nil {
		return nil, queryRefusal(err)
	}
	if match != nil {
		q = q.Where(match)
	}
	return q, nil
}
