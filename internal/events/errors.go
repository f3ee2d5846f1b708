package events

import "github.com/pspbackoffice/backoffice/internal/domain"

// The named refusals of events and webhook endpoints, each bound to its API code.
var (
	// ErrInvalidEndpoint: a webhook endpoint's URL or event types are malformed or out
	// of bounds (docs/events.md); the problem names its field.
	ErrInvalidEndpoint = domain.NewNamed(domain.CodeValidation, "events: invalid webhook endpoint")
	// ErrEndpointNotFound: no webhook endpoint with that id that the principal may see.
	ErrEndpointNotFound = domain.NewNamed(domain.CodeNotFound, "events: webhook endpoint not found")
	// ErrCompanyNotFound: the endpoint names a company the principal may not see.
	ErrCompanyNotFound = domain.NewNamed(domain.CodeNotFound, "events: company not found")
	// ErrEventNotFound: no event with that id that the principal may see.
	ErrEventNotFound = domain.NewNamed(domain.CodeNotFound, "events: event not found")
	// ErrTooManyEndpoints: a company has MaxEndpointsPerCompany endpoints already.
	ErrTooManyEndpoints = domain.NewNamed(domain.CodeValidation, "events: too many webhook endpoints")
)
