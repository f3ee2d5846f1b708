package providers

import (
	"context"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Registry hands out the client for one PSP's account at one provider. Domain code
// asks it for a Provider and never builds clients itself; in sandbox mode the clients
// it returns talk HTTP to the sandboxes this server mounts under /sandbox/<provider>/.
type Registry interface {
	For(ctx context.Context, pspID string, p domain.Provider) (Provider, error)
}

// RegistryFunc adapts a function to Registry.
type RegistryFunc func(ctx context.Context, pspID string, p domain.Provider) (Provider, error)

func (f RegistryFunc) For(ctx context.Context, pspID string, p domain.Provider) (Provider, error) {
	return f(ctx, pspID, p)
}

// NameOf is the provider package name of an API provider value.
func NameOf(p domain.Provider) Name { return Name(p.Slug()) }
