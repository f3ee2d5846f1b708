package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/sandboxrecord"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// SandboxStore keeps the sandboxes' state in our database (sandbox_records), so the
// simulated payments of `make run` survive a restart. With a Box every value is
// sealed like provider_accounts' credentials: a sandbox's state is its provider's
// side and may name accounts, so it is never readable from the table. Keys hold
// account ids, never credentials (sandboxkit.Config.AccountID).
type SandboxStore struct {
	Client *ent.Client
	Box    *secrets.Box // nil stores plain JSON (tests of the store alone)
}

const namespace = "sandbox"

// The sandboxes build composite ids with a NUL separator, which PostgreSQL text
// cannot hold; the store keeps it as the unit separator (0x1F) instead.
var (
	toColumn   = strings.NewReplacer("\x00", "\x1f")
	fromColumn = strings.NewReplacer("\x1f", "\x00")
)

// Get implements sandboxkit.Store.
func (s SandboxStore) Get(ctx context.Context, kind, id string, v any) (bool, error) {
	rec, err := s.Client.SandboxRecord.Query().Where(
		sandboxrecord.Namespace(namespace), sandboxrecord.Kind(kind), sandboxrecord.Key(toColumn.Replace(id)),
	).Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	raw := rec.Value
	if s.Box != nil {
		opened, err := s.Box.Open(raw)
		switch {
		case err == nil:
			raw = opened
		case !json.Valid(raw):
			return true, fmt.Errorf("sandbox store: open %s/%s: %w", kind, id, err)
		}
		// A plain JSON value was written before values were sealed; the next Put seals it.
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("sandbox store: decode %s/%s: %w", kind, id, err)
	}
	return true, nil
}

// Put implements sandboxkit.Store.
func (s SandboxStore) Put(ctx context.Context, kind, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if s.Box != nil {
		if b, err = s.Box.Seal(b); err != nil {
			return err
		}
	}
	return s.Client.SandboxRecord.Create().SetNamespace(namespace).SetKind(kind).SetKey(toColumn.Replace(id)).SetValue(b).
		OnConflictColumns(sandboxrecord.FieldNamespace, sandboxrecord.FieldKind, sandboxrecord.FieldKey).
		UpdateValue().UpdateUpdatedAt().Exec(auth.System(ctx))
}

// List implements sandboxkit.Store.
func (s SandboxStore) List(ctx context.Context, kind string) ([]string, error) {
	keys, err := s.Client.SandboxRecord.Query().Where(sandboxrecord.Namespace(namespace), sandboxrecord.Kind(kind)).
		Order(ent.Asc(sandboxrecord.FieldKey)).Select(sandboxrecord.FieldKey).Strings(auth.System(ctx))
	for i, k := range keys {
		keys[i] = fromColumn.Replace(k)
	}
	return keys, err
}

var _ sandboxkit.Store = SandboxStore{}
