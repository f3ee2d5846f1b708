package sandboxkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ErrBodyTooLarge: a request body exceeded the sandbox's limit.
var ErrBodyTooLarge = errors.New("sandbox: request body too large")

// WriteJSON answers v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ReadBody reads at most limit bytes of the request body; more is ErrBodyTooLarge.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// ReadJSON decodes a JSON request body of at most limit bytes into v. Unknown fields
// are accepted, as real provider APIs do.
func ReadJSON(r *http.Request, limit int64, v any) error {
	b, err := ReadBody(r, limit)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// Detach is the request with a context the caller's hang-up does not cancel: a
// sandbox that began an operation writes all of it (state, idempotency record), as a
// provider's database commits whether or not the client still listens. Without it a
// client timing out between the two writes left an applied refund whose key was
// never recorded, and the retry applied it again.
func Detach(r *http.Request) *http.Request {
	return r.WithContext(context.WithoutCancel(r.Context()))
}

// StripBasePath lets the server mount a sandbox either with or without
// http.StripPrefix: when the request path starts with the path of baseURL (e.g.
// /sandbox/paywerk), that prefix is removed before h sees the request.
func StripBasePath(baseURL string, h http.Handler) http.Handler {
	u, err := url.Parse(baseURL)
	prefix := ""
	if err == nil {
		prefix = strings.TrimRight(u.Path, "/")
	}
	if prefix == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := strings.CutPrefix(r.URL.Path, prefix); ok && (p == "" || p[0] == '/') {
			r2 := r.Clone(r.Context())
			if p == "" {
				p = "/"
			}
			r2.URL.Path = p
			r2.URL.RawPath = ""
			h.ServeHTTP(w, r2)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// JoinURL joins a base URL and a path without doubling slashes.
func JoinURL(base, path string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

// ControlPrefix is where every sandbox serves its test controls.
const ControlPrefix = "/_sandbox/"

// ControlScope tells whether a control request may see and change what belongs to an
// account id. The server puts one on every control request it lets through (the
// caller's own PSP's accounts); a sandbox served alone, in tests, has none and
// allows every account.
type ControlScope func(accountID string) bool

type scopeKey struct{}

// WithControlScope limits the control requests of ctx to the accounts s allows.
func WithControlScope(ctx context.Context, s ControlScope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

func scopeOf(r *http.Request) ControlScope {
	if s, ok := r.Context().Value(scopeKey{}).(ControlScope); ok && s != nil {
		return s
	}
	return func(string) bool { return true }
}

// MountControls registers the control endpoints on a sandbox's mux:
// <sandbox>/_sandbox/faults (see Faults.ServeHTTP) and, with a notifier,
// GET <sandbox>/_sandbox/notifications (the delivery attempts of the accounts in
// scope, newest last; each names its account by id, never by credential).
func MountControls(mux *http.ServeMux, f *Faults, n *Notifier) {
	if f != nil {
		mux.Handle(ControlPrefix+"faults", f)
	}
	if n != nil {
		mux.HandleFunc("GET "+ControlPrefix+"notifications", func(w http.ResponseWriter, r *http.Request) {
			allowed := scopeOf(r)
			out := []Attempt{}
			for _, a := range n.Attempts() {
				if allowed(a.Account) {
					out = append(out, a)
				}
			}
			WriteJSON(w, http.StatusOK, map[string]any{"attempts": out})
		})
	}
}
