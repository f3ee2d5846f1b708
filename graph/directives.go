package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Auth implements @auth: the schema declares who may run each operation, so no
// resolver has to remember it. Tenant filtering is separate (ent privacy rules).
func Auth(ctx context.Context, _ any, next graphql.Resolver, roles []domain.Role, apiKey *bool, scope *string) (any, error) {
	p := auth.From(ctx)
	if p == nil {
		return nil, errUnauthenticated
	}
	switch p.Kind {
	case auth.KindSystem:
	case auth.KindAPIKey:
		if apiKey == nil || !*apiKey {
			return nil, forbidden("API keys cannot do this; log in as a user")
		}
		if scope != nil && !p.HasScope(*scope) {
			return nil, forbidden("this API key lacks the scope " + *scope)
		}
	case auth.KindUser:
		if p.MFAEnrolmentRequired && !whileEnrolling[graphql.GetFieldContext(ctx).Field.Name] {
			return nil, &gqlerror.Error{Message: "two-factor sign-in is required here: enrol an authenticator app first (Security page)",
				Extensions: map[string]any{"code": "MFA_ENROLMENT_REQUIRED"}}
		}
		if len(roles) > 0 && !slices.Contains(roles, p.Role) {
			return nil, forbidden("your role " + string(p.Role) + " cannot do this")
		}
	}
	return next(ctx)
}

// whileEnrolling are the fields a user may use while their PSP or merchant requires a
// second factor they have not enrolled yet (auth.Principal.MFAEnrolmentRequired).
var whileEnrolling = map[string]bool{
	"viewer": true, "startMfaEnrollment": true, "confirmMfaEnrollment": true, "revokeSession": true,
}

func forbidden(msg string) error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "FORBIDDEN"}}
}
