package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/tenant"
)

// Policy gives every entity (they all mix in IDMixin) the tenant policy of
// internal/tenant, so a new entity is covered the day it is added: reads are filtered
// to the principal's tenant, writes kept inside it, and a context without a principal
// is refused.
func (IDMixin) Policy() ent.Policy { return tenant.Policy() }

// authDirective is graph/schema.graphqls's @auth on a field entgql generates on Query.
// No roles means any logged-in user.
func authDirective(roles []domain.Role, apiKey bool, scope string) entgql.Directive {
	var args []*ast.Argument
	if len(roles) > 0 {
		list := &ast.Value{Kind: ast.ListValue}
		for _, r := range roles {
			list.Children = append(list.Children, &ast.ChildValue{Value: &ast.Value{Kind: ast.EnumValue, Raw: string(r)}})
		}
		args = append(args, &ast.Argument{Name: "roles", Value: list})
	}
	if apiKey {
		args = append(args, &ast.Argument{Name: "apiKey", Value: &ast.Value{Kind: ast.BooleanValue, Raw: "true"}})
	}
	if scope != "" {
		args = append(args, &ast.Argument{Name: "scope", Value: &ast.Value{Kind: ast.StringValue, Raw: scope}})
	}
	return entgql.NewDirective("auth", args...)
}

// Who may list what, as @auth on the generated Query fields.
var (
	anyUser       = authDirective(nil, false, "")
	adminsOnly    = authDirective([]domain.Role{domain.RolePSPAdmin, domain.RolePSPOperator, domain.RoleMerchantAdmin}, false, "")
	ordersReaders = authDirective(nil, true, "orders:read")
	settleReaders = authDirective(nil, true, "settlements:read")
	pspStaff      = authDirective([]domain.Role{domain.RolePSPAdmin, domain.RolePSPOperator}, false, "")
)
