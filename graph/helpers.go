package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// MaxPageSize is the most objects one connection page returns: first and last above
// it are refused for every connection, root or nested, before execution (limits.go).
const MaxPageSize = 100

// nodeType resolves an object's table from its id prefix, for node(id:).
func nodeType(_ context.Context, id string) (string, error) { return ent.TableOfID(id) }

// optionalMoney is moneyOf for nullable columns.
func optionalMoney(minor *int64, currency string) *money.Money {
	if minor == nil {
		return nil
	}
	return moneyOf(*minor, currency)
}

// percentOfBps writes basis points as a percentage: 1900 → "19", 750 → "7.5".
func percentOfBps(bps int64) string {
	s := fmt.Sprintf("%d.%02d", bps/100, bps%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// viewerOf describes the principal of the request.
func viewerOf(ctx context.Context) (*model.Viewer, error) {
	p := auth.From(ctx)
	if p == nil || p.IsSystem() {
		return nil, errUnauthenticated
	}
	v := &model.Viewer{ID: p.ID, Kind: string(p.Kind)}
	if p.Kind == auth.KindUser {
		role := p.Role
		v.Role = &role
		v.Email = &p.Label
	} else {
		v.Name = &p.Label
	}
	if p.MerchantID != "" {
		v.MerchantID = &p.MerchantID
	}
	if p.CompanyID != "" {
		v.CompanyID = &p.CompanyID
	}
	if p.ShopID != "" {
		v.ShopID = &p.ShopID
	}
	return v, nil
}

var errUnauthenticated = &gqlerror.Error{
	Message:    "authentication required: send a login token or an API key as Authorization: Bearer",
	Extensions: map[string]any{"code": "UNAUTHENTICATED"},
}

// userErrorsOf turns a domain refusal into the payload's userErrors; any other
// error is returned as is, to become a top-level error through the presenter.
func userErrorsOf(err error) ([]*model.UserError, error) {
	if err == nil {
		return []*model.UserError{}, nil
	}
	r, ok := domain.AsRefusal(err)
	if !ok {
		return nil, err
	}
	out := make([]*model.UserError, len(r.Problems))
	for i, p := range r.Problems {
		out[i] = &model.UserError{Code: model.ErrorCode(p.Code), Field: p.Field, Message: p.Message}
	}
	return out, nil
}

// deref reads an optional string input, "" when absent.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mapInputs converts a list of GraphQL input objects into the domain's values, one
// for one and in order (an empty list stays an empty, non-nil list).
func mapInputs[In, Out any](in []*In, conv func(*In) Out) []Out {
	out := make([]Out, len(in))
	for i, v := range in {
		out[i] = conv(v)
	}
	return out
}
