// Package audit writes the trail of who changed what: one AuditEvent per
// state-changing mutation, with the actor (user or API key), the mutation's name, the
// ids of the objects it answered and its input with secrets removed.
//
// The decision a reader would otherwise rediscover: the trail is written once, at the
// GraphQL edge, for every mutation (graph/audit.go), after the mutation succeeded —
// not by each domain service — so a mutation added tomorrow is audited without its
// author doing anything. It is written after the mutation's own transaction, so an
// event can (rarely) be missing when the write fails; a failure is logged, never
// shown to the client whose change already happened. Refusals (userErrors) and errors
// changed nothing and are not recorded. The exception: a service that moves money
// (fulfilments and refunds, internal/psp) writes its event inside its own transaction,
// with what it decided, and says so with MarkWritten; the edge then writes none, so
// each change is in the trail once.
package audit

import (
	"context"
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

// ExpectOne starts one mutation's audit at the edge (graph/audit.go): a service may
// then say it wrote the event itself (MarkWritten).
func ExpectOne(ctx context.Context) context.Context {
	return context.WithValue(ctx, writtenKey{}, new(atomic.Bool))
}

// MarkWritten tells the edge that the mutation's event was written by the service,
// in the transaction that made the change.
func MarkWritten(ctx context.Context) {
	if w, ok := ctx.Value(writtenKey{}).(*atomic.Bool); ok {
		w.Store(true)
	}
}

// Written answers whether the service already wrote the mutation's event.
func Written(ctx context.Context) bool {
	w, ok := ctx.Value(writtenKey{}).(*atomic.Bool)
	return ok && w.Load()
}

// Recorder writes audit events.
type Recorder struct {
	Client *ent.Client
	Logger *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Event is one change to record.
type Event struct {
	Action string         // the mutation's name, e.g. "createApiKey"
	Input  map[string]any // as sent; Record redacts it
	Result any            // the payload: the ids of the ent objects in it are recorded
}

// Record writes the event for the principal of ctx. The tenant of the event is the
// principal's (PSP, and merchant for merchant users and keys); for PSP staff, the
// merchant of the first object in the result, so that merchant's admins see what
// the PSP did to them.
func (r *Recorder) Record(ctx context.Context, e Event) {
	p := auth.From(ctx)
	if p == nil {
		return
	}
	objs := Objects(e.Result)
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	pspID, merchantID := p.PSPID, p.MerchantID
	for _, o := range objs {
		if pspID == "" {
			pspID = o.PSPID
		}
		if merchantID == "" && o.MerchantID != "" && (o.PSPID == "" || o.PSPID == pspID) {
			merchantID = o.MerchantID
		}
	}
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	if pspID == "" {
		log.WarnContext(ctx, "audit event without a PSP not recorded", "action", e.Action, "actor", p.ID)
		return
	}
	actor := auditevent.ActorTypeUSER
	switch p.Kind {
	case auth.KindAPIKey:
		actor = auditevent.ActorTypeAPI_KEY
	case auth.KindSystem:
		actor = auditevent.ActorTypeSYSTEM
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	create := r.Client.AuditEvent.Create().SetPspID(pspID).SetActorType(actor).SetActorID(p.ID).
		SetActorLabel(p.Label).SetAction(e.Action).SetObjectIds(ids).SetCreatedAt(now())
	if in, ok := Redact(e.Input).(map[string]any); ok {
		create.SetInput(in)
	}
	if merchantID != "" {
		create.SetMerchantID(merchantID)
	}
	// The trail is written by the product itself, after the principal's change: as
	// the system, with the principal's tenant, and whether or not the client waits.
	sys := auth.System(context.WithoutCancel(ctx))
	if err := create.Exec(sys); err != nil {
		log.ErrorContext(ctx, "writing the audit trail failed", "action", e.Action, "actor", p.ID, "err", err)
	}
}

// Redacted replaces a secret in an audit input.
const Redacted = "[REDACTED]"

// Redact copies an input with secrets removed: a field named like a password, token,
// secret, credential or key (except idempotencyKey) is replaced; an IBAN keeps its
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
				strings.HasSuffix(name, "key"):
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
