package app

import (
	"context"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/seed"
)

// Bootstrap prepares an empty database on start: with BACKOFFICE_DEMO=1 it loads the
// demo data set; otherwise, with BACKOFFICE_ADMIN_EMAIL and _PASSWORD, it creates the
// first PSP and its PSP_ADMIN. A database that has a PSP is left alone.
func (a *App) Bootstrap(ctx context.Context) error {
	if err := a.bootstrapData(ctx); err != nil {
		return err
	}
	return a.EnsureSandboxAccounts(ctx)
}

// EnsureSandboxAccounts gives every PSP its sandbox accounts (sandbox mode only).
func (a *App) EnsureSandboxAccounts(ctx context.Context) error {
	if a.Sandboxes == nil {
		return nil
	}
	ids, err := a.DB.Ent.PSP.Query().IDs(auth.System(ctx))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := a.Registry.EnsureSandbox(ctx, id, a.Sandboxes); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) bootstrapData(ctx context.Context) error {
	empty, err := seed.IsEmpty(ctx, a.DB.Ent)
	if err != nil || !empty {
		return err
	}
	if a.Config.Demo {
		return a.SeedDemo(ctx)
	}
	if a.Config.AdminEmail == "" || a.Config.AdminPassword == "" {
		a.Logger.Warn("empty database and no BACKOFFICE_ADMIN_EMAIL/BACKOFFICE_ADMIN_PASSWORD: nobody can log in yet")
		return nil
	}
	hash, err := auth.HashPassword(a.Config.AdminPassword)
	if err != nil {
		return fmt.Errorf("BACKOFFICE_ADMIN_PASSWORD: %w", err)
	}
	sys := auth.System(ctx)
	psp, err := a.DB.Ent.PSP.Create().SetName("PSP").Save(sys)
	if err != nil {
		return err
	}
	_, err = a.DB.Ent.User.Create().SetPspID(psp.ID).SetEmail(a.Config.AdminEmail).
		SetRole(domain.RolePSPAdmin).SetPasswordHash(hash).Save(sys)
	if err == nil {
		a.Logger.Info("created the first PSP admin", "email", a.Config.AdminEmail)
	}
	return err
}

// SeedDemo loads the demo data set into an empty database.
func (a *App) SeedDemo(ctx context.Context) error {
	empty, err := seed.IsEmpty(ctx, a.DB.Ent)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("the database is not empty: the demo data set loads only into an empty one")
	}
	start := time.Now()
	if _, err := seed.LoadDemo(ctx, a.DB.Ent, start); err != nil {
		return err
	}
	// Written past the operations: the unsettled totals follow (docs/settlement.md).
	if err := a.Settlements.RebuildUnsettled(ctx); err != nil {
		return err
	}
	if err := a.settleDemo(ctx, start); err != nil {
		return err
	}
	if err := a.EnsureSandboxAccounts(ctx); err != nil {
		return err
	}
	a.liveDemo = true
	a.Logger.Info("demo data loaded", "took", time.Since(start).String())
	return nil
}
