package domain

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// enum is the behaviour every string enum here shares.
func unmarshalEnum[T ~string](v any, values []string, name string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", name)
	}
	if !slices.Contains(values, s) {
		return "", fmt.Errorf("%q is not a valid %s", s, name)
	}
	return T(s), nil
}

func writeQuoted(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

// Provider is a payment provider, as the API and storage name it.
type Provider string

const (
	ProviderBillie        Provider = "BILLIE"
	ProviderPaywerk       Provider = "PAYWERK"
	ProviderBillwerk      Provider = "BILLWERK"
	ProviderBetterPayment Provider = "BETTERPAYMENT"
)

var providerValues = []string{"BILLIE", "PAYWERK", "BILLWERK", "BETTERPAYMENT"}

func (Provider) Values() []string         { return providerValues }
func (p Provider) MarshalGQL(w io.Writer) { writeQuoted(w, string(p)) }
func (p *Provider) UnmarshalGQL(v any) (err error) {
	*p, err = unmarshalEnum[Provider](v, providerValues, "Provider")
	return err
}

// Slug is the lowercase name used in paths (/webhooks/billie, /sandbox/billie/).
func (p Provider) Slug() string {
	switch p {
	case ProviderBillie:
		return "billie"
	case ProviderPaywerk:
		return "paywerk"
	case ProviderBillwerk:
		return "billwerk"
	case ProviderBetterPayment:
		return "betterpayment"
	}
	return ""
}

// ProviderFromSlug is the inverse of Slug.
func ProviderFromSlug(slug string) (Provider, bool) {
	for _, v := range providerValues {
		if Provider(v).Slug() == slug {
			return Provider(v), true
		}
	}
	return "", false
}

// ProductType is how the shopper pays.
type ProductType string

const (
	ProductPayNowCard ProductType = "PAY_NOW_CARD"
	ProductInvoice    ProductType = "INVOICE"
	ProductSlice      ProductType = "SLICE"
)

var productTypeValues = []string{"PAY_NOW_CARD", "INVOICE", "SLICE"}

func (ProductType) Values() []string         { return productTypeValues }
func (p ProductType) MarshalGQL(w io.Writer) { writeQuoted(w, string(p)) }
func (p *ProductType) UnmarshalGQL(v any) (err error) {
	*p, err = unmarshalEnum[ProductType](v, productTypeValues, "ProductType")
	return err
}

// PayLater tells whether nothing is paid out before fulfilment (INVOICE, SLICE).
func (p ProductType) PayLater() bool { return p == ProductInvoice || p == ProductSlice }

// OperationStatus is the state of a fulfilment or refund at the provider.
type OperationStatus string

const (
	OperationPending   OperationStatus = "PENDING"
	OperationSucceeded OperationStatus = "SUCCEEDED"
	OperationFailed    OperationStatus = "FAILED"
)

var operationStatusValues = []string{"PENDING", "SUCCEEDED", "FAILED"}

func (OperationStatus) Values() []string         { return operationStatusValues }
func (s OperationStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }
func (s *OperationStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum[OperationStatus](v, operationStatusValues, "OperationStatus")
	return err
}

// RefundType is what a refund line does. AUTO is only ever asked for; it is resolved
// to RETURN or CANCEL before anything is stored.
type RefundType string

const (
	RefundReturn RefundType = "RETURN"
	RefundCancel RefundType = "CANCEL"
	RefundAuto   RefundType = "AUTO"
)

var refundTypeValues = []string{"RETURN", "CANCEL", "AUTO"}

func (RefundType) Values() []string         { return refundTypeValues }
func (t RefundType) MarshalGQL(w io.Writer) { writeQuoted(w, string(t)) }
func (t *RefundType) UnmarshalGQL(v any) (err error) {
	*t, err = unmarshalEnum[RefundType](v, refundTypeValues, "RefundType")
	return err
}

// ActivationStatus is a company's state with one provider.
type ActivationStatus string

const (
	ActivationPending  ActivationStatus = "PENDING"
	ActivationActive   ActivationStatus = "ACTIVE"
	ActivationRejected ActivationStatus = "REJECTED"
)

var activationStatusValues = []string{"PENDING", "ACTIVE", "REJECTED"}

func (ActivationStatus) Values() []string         { return activationStatusValues }
func (s ActivationStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }
func (s *ActivationStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum[ActivationStatus](v, activationStatusValues, "ActivationStatus")
	return err
}

// SettlementStatus: PENDING → PAID, or MERCHANT_OWES → SETTLED.
type SettlementStatus string

const (
	SettlementPending      SettlementStatus = "PENDING"
	SettlementPaid         SettlementStatus = "PAID"
	SettlementMerchantOwes SettlementStatus = "MERCHANT_OWES"
	SettlementSettled      SettlementStatus = "SETTLED"
)

var settlementStatusValues = []string{"PENDING", "PAID", "MERCHANT_OWES", "SETTLED"}

func (SettlementStatus) Values() []string         { return settlementStatusValues }
func (s SettlementStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }
func (s *SettlementStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum[SettlementStatus](v, settlementStatusValues, "SettlementStatus")
	return err
}

// PayoutSchedule is when a company gets paid.
type PayoutSchedule string

const (
	PayoutDaily    PayoutSchedule = "DAILY"
	PayoutWeekly   PayoutSchedule = "WEEKLY"
	PayoutWeekdays PayoutSchedule = "WEEKDAYS"
)

var payoutScheduleValues = []string{"DAILY", "WEEKLY", "WEEKDAYS"}

func (PayoutSchedule) Values() []string         { return payoutScheduleValues }
func (s PayoutSchedule) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }
func (s *PayoutSchedule) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum[PayoutSchedule](v, payoutScheduleValues, "PayoutSchedule")
	return err
}

