package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/hook"
	"github.com/pspbackoffice/backoffice/ent/order"
)

// orderCompany is the company of a child row's order, copied onto the row (an order
// never changes company) so a company's unsettled fulfilments and refunds are found
// by an index of their own rather than through every order of the company.
// Optional only because rows older than the column have none until db.Migrate
// backfills them; companyOfOrderHook fills it on every create.
func orderCompany() ent.Field {
	return field.String("company_id").Optional().Immutable().Annotations(hidden())
}

// withoutCompanyIndex holds the rows still without orderCompany: empty once
// db.Migrate has backfilled them, it lets every later start see that in one probe.
func withoutCompanyIndex(entity string) ent.Index {
	return index.Fields("company_id").StorageKey(entity + "_without_company_id").
		Annotations(entsql.IndexWhere("company_id IS NULL"))
}

// orderCompanyMutation is a create of a row carrying orderCompany. It is asserted at
// run time so this package compiles before the generated code has the field.
type orderCompanyMutation interface {
	ent.Mutation
	Client() *gen.Client
	OrderID() (string, bool)
	CompanyID() (string, bool)
	SetCompanyID(string)
}

// companyOfOrderHook is the rule that a row's company_id is its order's: on create it
// reads the order's company when the caller did not set it. Callers that have the
// order at hand set it themselves and cost no query.
func companyOfOrderHook() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			om, ok := m.(orderCompanyMutation)
			if !ok {
				return nil, fmt.Errorf("schema: %T does not carry its order's company", m)
			}
			// Without an order the create fails ent's own required-field check.
			if _, set := om.CompanyID(); !set {
				if orderID, ok := om.OrderID(); ok {
					companyID, err := om.Client().Order.Query().Where(order.ID(orderID)).
						Select(order.FieldCompanyID).String(ctx)
					if err != nil {
						return nil, fmt.Errorf("schema: the company of %s's order %s: %w", m.Type(), orderID, err)
					}
					om.SetCompanyID(companyID)
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate)
}
