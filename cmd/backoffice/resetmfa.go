package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/pspbackoffice/backoffice/internal/app"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/config"
)

// resetMFA turns off two-factor sign-in of a user who lost both the authenticator and
// the recovery codes, and ends every session of theirs (README "Two-factor sign-in and sessions").
// The audit trail records it as resetMfa by the operator, under the user's PSP.
func resetMFA(ctx context.Context, cfg config.Config, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("reset-mfa", flag.ContinueOnError)
	email := fs.String("email", "", "the user's email")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("reset-mfa needs --email")
	}
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	op := auth.System(ctx)
	p := *auth.From(op)
	p.Label = "operator (backoffice reset-mfa)"
	u, err := a.Auth.ResetMFA(auth.With(ctx, &p), *email)
	if err != nil {
		return err
	}
	fmt.Printf("two-factor sign-in of %s (%s) is off and every session ended; they sign in with the password and may enrol again\n", u.Email, u.ID)
	return nil
}