// Role is what a user may do.
type Role string

const (
	RolePSPAdmin         Role = "PSP_ADMIN"
	RolePSPOperator      Role = "PSP_OPERATOR"
	RoleMerchantAdmin    Role = "MERCHANT_ADMIN"
	RoleMerchantOperator Role = "MERCHANT_OPERATOR"
	RoleMerchantViewer   Role = "MERCHANT_VIEWER"
)

var roleValues = []string{"PSP_ADMIN", "PSP_OPERATOR", "MERCHANT_ADMIN", "MERCHANT_OPERATOR", "MERCHANT_VIEWER"}

func (Role) Values() []string         { return roleValues }
func (r Role) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }
func (r *Role) UnmarshalGQL(v any) (err error) {
	*r, err = unmarshalEnum[Role](v, roleValues, "Role")
	return err
}

// IsPSPStaff tells whether the role belongs to the PSP rather than to a merchant.
func (r Role) IsPSPStaff() bool { return r == RolePSPAdmin || r == RolePSPOperator }

// ReconciliationStatus is the outcome of one provider's day of reconciliation
// (docs/reconciliation.md).
type ReconciliationStatus string

const (
	ReconciliationMatched    ReconciliationStatus = "MATCHED"
	ReconciliationMismatched ReconciliationStatus = "MISMATCHED"
)

var reconciliationStatusValues = []string{"MATCHED", "MISMATCHED"}

func (ReconciliationStatus) Values() []string         { return reconciliationStatusValues }
func (s ReconciliationStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }
func (s *ReconciliationStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum[ReconciliationStatus](v, reconciliationStatusValues, "ReconciliationStatus")
	return err
}

// MismatchKind is how our records and a provider's disagree (docs/reconciliation.md).
type MismatchKind string

const (
	MismatchMissingAtProvider MismatchKind = "MISSING_AT_PROVIDER" // we have it, the provider does not
	MismatchMissingHere       MismatchKind = "MISSING_HERE"        // the provider has it, we do not
	MismatchAmount            MismatchKind = "AMOUNT_MISMATCH"
	MismatchQuantity          MismatchKind = "QUANTITY_MISMATCH"
	MismatchStatus            MismatchKind = "STATUS_MISMATCH"
)

var mismatchKindValues = []string{"MISSING_AT_PROVIDER", "MISSING_HERE", "AMOUNT_MISMATCH", "QUANTITY_MISMATCH", "STATUS_MISMATCH"}

func (MismatchKind) Values() []string         { return mismatchKindValues }
func (k MismatchKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }
func (k *MismatchKind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalEnum[MismatchKind](v, mismatchKindValues, "MismatchKind")
	return err
}
