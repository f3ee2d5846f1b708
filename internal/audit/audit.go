// Package audit writes the trail of who changed what: one AuditEvent per
// state-changing mutation, with the actor (user or API key), the mutation's name, the
// ids of the objects it answered and its input with secrets removed.
//
// There is one way to write an event: WriteTx. It maps the principal to the actor
// (ActorType, the only place that does), settles the event's tenant and tells the
// GraphQL edge that the mutation's event exists (MarkWritten), so a mutation leaves
// exactly one event.
//
//   - A service whose change deserves its own account of what it decided (orders,
//     fulfilments, refunds, settlement runs and payments) calls WriteTx inside the
//     mutation's own transaction: the event exists if and only if the change does.
//   - Every other mutation is recorded by the GraphQL edge (graph/audit.go) through
//     Recorder.Record, which calls WriteTx after the mutation succeeded and only when
//     the service wrote none — so a mutation added tomorrow is audited without its
//     author doing anything. Written after the change, such an event can (rarely) be
//     missing when the write fails; that failure is logged, never shown to the client
//     whose change already happened.
//
// Refusals (userErrors) and errors changed nothing and are not recorded.
// internal/app/isolation's TestEveryMutationIsAuditedOnce holds every mutation to one
// event.
package audit

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/internal/auth"
)

type writtenKey struct{}

// ExpectOne starts one mutation's audit at the edge (graph/audit.go): WriteTx then
// marks the mutation's event as written.
func ExpectOne(ctx context.Context) context.Context {
	return context.WithValue(ctx, writtenKey{}, new(atomic.Bool))
}

// MarkWritten tells the edge that the mutation's event exists. WriteTx calls it.
func MarkWritten(ctx context.Context) {
	if w, ok := ctx.Value(writtenKey{}).(*atomic.Bool); ok {
		w.Store(true)
	}
}

// Written answers whether the mutation's event was already written.
func Written(ctx context.Context) bool {
	w, ok := ctx.Value(writtenKey{}).(*atomic.Bool)
	return ok && w.Load()
}

// ActorType is the audit trail's name for the kind of principal.
func ActorType(p *auth.Principal) auditevent.ActorType {
	switch p.Kind {
	case auth.KindAPIKey:
		return auditevent.ActorTypeAPI_KEY
	case auth.KindSystem:
		return auditevent.ActorTypeSYSTEM
	}
	return auditevent.ActorTypeUSER
}

// Event is one change to record.
type Event struct {
	Action string         // the mutation's name, e.g. "createApiKey"
	Input  map[string]any // as sent or as decided; WriteTx redacts it
	// Result is the payload: the ids of the ent objects in it are recorded, and their
	// tenant completes the principal's. Ignored when ObjectIDs is set.
	Result any
	// ObjectIDs are the objects the change concerns, when the service names them.
	ObjectIDs []string
	// PSPID and MerchantID are the event's tenant, when the service knows it; empty,
	// they come from the principal and the Result's objects.
	PSPID, MerchantID string
	// At is when it happened; zero is now.
	At time.Time
}

// WriteTx writes the event of the mutation in ctx as its principal did it, with c —
// a service passes its transaction's client, so the event commits with the change —
// and marks it written so the GraphQL edge writes no second one. Without a
// principal nothing is recorded. The tenant of the event is the principal's (PSP,
// and merchant for merchant users and keys); for PSP staff, the merchant of the first
// object in the result, so that merchant's admins see what the PSP did to them.
func WriteTx(ctx context.Context, c *ent.Client, e Event) error {
	p := auth.From(ctx)
	if p == nil {
		return nil
	}
	ids := e.ObjectIDs
	pspID, merchantID := e.PSPID, e.MerchantID
	if pspID == "" {
		pspID, merchantID = p.PSPID, p.MerchantID
		objs := Objects(e.Result)
		for _, o := range objs {
			if pspID == "" {
				pspID = o.PSPID
			}
			if merchantID == "" && o.MerchantID != "" && (o.PSPID == "" || o.PSPID == pspID) {
				merchantID = o.MerchantID
			}
		}
		if ids == nil {
			ids = make([]string, 0, len(objs))
			for _, o := range objs {
				ids = append(ids, o.ID)
			}
		}
	}
	if pspID == "" {
		return errNoPSP
	}
	create := c.AuditEvent.Create().SetPspID(pspID).SetActorType(ActorType(p)).SetActorID(p.ID).
		SetActorLabel(p.Label).SetAction(e.Action).SetObjectIds(ids)
	if !e.At.IsZero() {
		create.SetCreatedAt(e.At)
	}
	if in, ok := Redact(e.Input).(map[string]any); ok && in != nil {
		create.SetInput(in)
	}
	if merchantID != "" {
		create.SetMerchantID(merchantID)
	}
	// The trail is written by the product itself: as the system, with the tenant
	// settled above.
	if err := create.Exec(auth.System(ctx)); err != nil {
		return err
	}
	MarkWritten(ctx)
	return nil
}

