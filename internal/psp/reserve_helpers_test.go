package psp

import (
	"context"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// The tests reserve an operation without making its provider calls (to stage a
// crash between the two steps); these name the one reservation by kind.

func (s *Operations) reserveFulfilment(ctx context.Context, tx *db.Tx, action, orderID string, plan planFunc) (*operation, error) {
	return s.reserve(ctx, tx, opFulfilment, action, orderID, "", plan)
}

func (s *Operations) reserveRefund(ctx context.Context, tx *db.Tx, action, orderID, reason string, plan planFunc) (*operation, error) {
	return s.reserve(ctx, tx, opRefund, action, orderID, reason, plan)
}
