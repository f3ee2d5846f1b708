package domain

import "github.com/pspbackoffice/backoffice/internal/money"

// StepKind is what one provider call of an operation does.
type StepKind string

const (
	StepCapture StepKind = "CAPTURE" // capture (invoice, settle) what a fulfilment took
	StepReturn  StepKind = "RETURN"  // give back captured money (credit note, refund)
	StepCancel  StepKind = "CANCEL"  // release uncaptured money (cancel, release, reverse)
	StepRefund  StepKind = "REFUND"  // RETURN and CANCEL lines in one call (Paywerk)
)

// OperationStep is one provider call of a fulfilment or refund. The plan part is
// decided once, in the transaction that reserves the operation, and every attempt
// replays it; the outcome part is written as each attempt ends. See
// docs/provider-operations.md.
type OperationStep struct {
	Kind StepKind `json:"kind"`
	// Key is the operation id sent with this call: the idempotency key, invoice or
	// credit note number (providers derive their own suffixes from it).
	Key string `json:"key"`
	// AmountMinor is the gross this call moves; TaxMinor its tax, decided from the
	// lines' VAT rates (or the credited capture's ratio), so net + tax = gross.
	AmountMinor int64  `json:"amount"`
	TaxMinor    int64  `json:"tax"`
	Currency    string `json:"currency"`
	// ByLines: the call names Lines; otherwise it is by amount (Lines still say
	// which order lines the amount belongs to).
	ByLines bool       `json:"byLines,omitempty"`
	Lines   []StepLine `json:"lines,omitempty"`
	// Target is the capture a RETURN credits (its provider operation id), and
	// TargetFulfilment our fulfilment of it, for providers that refund against a
	// capture (Billie).
	Target           string `json:"target,omitempty"`
	TargetFulfilment string `json:"targetFulfilment,omitempty"`

	// Status: PENDING until the provider answered for sure.
	Status OperationStatus `json:"status"`
	// SentSeq orders the calls of one order as they went out (providers without
	// idempotency keys are reconciled in that order); 0: never sent.
	SentSeq int64 `json:"sentSeq,omitempty"`
	// InFlight: stamped and not answered yet (the sender may still be waiting).
	InFlight            bool   `json:"inFlight,omitempty"`
	ProviderOperationID string `json:"providerOperationId,omitempty"`
	// ReportedMinor is what the provider said it moved, when it says.
	ReportedMinor *int64 `json:"reported,omitempty"`
	Error         string `json:"error,omitempty"`
	Attempts      int    `json:"attempts,omitempty"`
}

// StepLine is one order line in a step.
type StepLine struct {
	ItemID      string         `json:"item"`
	SKU         string         `json:"sku"`
	Kind        RefundType     `json:"type,omitempty"` // "" for a capture
	Quantity    money.Quantity `json:"quantity"`
	AmountMinor int64          `json:"amount"`
	TaxMinor    int64          `json:"tax"`
	// ReportedMinor is the provider's amount for this line, when its answer names lines.
	ReportedMinor *int64 `json:"reported,omitempty"`
}

// Moved is what the step moved: the provider's figure when it gave one, else the plan.
func (s OperationStep) Moved() int64 {
	if s.ReportedMinor != nil {
		return *s.ReportedMinor
	}
	return s.AmountMinor
}
