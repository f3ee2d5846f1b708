package main

import (
	"context"
	"errors"

	"github.com/pspbackoffice/backoffice/internal/config"
)

func bench(ctx context.Context, cfg config.Config, args []string) error { return errors.New("todo") }
