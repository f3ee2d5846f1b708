package reconciliation

import (
	"entgo.io/contrib/entgql"

	"context"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/reconciliationmismatch"
	"github.com/pspbackoffice/backoffice/ent/reconciliationreport"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Reports answers the PSP's reports (the tenant policy keeps them to PSP staff),
// of one provider and status when given.
func Reports(_ context.Context, c *ent.Client, pr *domain.Provider, status *domain.ReconciliationStatus) *ent.ReconciliationReportQuery {
	q := c.ReconciliationReport.Query()
	if pr != nil {
		q.Where(reconciliationreport.ProviderEQ(*pr))
	}
	if status != nil {
		q.Where(reconciliationreport.StatusEQ(*status))
	}
	return q
}

// NewestFirst orders reports by day, newest first.
var NewestFirst = ent.WithReconciliationReportOrder(&ent.ReconciliationReportOrder{
	Direction: entgql.OrderDirectionDesc, Field: ent.ReconciliationReportOrderFieldDate})

// OfReport answers a report's differences, oldest first.
func OfReport(ctx context.Context, c *ent.Client, reportID string) ([]*ent.ReconciliationMismatch, error) {
	return c.ReconciliationMismatch.Query().Where(reconciliationmismatch.ReportID(reportID)).
		Order(reconciliationmismatch.ByCreatedAt(), reconciliationmismatch.ByID()).All(ctx)
}

// OfOrder answers the differences of an order's latest reports (empty for anyone
// but PSP staff), newest first.
func OfOrder(ctx context.Context, c *ent.Client, orderID string) ([]*ent.ReconciliationMismatch, error) {
	return c.ReconciliationMismatch.Query().Where(reconciliationmismatch.OrderID(orderID)).
		Order(ent.Desc(reconciliationmismatch.FieldCreatedAt)).Limit(20).All(ctx)
}
