package graph

import (
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// queryRefusal turns a refusal of a query (which has no userErrors) into a top-level
// error carrying the refusal's code and field, and what the principal may not see into
// NOT_FOUND; other errors pass unchanged.
func queryRefusal(err error) error {
	if code, ok := topLevelCode(err); ok {
		return &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": code}}
	}
	r, ok := domain.AsRefusal(err)
	if !ok {
		return err
	}
	p := r.Problems[0]
	ext := map[string]any{"code": p.Code}
	if len(p.Field) > 0 {
		ext["field"] = p.Field
	}
	return &gqlerror.Error{Message: r.Error(), Extensions: ext}
}

// runSettlementsPayload answers the day and what the run created.
func runSettlementsPayload(d domain.Date, res *settlement.RunResult, err error) (*model.RunSettlementsPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.RunSettlementsPayload{Settlements: []*ent.Settlement{}, UserErrors: ue}
	if res != nil {
		p.Date, p.Settlements = &d, res.Settlements
	}
	return p, nil
}

// settlementExportURL is where a settlement's CSV is served (internal/server).
func settlementExportURL(id string) string { return "/exports/settlements/" + id + ".csv" }
