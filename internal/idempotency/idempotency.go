// Package idempotency makes a money-moving request safe to repeat: the first
// response to an idempotency key is stored per principal and replayed for 24 hours;
// the same key with another input is refused with IDEMPOTENCY_KEY_REUSED (docs/api.md "Idempotency").
//
// Use Run around the transaction that decides the request:
//
//	res, replayed, err := idempotency.Run(ctx, d, idempotency.Request{
//		Operation: "fulfilOrder", Key: in.IdempotencyKey, Input: in.WithoutKey(),
//	}, func(ctx context.Context, tx *db.Tx) (Result, error) { … })
//
// The decision a reader would otherwise rediscover: the key is claimed inside the
// request's own transaction, as its first write, and the response is stored in that
// same transaction. The record therefore exists exactly when the request's change
// does — a crash can leave neither a half-done request behind a key nor a key
// without its answer — and two concurrent requests with one key never both run:
// the unique (principal, key) index makes the second one wait until the first
// commits (PostgreSQL blocks the conflicting insert; SQLite's transactions are
// serialised anyway), after which it replays the first one's response. Nobody
// answers "in progress".
//
// So store what identifies the outcome (ids), not a rendering of it: work done after
// the commit (a provider call) is not part of the stored response, and a replay
// re-reads the objects and shows their current state. A refusal is a response too:
// it is stored (outside the rolled-back transaction) and replayed. Other errors are
// not stored, so a retry runs again.
package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/idempotencyrecord"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TTL is how long a response is kept and replayed (docs/api.md "Idempotency").
const TTL = 24 * time.Hour

// MaxKeyLength is the longest idempotency key accepted.
const MaxKeyLength = 255

// ErrNoPrincipal: a keyed request came without anyone acting; keys are per principal.
var ErrNoPrincipal = errors.New("idempotency: no principal in the context")

// Request identifies one request.
type Request struct {
	// Operation names the mutation ("fulfilOrder"); a key reused for another
	// operation is refused like one reused with another input.
	Operation string
	// Key is the client's idempotencyKey; empty runs the request without idempotency.
	Key string
	// Input is the request without its key, hashed as JSON: give a struct (its
	// fields marshal in declaration order) or maps (keys marshal sorted).
	Input any
}

// stored is what a record's response column holds.
type stored struct {
	Result   json.RawMessage  `json:"result,omitempty"`
	Problems []domain.Problem `json:"problems,omitempty"`
}

// now is the clock; tests move it.
var now = time.Now

// Run runs fn in one transaction of d, once per principal and key. It answers fn's
// result, or — for a key seen before with the same input — the stored result (or
// stored refusal) with replayed true. A key seen with another input, or for
// another operation, is an IDEMPOTENCY_KEY_REUSED refusal.
func Run[R any](ctx context.Context, d *db.DB, req Request, fn func(ctx context.Context, tx *db.Tx) (R, error)) (result R, replayed bool, err error) {
	if req.Key == "" {
		err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			result, err = fn(ctx, tx)
			return err
		})
		return result, false, err
	}
	if len(req.Key) > MaxKeyLength {
		return result, false, domain.Refuse(domain.CodeValidation, domain.Field("idempotencyKey"),
			fmt.Sprintf("idempotencyKey is longer than %d characters", MaxKeyLength))
	}
	principal, err := principalOf(ctx)
	if err != nil {
		return result, false, err
	}
	hash, err := hashOf(req)
	if err != nil {
		return result, false, err
	}
	var refused *domain.Refusal
	err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		prior, err := claim(ctx, tx.Ent, principal, req, hash)
		if err != nil {
			return err
		}
		if prior != nil {
			replayed = true
			return replay(prior, &result)
		}
		if result, err = fn(ctx, tx); err != nil {
			refused, _ = domain.AsRefusal(err)
			return err
		}
		return complete(ctx, tx.Ent, principal, req.Key, stored{Result: mustJSON(result)})
	})
	if refused != nil {
		// The request's transaction rolled back with its claim; the refusal is its
		// response, stored on its own. Should another request have claimed the key
		// meanwhile, that one's answer stands and this refusal changed nothing.
		if serr := storeRefusal(ctx, d, principal, req, hash, refused); serr != nil {
			return result, false, errors.Join(err, serr)
		}
	}
	return result, replayed, err
}

