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
)

// SandboxStore keeps the sandboxes' state in our database (sandbox_records), so the
// simulated payments of `make run` survive a restart.
type SandboxStore struct{ Client *ent.Client }

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
	if err := json.Unmarshal(rec.Value, v); err != nil {
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
