package tenant

import (
	"context"
	"sync"

	"github.com/pspbackoffice/backoffice/internal/auth"
)

// Seen remembers, for one operation, the ids its principal has already been shown to
// reach: rows it read through this policy (an order it locked and the order's items)
// and rows it created through it. A create that names such a parent skips the
// existence query checkReferences would otherwise send; a fulfilment of three items
// sent seven of them (its order, then each line's fulfilment and item).
//
// It is sound because ids are globally unique (ULIDs) and the set is bound to one
// principal: an id enters it only after the policy let that principal see or create
// the row, and the set lives in one operation's context (WithSeen), never longer.
type seen struct {
	principal *auth.Principal
	mu        sync.Mutex
	ids       map[string]struct{}
}

type seenKey struct{}

// WithSeen starts an operation's memo of ids its principal reaches (one per root
// mutation; see graph's rootFields).
func WithSeen(ctx context.Context) context.Context {
	return context.WithValue(ctx, seenKey{}, &seen{principal: auth.From(ctx), ids: map[string]struct{}{}})
}

// MarkSeen records ids the context's principal just read through the policy. It does
// nothing outside WithSeen or for another principal than the memo's.
func MarkSeen(ctx context.Context, ids ...string) {
	s, ok := ctx.Value(seenKey{}).(*seen)
	if !ok || s.principal != auth.From(ctx) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.ids[id] = struct{}{}
	}
}

// wasSeen answers whether the context's principal reached id earlier in this operation.
func wasSeen(ctx context.Context, p *auth.Principal, id string) bool {
	s, ok := ctx.Value(seenKey{}).(*seen)
	if !ok || s.principal != p {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, found := s.ids[id]
	return found
}