// principalOf names who is acting: keys of different principals never meet.
func principalOf(ctx context.Context) (string, error) {
	p := auth.From(ctx)
	if p == nil {
		return "", ErrNoPrincipal
	}
	return p.Key(), nil
}

// hashOf is the SHA-256 of the operation and the input as JSON.
func hashOf(req Request) ([]byte, error) {
	in, err := json.Marshal(req.Input)
	if err != nil {
		return nil, fmt.Errorf("idempotency: hash the input of %s: %w", req.Operation, err)
	}
	h := sha256.New()
	h.Write([]byte(req.Operation))
	h.Write([]byte{0})
	h.Write(in)
	return h.Sum(nil), nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("idempotency: a result must marshal to JSON: %v", err))
	}
	return b
}

// claim inserts the record for (principal, key), or answers the one already there.
// On PostgreSQL the insert waits while another transaction holds an uncommitted
// record with the same key, and then does nothing if that one committed.
func claim(ctx context.Context, c *ent.Client, principal string, req Request, hash []byte) (*ent.IdempotencyRecord, error) {
	t := now()
	for range 2 {
		err := c.IdempotencyRecord.Create().SetPrincipal(principal).SetKey(req.Key).SetOperation(req.Operation).
			SetRequestHash(hash).SetExpiresAt(t.Add(TTL)).
			OnConflictColumns(idempotencyrecord.FieldPrincipal, idempotencyrecord.FieldKey).DoNothing().Exec(ctx)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("idempotency: claim key: %w", err)
		}
		prior, err := c.IdempotencyRecord.Query().
			Where(idempotencyrecord.Principal(principal), idempotencyrecord.Key(req.Key)).Only(ctx)
		if err != nil {
			return nil, fmt.Errorf("idempotency: read key: %w", err)
		}
		if prior.ExpiresAt.After(t) {
			return prior, checkSame(prior, req, hash)
		}
		// Expired and not yet purged: the key is free again.
		if err := c.IdempotencyRecord.DeleteOne(prior).Exec(ctx); err != nil {
			return nil, fmt.Errorf("idempotency: drop expired key: %w", err)
		}
	}
	return nil, fmt.Errorf("idempotency: key %q could not be claimed", req.Key)
}

// checkSame refuses a key used before for another operation or input.
func checkSame(prior *ent.IdempotencyRecord, req Request, hash []byte) error {
	if prior.Operation != req.Operation || string(prior.RequestHash) != string(hash) {
		what := "another input"
		if prior.Operation != req.Operation {
			what = "another operation (" + prior.Operation + ")"
		}
		return domain.Refuse(domain.CodeIdempotencyKeyReused, domain.Field("idempotencyKey"),
			"this idempotencyKey was used with "+what+"; send a new key for a new request")
	}
	if !prior.Completed {
		return domain.Refuse(domain.CodeConflict, domain.Field("idempotencyKey"),
			"a request with this idempotencyKey is still in progress; try again shortly")
	}
	return nil
}

// replay decodes a stored response into the result, or answers the stored refusal.
func replay[R any](prior *ent.IdempotencyRecord, result *R) error {
	var s stored
	if err := json.Unmarshal(prior.Response, &s); err != nil {
		return fmt.Errorf("idempotency: stored response of %s: %w", prior.Operation, err)
	}
	if len(s.Problems) > 0 {
		return &domain.Refusal{Problems: s.Problems}
	}
	if err := json.Unmarshal(s.Result, result); err != nil {
		return fmt.Errorf("idempotency: stored result of %s: %w", prior.Operation, err)
	}
	return nil
}

// complete stores the response with the claim.
func complete(ctx context.Context, c *ent.Client, principal, key string, s stored) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.IdempotencyRecord.Update().
		Where(idempotencyrecord.Principal(principal), idempotencyrecord.Key(key)).
		SetResponse(b).SetCompleted(true).Exec(ctx)
}

// storeRefusal stores a refusal as the key's response, unless the key is taken.
func storeRefusal(ctx context.Context, d *db.DB, principal string, req Request, hash []byte, r *domain.Refusal) error {
	return d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		prior, err := claim(ctx, tx.Ent, principal, req, hash)
		if prior != nil || err != nil {
			if _, ok := domain.AsRefusal(err); ok {
				return nil // another request took the key meanwhile: its answer stands
			}
			return err
		}
		return complete(ctx, tx.Ent, principal, req.Key, stored{Problems: r.Problems})
	})
}
