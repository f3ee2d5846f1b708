package bench

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// TestOverviewProjectionIsServedByIndexes EXPLAINs the settlement overview's
// projection of a company's unsettled items, which is raw SQL and so not among the
// statements TestHotReadsAreServedByIndexes records. Beyond no sequential scans,
// fulfilments and refunds must be found by their own company_id: reached through the
// company's orders instead, the largest company's projection took over 300 ms at
// 1,000,000 orders.
func TestOverviewProjectionIsServedByIndexes(t *testing.T) {
	f := newPlanFixture(t)
	ctx := context.Background()
	byCompany := map[string]string{
		"fulfilments": "fulfilment_unsettled_company_id_payout_date",
		"refunds":     "refund_unsettled_company_id",
	}
	for _, company := range []string{f.bigCompany, f.smallCompany} {
		for _, q := range settlement.OverviewProjectionQueries(true) {
			plan, err := Explain(ctx, f.d.SQL, Statement{Query: q, Args: []any{company}}, true)
			if err != nil {
				t.Fatal(err)
			}
			// PlanProblems' other rule, no sort before a page's limit, is for pages: an
			// aggregate sorts the company's unsettled items by its nature.
			var problems []string
			// The item table is the one the projection selects FROM.
			items := strings.Fields(q[strings.Index(q, "\nFROM ")+6:])[0]
			found := false
			plan.Walk(func(n PlanNode) {
				if n.NodeType == "Seq Scan" && slices.Contains(LargeTables, n.Relation) {
					problems = append(problems, "sequential scan of "+n.Relation)
				}
				found = found || n.Index == byCompany[items]
			})
			if want, ok := byCompany[items]; ok && !found {
				problems = append(problems, items+" not read by "+want)
			}
			if len(problems) > 0 {
				t.Errorf("%s\n  plan: %s\n  sql: %s", strings.Join(problems, "; "), Summary(plan), truncate(q, 400))
			}
		}
	}
}
