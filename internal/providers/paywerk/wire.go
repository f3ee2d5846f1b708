package paywerk

import (
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Currency is the only currency Paywerk takes (docs/providers/paywerk.md "Orders").
const Currency = "EUR"

// Amount is a Paywerk amount: a JSON number with up to 2 decimals ("amount": 1238.16),
// never through float64 (providers.EURNumber).
type Amount = providers.EURNumber

// NewAmount wraps a Money.
func NewAmount(m money.Money) Amount { return providers.EUR(m) }

// Qty is a Paywerk quantity: a JSON number, fractional allowed (0.5), kept as a
// fixed-point money.Quantity.
type Qty struct{ money.Quantity }

// MarshalJSON writes the quantity as a bare JSON number.
func (q Qty) MarshalJSON() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalJSON reads a JSON number with at most 3 decimals.
func (q *Qty) UnmarshalJSON(b []byte) error {
	s, err := providers.NumberText(b)
	if err != nil {
		return err
	}
	v, err := money.ParseQuantity(s)
	if err != nil {
		return err
	}
	q.Quantity = v
	return nil
}

// Address is a postal address as Paywerk takes it (field names inferred; the documentation
// only says country is required).
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country"`
}

// OrderItem is one shopping cart row (seed: "items"; field names inferred).
type OrderItem struct {
	SKU         string  `json:"sku"`
	Name        string  `json:"name,omitempty"`
	Quantity    Qty     `json:"quantity"`
	UnitPrice   Amount  `json:"unitPrice"`
	VATRate     string  `json:"vatRate,omitempty"` // percent, "22.00"
	TotalAmount *Amount `json:"totalAmount,omitempty"`
}

// Metadata is the merchant integration information (seed: ShopMetadata).
type Metadata struct {
	PluginName    string `json:"pluginName,omitempty"`
	PluginVersion string `json:"pluginVersion,omitempty"`
}

// OrderRequest is the body of POST /orders (docs/providers/paywerk.md "Orders").
type OrderRequest struct {
	Lang                  string      `json:"lang"`
	FirstName             string      `json:"firstName,omitempty"`
	LastName              string      `json:"lastName,omitempty"`
	Email                 string      `json:"email,omitempty"`
	Phone                 string      `json:"phone,omitempty"`
	BillingAddress        *Address    `json:"billingAddress"`
	DeliveryAddress       *Address    `json:"deliveryAddress,omitempty"`
	Amount                *Amount     `json:"amount"`
	Currency              string      `json:"currency"`
	SuccessURL            string      `json:"successUrl"`
	FailedURL             string      `json:"failedUrl"`
	CallbackURL           string      `json:"callbackUrl,omitempty"`
	Reference             string      `json:"reference"`
	Items                 []OrderItem `json:"items,omitempty"`
	DisplayedProductTypes []string    `json:"displayedProductTypes,omitempty"`
	Metadata              *Metadata   `json:"metadata,omitempty"`
}

// OrderResponse answers POST /orders.
type OrderResponse struct {
	PaywerkID  string `json:"paywerkId"`
	IsComplete bool   `json:"isComplete"`
}

// Order statuses (docs/providers/paywerk.md "Statuses, callbacks and polling").
const (
	StatusPending   = "PENDING"
	StatusConfirmed = "CONFIRMED"
	StatusFailed    = "FAILED"
)

// Shopper is the shopper block of the order details.
type Shopper struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// OrderDetailsItem is an item in GET /orders/{id}; the quantities done so far are
// inferred fields (the documentation collapses the item schema).
type OrderDetailsItem struct {
	SKU               string `json:"sku"`
	Name              string `json:"name,omitempty"`
	Quantity          Qty    `json:"quantity"`
	UnitPrice         Amount `json:"unitPrice"`
	VATRate           string `json:"vatRate,omitempty"`
	TotalAmount       Amount `json:"totalAmount"`
	FulfilledQuantity Qty    `json:"fulfilledQuantity"`
	CancelledQuantity Qty    `json:"cancelledQuantity"`
	ReturnedQuantity  Qty    `json:"returnedQuantity"`
}

