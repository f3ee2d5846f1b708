package graph

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/pspbackoffice/backoffice/graph/generated"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestUIQueriesFitTheLimits: every operation of the web UI (web/src/gql/gql.ts, the
// generated map of its documents) passes the request limits and the cost limit at
// its largest page, so a limit never breaks a screen.
func TestUIQueriesFitTheLimits(t *testing.T) {
	src, err := os.ReadFile("../web/src/gql/gql.ts")
	if err != nil {
		t.Skip("no web/src/gql/gql.ts: ", err)
	}
	block := string(src)
	if i := strings.Index(block, "type Documents = {"); i >= 0 {
		block = block[i:]
		block = block[:strings.Index(block, "\n};")]
	}
	var docs, fragments []string
	for _, m := range regexp.MustCompile(`(?m)^    ("(?:[^"\\]|\\.)*"):`).FindAllStringSubmatch(block, -1) {
		var s string
		if err := json.Unmarshal([]byte(m[1]), &s); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(strings.TrimSpace(s), "fragment") {
			fragments = append(fragments, s)
		} else {
			docs = append(docs, s)
		}
	}
	if len(docs) < 10 {
		t.Fatalf("found %d UI documents", len(docs))
	}
	es := pagedComplexity{generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}})}
	l := &limits{}
	_ = l.Validate(es)
	ctx := auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_ui", PSPID: "psp_ui", Role: domain.RolePSPAdmin})
	for _, d := range docs {
		used, added := d, map[string]bool{}
		for again := true; again; { // fragments used, also by fragments
			again = false
			for _, fr := range fragments {
				name := strings.Fields(strings.TrimSpace(fr))[1]
				if !added[name] && regexp.MustCompile(`\.\.\.`+name+`\b`).MatchString(used) {
					used, added[name], again = used+fr, true, true
				}
			}
		}
		doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), used, nil)
		if errs != nil {
			t.Errorf("%.60q: %v", d, errs)
			continue
		}
		op := doc.Operations[0]
		vars := map[string]any{}
		for _, v := range op.VariableDefinitions {
			if v.Type.Name() == "Int" && (v.Variable == "first" || v.Variable == "last") {
				vars[v.Variable] = MaxPageSize
			}
		}
		oc := &graphql.OperationContext{Doc: doc, Operation: op, Variables: vars}
		if err := l.MutateOperationContext(ctx, oc); err != nil {
			t.Errorf("%s is refused: %v", op.Name, err)
		}
		if c := complexity.Calculate(ctx, es, op, vars); c > ComplexityLimit {
			t.Errorf("%s costs %d > %d", op.Name, c, ComplexityLimit)
		}
	}
}