// errNoPSP: an event needs a tenant, and neither the principal nor the result gave one.
var errNoPSP = errors.New("audit: event without a PSP")

// Recorder writes the events of the mutations whose services write none (the GraphQL
// edge), after the mutation.
type Recorder struct {
	Client *ent.Client
	Logger *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Record writes the event with WriteTx outside any transaction, whether or not the
// client still waits, and logs a failure: the change already happened.
func (r *Recorder) Record(ctx context.Context, e Event) {
	p := auth.From(ctx)
	if p == nil {
		return
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	e.At = now()
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	switch err := WriteTx(context.WithoutCancel(ctx), r.Client, e); {
	case errors.Is(err, errNoPSP):
		log.WarnContext(ctx, "audit event without a PSP not recorded", "action", e.Action, "actor", p.ID)
	case err != nil:
		log.ErrorContext(ctx, "writing the audit trail failed", "action", e.Action, "actor", p.ID, "err", err)
	}
}

// Redacted replaces a secret in an audit input.
const Redacted = "[REDACTED]"

// Redact copies an input with secrets removed: a field named like a password, token,
// secret, credential or key (except idempotencyKey), and a one-time code (code, otp:
// a TOTP or recovery code of the MFA mutations), is replaced; an IBAN keeps its
// country, check digits and last four characters.
func Redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			switch name := strings.ToLower(k); {
			case name == "idempotencykey":
				out[k] = val
			case strings.Contains(name, "password"), strings.Contains(name, "token"),
				strings.Contains(name, "secret"), strings.Contains(name, "credential"),
				strings.HasSuffix(name, "key"), name == "code", name == "otp":
				out[k] = Redacted
			case strings.Contains(name, "iban"):
				out[k] = maskIBAN(val)
			default:
				out[k] = Redact(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = Redact(val)
		}
		return out
	}
	return v
}

// maskIBAN keeps what identifies an account to its owner ("DE89…3000") and hides the rest.
func maskIBAN(v any) any {
	s, ok := v.(string)
	if !ok {
		return Redacted
	}
	s = strings.ReplaceAll(s, " ", "")
	if len(s) <= 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// Object is an ent object found in a result, with its tenant ids where it has them.
type Object struct{ ID, PSPID, MerchantID string }

var noderType = reflect.TypeOf((*ent.Noder)(nil)).Elem()

// Objects finds the ent objects in a mutation's payload (top-level fields, slices and
// nested payload structs; not the objects' own edges).
func Objects(result any) []Object {
	var out []Object
	seen := map[string]bool{}
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 4 || !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return
			}
			if v.Type().Implements(noderType) && v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
				o := Object{ID: stringField(v.Elem(), "ID"), PSPID: stringField(v.Elem(), "PspID"),
					MerchantID: stringField(v.Elem(), "MerchantID")}
				if _, isMerchant := v.Interface().(*ent.Merchant); isMerchant {
					o.MerchantID = o.ID
				}
				if o.ID != "" && !seen[o.ID] {
					seen[o.ID] = true
					out = append(out, o)
				}
				return
			}
			walk(v.Elem(), depth)
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), depth+1)
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), depth+1)
			}
		}
	}
	walk(reflect.ValueOf(result), 0)
	return out
}

func stringField(v reflect.Value, name string) string {
	f := v.FieldByName(name)
	if !f.IsValid() {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}
