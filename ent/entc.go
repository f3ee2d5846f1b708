//go:build ignore

// entc.go generates the ent client and, through entgql, graph/ent.graphql and the
// gqlgen model bindings. Run by `go generate ./...` from the repository root.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("graph/ent.graphql"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(authOnRelayFields, orderSearchArgument),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	templates := append(entgql.AllTemplates,
		gen.MustParse(gen.NewTemplate("idprefix").ParseFiles("ent/schema/template/idprefix.tmpl")))
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:    "./ent",
		Package:   "github.com/pspbackoffice/backoffice/ent",
		Templates: templates,
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureLock,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
		},
	}, entc.Extensions(ex), overrideTemplates)
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// authOnRelayFields puts @auth(apiKey: true) on the node and nodes fields entgql
// writes itself, so every root field declares who may call it (graph/directives.go);
// the tenant policy decides which objects they answer.
func authOnRelayFields(_ *gen.Graph, s *ast.Schema) error {
	q, ok := s.Types["Query"]
	if !ok {
		return nil
	}
	for _, f := range q.Fields {
		if f.Name == "node" || f.Name == "nodes" {
			f.Directives = append(f.Directives, &ast.Directive{Name: "auth", Arguments: ast.ArgumentList{
				{Name: "apiKey", Value: &ast.Value{Kind: ast.BooleanValue, Raw: "true"}},
			}})
		}
	}
	return nil
}

// orderSearchArgument adds search: String to Query.orders: a case-insensitive prefix of
// the order id, reference, provider reference, shopper email or name (docs/api.md
// "Search"; the rule is internal/psp, search.go).
func orderSearchArgument(_ *gen.Graph, s *ast.Schema) error {
	q, ok := s.Types["Query"]
	if !ok {
		return nil
	}
	if f := q.Fields.ForName("orders"); f != nil {
		f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
			Name: "search",
			Description: "A case-insensitive prefix of the order id, reference, provider reference, " +
				"shopper email, first, last or full name (at most 100 characters; blank: no search).",
			Type: ast.NamedType("String", nil),
		})
	}
	return nil
}

// overrideTemplates adds templates that replace parts of entgql's. It must come after
// entc.Extensions(ex), which appends entgql's templates: the last definition wins.
func overrideTemplates(cfg *gen.Config) error {
	cfg.Templates = append(cfg.Templates, gen.MustParse(gen.NewTemplate("gql_paginate").
		Funcs(entgql.TemplateFuncs).ParseFiles("ent/schema/template/gql_paginate.tmpl")))
	return nil
}
