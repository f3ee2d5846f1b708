package isolation_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The schema as introspection tells it: the suite enumerates the root fields from
// here, so a field nobody wrote a case for fails the suite.

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// named unwraps NON_NULL and LIST.
func (t typeRef) named() string {
	for t.Name == nil && t.OfType != nil {
		t = *t.OfType
	}
	if t.Name == nil {
		return ""
	}
	return *t.Name
}

// gql is the type as written in a document ("[ID!]!").
func (t typeRef) gql() string {
	switch t.Kind {
	case "NON_NULL":
		return t.OfType.gql() + "!"
	case "LIST":
		return "[" + t.OfType.gql() + "]"
	}
	return *t.Name
}

type inputValue struct {
	Name         string  `json:"name"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

func (v inputValue) required() bool { return v.Type.Kind == "NON_NULL" && v.DefaultValue == nil }

type schemaField struct {
	Name string       `json:"name"`
	Args []inputValue `json:"args"`
	Type typeRef      `json:"type"`
}

func (f schemaField) arg(name string) (inputValue, bool) {
	for _, a := range f.Args {
		if a.Name == name {
			return a, true
		}
	}
	return inputValue{}, false
}

type schemaType struct {
	Kind          string        `json:"kind"`
	Name          string        `json:"name"`
	Fields        []schemaField `json:"fields"`
	InputFields   []inputValue  `json:"inputFields"`
	PossibleTypes []struct {
		Name string `json:"name"`
	} `json:"possibleTypes"`
}

type schemaModel struct {
	query, mutation string
	types           map[string]*schemaType
}

const introspection = `{ __schema { queryType { name } mutationType { name } types {
  kind name
  fields(includeDeprecated: true) { name args { name defaultValue type { ...T } } type { ...T } }
  inputFields { name defaultValue type { ...T } }
  possibleTypes { name }
} } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

func (h *harness) schema() *schemaModel {
	h.t.Helper()
	r := h.gql("staffA", introspection, nil) // introspection needs credentials (graph/limits.go).MustData(h.t)
	var s struct {
		QueryType    struct{ Name string }
		MutationType *struct{ Name string }
		Types        []*schemaType
	}
	r.Field(h.t, "__schema", &s)
	m := &schemaModel{query: s.QueryType.Name, types: map[string]*schemaType{}}
	if s.MutationType != nil {
		m.mutation = s.MutationType.Name
	}
	for _, t := range s.Types {
		m.types[t.Name] = t
	}
	return m
}

func (m *schemaModel) rootFields(typ string) []schemaField {
	if t := m.types[typ]; t != nil {
		return t.Fields
	}
	return nil
}

// nodeTypes are the object types that implement Node.
func (m *schemaModel) nodeTypes() map[string]bool {
	out := map[string]bool{}
	if n := m.types["Node"]; n != nil {
		for _, p := range n.PossibleTypes {
			out[p.Name] = true
		}
	}
	return out
}

// selection is a selection set that asks for everything of a type down to depth
// levels of objects: every field without required arguments, connections with
// first: 3, every possible type of an interface.
func (m *schemaModel) selection(typ string, depth int) string {
	t := m.types[typ]
	if t == nil {
		return ""
	}
	var parts []string
	switch t.Kind {
	case "SCALAR", "ENUM":
		return ""
	case "INTERFACE", "UNION":
		parts = append(parts, "__typename")
		names := make([]string, 0, len(t.PossibleTypes))
		for _, p := range t.PossibleTypes {
			names = append(names, p.Name)
		}
		sort.Strings(names)
		for _, n := range names {
			if sub := m.selection(n, depth); sub != "" {
				parts = append(parts, fmt.Sprintf("... on %s { %s }", n, sub))
			}
		}
		return strings.Join(parts, " ")
	}
	for _, f := range t.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		requiredArg := false
		for _, a := range f.Args {
			requiredArg = requiredArg || a.required()
		}
		if requiredArg {
			continue
		}
		nt := m.types[f.Type.named()]
		if nt == nil || nt.Kind == "SCALAR" || nt.Kind == "ENUM" {
			parts = append(parts, f.Name)
			continue
		}
		if depth == 0 {
			continue
		}
		args := ""
		if _, ok := f.arg("first"); ok {
			args = "(first: 3)"
		}
		if sub := m.selection(nt.Name, depth-1); sub != "" {
			parts = append(parts, f.Name+args+" { "+sub+" }")
		}
	}
	return strings.Join(parts, " ")
}

// dumpSchema prints the root fields (a debugging aid: go test -run TestPrintRootFields -v).
func TestPrintRootFields(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("verbose only")
	}
	h := start(t, sqliteDB(t))
	s := h.schema()
	for _, root := range []string{s.query, s.mutation} {
		for _, f := range s.rootFields(root) {
			args, _ := json.Marshal(f.Args)
			t.Logf("%s.%s(%s) %s", root, f.Name, args, f.Type.gql())
		}
	}
}
