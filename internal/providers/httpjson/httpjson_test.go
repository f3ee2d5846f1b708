package httpjson_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/httpjson"
)

// flaky answers 503 to the first fails requests, then {"ok":true}; it counts the
// requests and remembers the last idempotency key.
func flaky(t *testing.T, fails int64) (*httptest.Server, *atomic.Int64, *atomic.Value) {
	var n atomic.Int64
	var key atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key.Store(r.Header.Get("Idempotency-Key"))
		if n.Add(1) <= fails {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &key
}

func client(hc *http.Client) *httpjson.Client {
	return &httpjson.Client{Provider: providers.Billwerk, HTTP: hc, KeyHeader: "Idempotency-Key",
		Retry: httpjson.NewRetry(3, time.Millisecond)}
}

// TestRetryOnlyRepeatableCalls: a call the provider deduplicates by its key is
// repeated on a temporary failure with the same key; any other call is sent once,
// since sending it again could act twice.
func TestRetryOnlyRepeatableCalls(t *testing.T) {
	ctx := context.Background()
	srv, n, key := flaky(t, 2)
	var out struct{ OK bool }
	if err := client(srv.Client()).Do(ctx, httpjson.Call{Method: http.MethodPost, URL: srv.URL, In: map[string]int{"a": 1}, Out: &out,
		Key: "op_1", Repeat: true}); err != nil || !out.OK {
		t.Fatalf("a repeatable call after two 503s: %v %+v", err, out)
	}
	if n.Load() != 3 || key.Load() != "op_1" {
		t.Fatalf("%d requests with key %v, want 3 with op_1", n.Load(), key.Load())
	}

	srv, n, _ = flaky(t, 1)
	err := client(srv.Client()).Do(ctx, httpjson.Call{Method: http.MethodPost, URL: srv.URL, Key: "op_2"})
	var pe *providers.Error
	if !errors.As(err, &pe) || !errors.Is(err, providers.ErrTemporary) || pe.HTTPStatus != 503 || pe.Provider != providers.Billwerk {
		t.Fatalf("a keyed call not marked repeatable: %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1", n.Load())
	}
}

// TestContextEndIsTold: a call cut by its context is a temporary provider error that
// also says why (errors.Is context.DeadlineExceeded), and is not repeated after.
func TestContextEndIsTold(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := client(srv.Client()).Do(ctx, httpjson.Call{Method: http.MethodPost, URL: srv.URL, Key: "op_3", Repeat: true})
	if !errors.Is(err, providers.ErrTemporary) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want temporary and deadline exceeded", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests after the context ended, want 1", n.Load())
	}
}

// TestMalformedAnswerIsTemporary: a 2xx answer that is not the JSON asked for is a
// temporary error (the outcome is unknown), wrapped by the provider's hook.
func TestMalformedAnswerIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	t.Cleanup(srv.Close)
	sentinel := errors.New("unexpected answer")
	c := client(srv.Client())
	c.Malformed = func(err error) error { return errors.Join(sentinel, err) }
	var out struct{}
	err := c.Do(context.Background(), httpjson.Call{Method: http.MethodGet, URL: srv.URL, Out: &out})
	if !errors.Is(err, providers.ErrTemporary) || !errors.Is(err, sentinel) {
		t.Fatalf("err = %v", err)
	}
}
