// Package httpjson is the one HTTP client the provider clients (billie, paywerk,
// billwerk, betterpayment) call their APIs with, so every provider call behaves alike:
//
//   - JSON in and out; each attempt is bounded by Timeout and its answer by
//     MaxAnswerBytes.
//   - Errors are providers.Error of a class: no answer (refused, timed out,
//     cancelled) or an unreadable or malformed one is ErrTemporary; an error answer
//     is what the provider's DecodeError makes of it. When the context ended the call,
//     the error also wraps ctx.Err(), so errors.Is(err, context.DeadlineExceeded)
//     tells a timeout from a refusal.
//   - One retry policy: a call the provider deduplicates by its idempotency key
//     (Call.Repeat) is repeated on a temporary failure, with jittered exponential
//     backoff, until Retry.Attempts or the context ends. No other call is repeated
//     here: sending it again could act twice, and a status read is repeated by its
//     caller (reconciliation), which decides how long to wait.
//
// The provider packages supply what differs through hooks: Auth (credentials),
// KeyHeader (where the idempotency key goes) and DecodeError (the provider's error
// body). Where the bytes go is the http.Client the caller passes in: in live mode
// the registry passes internal/outbound's client, which refuses internal addresses.
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Defaults of Client.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultMaxAnswerBytes = 1 << 20
)

// Retry is how a repeatable call is repeated: at most Attempts tries (≥ 1), the
// first wait Backoff, doubled per try up to MaxBackoff, each wait jittered to a
// random point in its upper half.
type Retry struct {
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// DefaultRetry: four tries, 200 ms first wait, at most 2 s.
var DefaultRetry = Retry{Attempts: 4, Backoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second}

// NewRetry is attempts tries with a first wait of backoff, waits growing to 8 × backoff.
func NewRetry(attempts int, backoff time.Duration) Retry {
	return Retry{Attempts: max(attempts, 1), Backoff: backoff, MaxBackoff: max(backoff*8, backoff)}
}

// Client sends one provider's API calls.
type Client struct {
	Provider providers.Name
	// HTTP sends the requests; nil is http.DefaultClient.
	HTTP *http.Client
	// Timeout bounds each attempt; zero is DefaultTimeout.
	Timeout time.Duration
	// MaxAnswerBytes bounds what is read of an answer; zero is DefaultMaxAnswerBytes.
	MaxAnswerBytes int64
	// Retry repeats a Call with Repeat set; zero Attempts tries once.
	Retry Retry
	// Auth sets the credentials on every request.
	Auth func(*http.Request)
	// KeyHeader is the header a Call's idempotency key is sent in; empty sends none
	// (the provider takes the key in the body).
	KeyHeader string
	// DecodeError makes the error of an answer the provider marks failed: any non-2xx
	// status. nil is the status's class (providers.StatusClass) with the body as text.
	DecodeError func(status int, body []byte) error
	// Check inspects a 2xx answer before it is decoded, for a provider that reports
	// failures inside a 2xx body; nil accepts every 2xx answer.
	Check func(status int, body []byte) error
	// Malformed wraps the error of a 2xx answer whose body does not decode into Out
	// (a providers.Error of class ErrTemporary), e.g. with the provider's own
	// sentinel; nil leaves it as it is.
	Malformed func(error) error
}

// Call is one API call.
type Call struct {
	Method string
	URL    string // absolute
	In     any    // encoded as the JSON body; nil sends none
	Out    any    // a 2xx answer is decoded into it; nil ignores the body
	// Key is the call's idempotency key, sent in KeyHeader.
	Key string
	// Repeat: the provider answers a repeated Key with its first answer instead of
	// acting again, so a temporary failure may be repeated (Client.Retry).
	Repeat bool
}

// Fail is a providers.Error of this client's provider.
func (c *Client) Fail(class error, status int, code, msg string) *providers.Error {
	return &providers.Error{Class: class, Provider: c.Provider, HTTPStatus: status, Code: code, Message: msg}
}

// Do sends a call, repeating it under the retry policy, and decodes a 2xx answer.
func (c *Client) Do(ctx context.Context, call Call) error {
	var payload []byte
	if call.In != nil {
		var err error
		if payload, err = json.Marshal(call.In); err != nil {
			return c.Fail(providers.ErrValidation, 0, "", "encode request: "+err.Error())
		}
	}
	attempts := 1
	if call.Repeat && call.Key != "" {
		attempts = max(c.Retry.Attempts, 1)
	}
	wait := c.Retry.Backoff
	for i := 1; ; i++ {
		err := c.once(ctx, call, payload)
		if err == nil || i >= attempts || !providers.IsTemporary(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(wait*2, max(c.Retry.MaxBackoff, c.Retry.Backoff))
	}
}

// once is one attempt within Timeout.
func (c *Client) once(ctx context.Context, call Call, payload []byte) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL, body)
	if err != nil {
		return c.Fail(providers.ErrValidation, 0, "", "build request: "+err.Error())
	}
	if c.Auth != nil {
		c.Auth(req)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if call.Key != "" && c.KeyHeader != "" {
		req.Header.Set(c.KeyHeader, call.Key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// No answer (timeout, refused connection, cancelled): the outcome is unknown.
		pe := c.Fail(providers.ErrTemporary, 0, "", err.Error())
		pe.Cause = err
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", pe, ctx.Err())
		}
		return pe
	}
	defer resp.Body.Close()
	limit := c.MaxAnswerBytes
	if limit <= 0 {
		limit = DefaultMaxAnswerBytes
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return c.Fail(providers.ErrTemporary, resp.StatusCode, "", "read answer: "+err.Error())
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if c.DecodeError != nil {
			return c.DecodeError(resp.StatusCode, raw)
		}
		return c.Fail(providers.StatusClass(resp.StatusCode), resp.StatusCode, "", strings.TrimSpace(string(raw)))
	}
	if c.Check != nil {
		if err := c.Check(resp.StatusCode, raw); err != nil {
			return err
		}
	}
	if call.Out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, call.Out); err != nil {
		pe := c.Fail(providers.ErrTemporary, resp.StatusCode, "", "malformed answer: "+err.Error())
		if c.Malformed != nil {
			return c.Malformed(pe)
		}
		return pe
	}
	return nil
}
