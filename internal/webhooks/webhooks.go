// Package webhooks receives the providers' notifications at POST /webhooks/{provider}
// (docs/api.md "HTTP routes"): it verifies them, has them stored once, and answers at once. The slow
// work (asking the provider for the status, applying it) is a job the domain queues
// in the same transaction as the stored event (psp.Orders.RecordWebhook).
//
// The decision a reader would otherwise rediscover: the path names the provider but
// not the PSP, so a notification is offered to every PSP account at that provider and
// counts as verified when one of them accepts its signature, key or shape
// (Verifiers). Which order it concerns, and whose credentials fetch the status, is
// decided later from the stored provider reference; the notification itself is never
// trusted for a status.
package webhooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// MaxBody bounds a notification body; the providers' are a few hundred bytes.
const MaxBody = 256 << 10

// Verifiers answers a client for every PSP account at a provider
// (registry.Registry.Verifiers in the server).
type Verifiers interface {
	Verifiers(ctx context.Context, p domain.Provider) ([]providers.Provider, error)
}

// VerifiersFunc adapts a function to Verifiers.
type VerifiersFunc func(ctx context.Context, p domain.Provider) ([]providers.Provider, error)

// Verifiers implements Verifiers.
func (f VerifiersFunc) Verifiers(ctx context.Context, p domain.Provider) ([]providers.Provider, error) {
	return f(ctx, p)
}

// Recorder stores a verified notification once and queues its processing
// (psp.Orders.RecordWebhook).
type Recorder interface {
	RecordWebhook(ctx context.Context, p domain.Provider, ev providers.Event, payload []byte) (duplicate bool, err error)
}

// Handler serves POST /webhooks/{provider}: 404 for an unknown provider, 401 (and
// nothing stored) when no account verifies the notification, 400 for a verified but
// unreadable one, 200 once stored (or already stored: a duplicate changes nothing),
// 500 when it could not be stored, so the provider delivers it again.
func Handler(v Verifiers, rec Recorder, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		slug := strings.Trim(strings.TrimPrefix(r.URL.Path, "/webhooks"), "/")
		p, ok := domain.ProviderFromSlug(slug)
		if !ok {
			http.Error(w, "no such provider", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		if len(body) > MaxBody {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		ctx := r.Context()
		ev, err := verify(ctx, v, p, r.Header, body)
		switch {
		case errors.Is(err, providers.ErrUnauthenticated):
			log.WarnContext(ctx, "webhook refused", "provider", slug, "err", err)
			http.Error(w, "not verified", http.StatusUnauthorized)
			return
		case errors.Is(err, providers.ErrValidation):
			log.WarnContext(ctx, "webhook unreadable", "provider", slug, "err", err)
			http.Error(w, "unreadable notification", http.StatusBadRequest)
			return
		case err != nil:
			log.ErrorContext(ctx, "webhook verification failed", "provider", slug, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if ev.ID == "" {
			sum := sha256.Sum256(body) // a provider without event ids: the same body is the same event
			ev.ID = "sha256:" + hex.EncodeToString(sum[:])
		}
		dup, err := rec.RecordWebhook(ctx, p, ev, body)
		if errors.Is(err, providers.ErrUnknownPayment) {
			// Acknowledged, so a provider does not retry it, and nothing kept.
			log.InfoContext(ctx, "webhook ignored: unknown payment", "provider", slug, "event", ev.ID)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"received":true}`+"\n")
			return
		}
		if err != nil {
			log.ErrorContext(ctx, "webhook not stored", "provider", slug, "event", ev.ID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		log.InfoContext(ctx, "webhook", "provider", slug, "event", ev.ID, "kind", ev.Kind, "duplicate", dup)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"received":true}`+"\n")
	})
}

// verify offers the notification to every account at the provider; the first that
// accepts it wins. A refusal other than "not ours" (a verified but malformed body)
// is answered if no account accepts it.
func verify(ctx context.Context, v Verifiers, p domain.Provider, h http.Header, body []byte) (providers.Event, error) {
	clients, err := v.Verifiers(ctx, p)
	if err != nil {
		return providers.Event{}, err
	}
	refusal := error(&providers.Error{Class: providers.ErrUnauthenticated, Provider: providers.NameOf(p), Message: "no account at this provider"})
	for _, c := range clients {
		ev, err := c.ParseWebhook(h, body)
		if err == nil {
			return ev, nil
		}
		if !errors.Is(err, providers.ErrUnauthenticated) || errors.Is(refusal, providers.ErrUnauthenticated) {
			refusal = err
		}
	}
	return providers.Event{}, refusal
}
