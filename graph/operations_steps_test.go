package graph

import (
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Fulfilment.steps and Refund.steps show what was planned beside what the provider
// reported, and the open error of a step still in progress.
func TestOperationStepsShowPlanAndAnswer(t *testing.T) {
	reported := int64(1001)
	got := operationSteps([]domain.OperationStep{
		{Kind: domain.StepReturn, AmountMinor: 1000, Currency: "EUR", Status: domain.OperationSucceeded,
			ProviderOperationID: "cr_1", ReportedMinor: &reported},
		{Kind: domain.StepCancel, AmountMinor: 500, Currency: "EUR", Status: domain.OperationPending, Error: "409 conflict"},
	})
	if len(got) != 2 || got[0].Kind != "RETURN" || got[0].Amount.Minor() != 1000 || got[0].ReportedAmount.Minor() != 1001 ||
		*got[0].ProviderOperationID != "cr_1" || got[0].Error != nil {
		t.Fatalf("first step %+v", got[0])
	}
	if got[1].Status != domain.OperationPending || got[1].ReportedAmount != nil || got[1].ProviderOperationID != nil ||
		*got[1].Error != "409 conflict" {
		t.Fatalf("second step %+v", got[1])
	}
}
