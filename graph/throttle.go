package graph

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pspbackoffice/backoffice/internal/auth"
	ratelimits "github.com/pspbackoffice/backoffice/internal/limits"
)

// Throttle charges every operation's cost (the complexity of docs/graphql-limits.md)
// to a leaky bucket of its caller: an API key's, or a login session's with a budget
// of its own. An operation its bucket cannot pay is refused with THROTTLED before
// anything runs, and the HTTP answer is 429 with Retry-After (ThrottleHTTP).
// Anonymous callers have no bucket (they reach only what @auth leaves open).
type Throttle struct {
	APIKey  *ratelimits.Bucket
	Session *ratelimits.Bucket
	Logger  *slog.Logger
}

// bucket answers the principal's bucket and its key in it; nil when none.
func (t *Throttle) bucket(p *auth.Principal) (*ratelimits.Bucket, string) {
	switch {
	case p == nil:
		return nil, ""
	case p.Kind == auth.KindAPIKey:
		return t.APIKey, "key:" + p.ID
	case p.Kind == auth.KindUser && p.SessionID != "":
		return t.Session, "session:" + p.SessionID
	case p.Kind == auth.KindUser:
		return t.Session, "user:" + p.ID
	}
	return nil, ""
}

// throttleStats is what the throttle decided for an operation (kept in its stats).
const throttleStats = "Throttle"

// throttler is the gqlgen extension of Throttle; it runs after the complexity limit.
type throttler struct{ t *Throttle }

func (throttler) ExtensionName() string                   { return throttleStats }
func (throttler) Validate(graphql.ExecutableSchema) error { return nil }

func (th throttler) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	bucket, key := th.t.bucket(auth.From(ctx))
	stats := extension.GetComplexityStats(graphql.WithOperationContext(ctx, oc))
	if bucket == nil || stats == nil {
		return nil
	}
	st, err := bucket.Take(ctx, key, stats.Complexity)
	if err != nil {
		// The store failed: serve rather than refuse (the request is bounded by
		// the complexity limit anyway), and say so.
		th.t.Logger.WarnContext(ctx, "throttle unavailable", "err", err)
		return nil
	}
	oc.Stats.SetExtension(throttleStats, &st)
	if st.Paid {
		return nil
	}
	if n, ok := ctx.Value(throttledKey{}).(*throttled); ok {
		n.retryAfter = st.RetryAfter
		n.refused = true
	}
	code, _ := topLevelCode(ratelimits.ErrThrottled)
	msg := fmt.Sprintf("throttled: this query costs %d and %d of %d are available (restoring %d per second); retry after %s s",
		stats.Complexity, st.Available, st.Max, st.Restore, retryAfterSeconds(st.RetryAfter))
	if stats.Complexity > st.Max {
		msg = fmt.Sprintf("throttled: this query costs %d, more than the %d a bucket holds; ask for less", stats.Complexity, st.Max)
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// throttleStatus is extensions.cost.throttleStatus of an answer (Shopify's shape).
func throttleStatus(ctx context.Context) (map[string]int, bool) {
	st, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(throttleStats).(*ratelimits.Status)
	if !ok {
		return nil, false
	}
	return map[string]int{"maximumAvailable": st.Max, "currentlyAvailable": st.Available, "restoreRate": st.Restore}, true
}

// retryAfterSeconds is the Retry-After value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

type throttledKey struct{}

// throttled is where the throttle tells the HTTP layer that it refused.
type throttled struct {
	refused    bool
	retryAfter time.Duration
}

// ThrottleHTTP makes a throttled GraphQL answer an HTTP 429 with Retry-After
// (seconds); every other answer passes unchanged.
func ThrottleHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := &throttled{}
		next.ServeHTTP(&throttleWriter{ResponseWriter: w, n: n}, r.WithContext(context.WithValue(r.Context(), throttledKey{}, n)))
	})
}

type throttleWriter struct {
	http.ResponseWriter
	n     *throttled
	wrote bool
}

func (w *throttleWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	if w.n.refused {
		w.Header().Set("Retry-After", retryAfterSeconds(w.n.retryAfter))
		code = http.StatusTooManyRequests
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *throttleWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}
