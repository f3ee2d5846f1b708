package app

import (
	"context"
	"time"

	"github.com/pspbackoffice/backoffice/seed"
)

// seedLiveOrders adds the demo's orders that exist at the provider sandboxes
// (seed.LiveOrders). The sandboxes are served by this server, so it runs once the
// server listens, in the background: the demo is usable meanwhile.
func (a *App) seedLiveOrders(ctx context.Context) {
	start := time.Now()
	n, err := seed.LiveOrders(ctx, a.DB.Ent, a.Orders, a.Registry)
	if err != nil {
		a.Logger.Warn("demo orders at the sandboxes: stopped", "created", n, "err", err)
		return
	}
	a.Logger.Info("demo orders at the sandboxes", "created", n, "took", time.Since(start).String())
}