// OrderDetails answers GET /orders/{paywerkId}. Fields after DeliveryAddress are
// inferred (the documentation does not list them; the sandbox and client agree on them).
type OrderDetails struct {
	PaywerkID        string             `json:"paywerkId"`
	Status           string             `json:"status"`
	CreatedAt        string             `json:"createdAt"`
	InitialAmount    Amount             `json:"initialAmount"`
	Amount           Amount             `json:"amount"`
	Currency         string             `json:"currency"`
	Reference        string             `json:"reference"`
	Items            []OrderDetailsItem `json:"items"`
	Shopper          Shopper            `json:"shopper"`
	BillingAddress   *Address           `json:"billingAddress,omitempty"`
	DeliveryAddress  *Address           `json:"deliveryAddress,omitempty"`
	ProductType      string             `json:"productType,omitempty"`
	FulfilledAmount  Amount             `json:"fulfilledAmount"`
	CancelledAmount  Amount             `json:"cancelledAmount"`
	ReturnedAmount   Amount             `json:"returnedAmount"`
	ShopperContinued bool               `json:"shopperContinued"`
	FailureReason    string             `json:"failureReason,omitempty"`
}

// OrderStatus answers GET /orders/{paywerkId}/status (docs/providers/paywerk.md "Statuses, callbacks and polling").
type OrderStatus struct {
	Status        string `json:"status"`
	Amount        Amount `json:"amount"`
	InitialAmount Amount `json:"initialAmount"`
	Time          string `json:"time"`
}

// Callback is the body Paywerk POSTs to callbackUrl (docs/providers/paywerk.md "Statuses, callbacks and polling"): no status, no signature.
type Callback struct {
	PaywerkID      string `json:"paywerkId"`
	OrderReference string `json:"orderReference"`
}

// FulfilItem is one element of the POST /orders/{id}/fulfil array.
type FulfilItem struct {
	SKU      string `json:"sku"`
	Quantity *Qty   `json:"quantity"`
}

// Refund types (docs/providers/paywerk.md "Refunds").
const (
	RefundReturn = "RETURN"
	RefundCancel = "CANCEL"
	RefundAuto   = "AUTO"
)

// RefundItem is one element of the POST /orders/{id}/refund array; a nil Quantity
// means all (docs/providers/paywerk.md "Refunds").
type RefundItem struct {
	SKU        string `json:"sku"`
	RefundType string `json:"refundType"`
	Quantity   *Qty   `json:"quantity,omitempty"`
}

// OperationLine is one resolved line of a fulfilment or refund answer (inferred).
type OperationLine struct {
	SKU        string `json:"sku"`
	RefundType string `json:"refundType,omitempty"` // RETURN or CANCEL, AUTO resolved
	Quantity   Qty    `json:"quantity"`
	Amount     Amount `json:"amount"`
}

// OperationResponse answers fulfil, fulfil-all, refund and refund-all (inferred: the
// documentation shows no response body).
type OperationResponse struct {
	ID        string          `json:"id"`
	PaywerkID string          `json:"paywerkId"`
	Amount    Amount          `json:"amount"`
	Items     []OperationLine `json:"items"`
}

// ScheduleItem is one due part of a payment schedule.
type ScheduleItem struct {
	DueDate string `json:"dueDate"` // 2026-11-21
	Amount  Amount `json:"amount"`
}

// Schedule answers GET /payment-schedule/{productType} (docs/providers/paywerk.md "Payment schedule"; the schedule item
// fields are inferred).
type Schedule struct {
	ProductID   string         `json:"productId"`
	ProductType string         `json:"productType"`
	Schedule    []ScheduleItem `json:"schedule"`
}

// ErrorBody is Paywerk's error answer. Inferred: the documentation shows none. Details name
// the refused items for fulfil and refund.
type ErrorBody struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Details []ErrorDetail `json:"details,omitempty"`
}

// ErrorDetail is why one item (or field) was refused.
type ErrorDetail struct {
	SKU     string `json:"sku,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}
