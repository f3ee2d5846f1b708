package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxBodyBytes bounds every request body (README "Security": over 1 MiB → 413).
// Routes with smaller bodies bound them further themselves (/auth 64 KiB, /webhooks
// 256 KiB, the sandboxes' own limits).
const MaxBodyBytes = 1 << 20

// limitBody refuses a body that declares more than MaxBodyBytes at once with 413, and
// makes reading more than that from any other body fail, so no handler can be made
// to hold a large body in memory.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, r *http.Request) {
	// The client may still be sending: close the connection rather than read the rest.
	w.Header().Set("Connection", "close")
	msg := fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes)
	if r.URL.Path == "/graphql" {
		writeGraphQLError(w, http.StatusRequestEntityTooLarge, msg, "PAYLOAD_TOO_LARGE")
		return
	}
	writeText(w, http.StatusRequestEntityTooLarge, msg)
}

// deadline gives every request's work at most d: the context ends then, which stops
// its database statements and provider calls, and GraphQL answers TIMEOUT.
func deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// graphQLParams is the shape of a GraphQL-over-HTTP POST body: fields of the wrong
// type are a malformed request.
type graphQLParams struct {
	Query         string                     `json:"query"`
	OperationName string                     `json:"operationName"`
	Variables     map[string]json.RawMessage `json:"variables"`
	Extensions    map[string]json.RawMessage `json:"extensions"`
}

// ErrMalformedRequest: the body is not a GraphQL request object.
var ErrMalformedRequest = errors.New(`the body must be a JSON object {"query": string, "operationName"?: string, "variables"?: object, "extensions"?: object}`)

// DecodeGraphQLRequest reads a POST /graphql body (already bounded by limitBody) and
// checks its shape, so gqlgen only ever sees a well-formed request: a malformed one
// is a 400 with a message here, never an internal error there.
func DecodeGraphQLRequest(body io.Reader) ([]byte, graphQLParams, error) {
	var p graphQLParams
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return b, p, fmt.Errorf("%w: %s", ErrMalformedRequest, jsonProblem(err))
	}
	return b, p, nil
}

// jsonProblem says what is wrong without echoing the body.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "the body is a JSON " + typ.Value + ", not an object"
		}
		return fmt.Sprintf("%q must not be a JSON %s", typ.Field, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	return "invalid JSON"
}

// graphQLBody runs DecodeGraphQLRequest before gqlgen: 413 past MaxBodyBytes, 400
// for a malformed request, else the body is handed on unchanged.
func graphQLBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _, err := DecodeGraphQLRequest(r.Body)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			tooLarge(w, r)
			return
		case errors.Is(err, ErrMalformedRequest):
			writeGraphQLError(w, http.StatusBadRequest, err.Error(), "BAD_REQUEST")
			return
		case err != nil:
			writeGraphQLError(w, http.StatusBadRequest, "could not read the request body", "BAD_REQUEST")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}
