// Package ids makes the opaque, type-prefixed identifiers every object carries
// ("ord_01JD…", "mer_01JD…"): a readable prefix for support staff and for Relay's
// node(id:), and a ULID so ids sort by creation time and never collide across instances.
package ids

import (
	"time"

	"github.com/oklog/ulid/v2"
)

// New makes a fresh id with the given prefix.
func New(prefix string) string { return prefix + "_" + ulid.Make().String() }

// At makes an id with the given prefix whose time part is t, for rows that record
// something which happened earlier (bulk data sets, imports), so ids still sort by
// creation time like the rows' created_at.
func At(prefix string, t time.Time) string {
	return prefix + "_" + ulid.MustNew(ulid.Timestamp(t), ulid.DefaultEntropy()).String()
}

// Generator returns a function making ids with a prefix, for ent's DefaultFunc.
func Generator(prefix string) func() string { return func() string { return New(prefix) } }
