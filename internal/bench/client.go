package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Client talks to the server under test over real HTTP, as an integrator or the web
// UI would: GraphQL over POST /graphql with a Bearer token from POST /auth/login.
type Client struct {
	URL   string // the server's base URL, e.g. http://127.0.0.1:18100
	HTTP  *http.Client
	Token string
}

// NewClient makes a client with a connection pool large enough for conc clients.
func NewClient(base string, conc int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conc * 2,
		MaxIdleConnsPerHost: conc * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{URL: strings.TrimRight(base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// WithToken is a client acting with another login on the same connections.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// ErrNoLogin: the server has no POST /auth/login (the identity work is not in it).
var ErrNoLogin = errors.New("the server has no POST /auth/login")

// Login logs in and answers the token.
func (c *Client) Login(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		return "", ErrNoLogin
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("login as %s: HTTP %d: %s", email, resp.StatusCode, truncate(string(b), 200))
	}
	var out struct{ Token string }
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login as %s: no token in %s", email, truncate(string(b), 200))
	}
	return out.Token, nil
}

// GraphQLError is a top-level error of a GraphQL answer.
type GraphQLError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Do posts one GraphQL operation and answers how long the round trip took (until
// the whole answer is read), decoding data into out. Top-level errors are errors.
func (c *Client) Do(ctx context.Context, query string, vars map[string]any, out any) (time.Duration, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	start := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []GraphQLError  `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return took, fmt.Errorf("HTTP %d: %s", resp.StatusCode, truncate(string(b), 300))
	}
	if len(r.Errors) > 0 {
		return took, fmt.Errorf("GraphQL error: %s (%v)", r.Errors[0].Message, r.Errors[0].Extensions["code"])
	}
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("HTTP %d: %s", resp.StatusCode, truncate(string(b), 300))
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return took, fmt.Errorf("decode answer: %w", err)
		}
	}
	return took, nil
}

// PostForm posts a form (a sandbox payment page) and follows no redirect.
func (c *Client) PostForm(ctx context.Context, target string, form url.Values) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Schema is what introspection says of the server's GraphQL types: which fields and
// input fields exist, so the harness adapts to what is built and reports what is not.
type Schema struct {
	types map[string]*schemaType
}

type schemaType struct {
	Name        string
	Kind        string
	Fields      []schemaField
	InputFields []struct{ Name string }
}

type schemaField struct {
	Name string
	Args []struct{ Name string }
	Type typeRef
}

type typeRef struct {
	Kind   string
	Name   string
	OfType *typeRef
}

// named unwraps NON_NULL and LIST.
func (t typeRef) named() typeRef {
	for t.OfType != nil && t.Name == "" {
		t = *t.OfType
	}
	return t
}

const introspection = `query { __schema { types { name kind
  fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
  inputFields { name } } } }`

// Introspect reads the server's schema.
func (c *Client) Introspect(ctx context.Context) (*Schema, error) {
	var out struct {
		Schema struct{ Types []*schemaType } `json:"__schema"`
	}
	if _, err := c.Do(ctx, introspection, nil, &out); err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	s := &Schema{types: map[string]*schemaType{}}
	for _, t := range out.Schema.Types {
		s.types[t.Name] = t
	}
	return s, nil
}

// HasField tells whether a type (Query, Mutation, Order…) has a field.
func (s *Schema) HasField(typeName, field string) bool {
	return s.field(typeName, field) != nil
}

func (s *Schema) field(typeName, field string) *schemaField {
	t := s.types[typeName]
	if t == nil {
		return nil
	}
	for i := range t.Fields {
		if t.Fields[i].Name == field {
			return &t.Fields[i]
		}
	}
	return nil
}

// HasInputField tells whether an input type has a field.
func (s *Schema) HasInputField(typeName, field string) bool {
	t := s.types[typeName]
	if t == nil {
		return false
	}
	for _, f := range t.InputFields {
		if f.Name == field {
			return true
		}
	}
	return false
}

// Selection writes a selection set for a type: its scalar and enum fields without
// arguments, and the same of its object fields down to depth levels. Below the top,
// objects with an id (Company, Settlement…) get their own fields but no further
// objects with an id, so a selection stays what a screen shows. Fields named in skip
// are left out at every level.
func (s *Schema) Selection(typeName string, depth int, skip ...string) string {
	return s.selection(typeName, depth, true, skip)
}

func (s *Schema) selection(typeName string, depth int, nodes bool, skip []string) string {
	t := s.types[typeName]
	if t == nil {
		return "{ __typename }"
	}
	var parts []string
	for _, f := range t.Fields {
		if len(f.Args) > 0 || strings.HasPrefix(f.Name, "__") || slices.Contains(skip, f.Name) {
			continue
		}
		n := f.Type.named()
		switch n.Kind {
		case "SCALAR", "ENUM":
			parts = append(parts, f.Name)
		case "OBJECT":
			node := s.HasField(n.Name, "id")
			if depth > 0 && (nodes || !node) {
				parts = append(parts, f.Name+" "+s.selection(n.Name, depth-1, nodes && !node, skip))
			}
		}
	}
	if len(parts) == 0 {
		return "{ __typename }"
	}
	return "{ " + strings.Join(parts, " ") + " }"
}
