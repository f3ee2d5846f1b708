package backoffice

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The import rules of docs/architecture.md "Import rules", checked on the production
// code (test files may import what they need).

const module = "github.com/pspbackoffice/backoffice/"

// providerPackages are the four providers' own packages (client + sandbox each).
var providerPackages = []string{
	"internal/providers/billie", "internal/providers/paywerk",
	"internal/providers/billwerk", "internal/providers/betterpayment",
}

// providerPackageMayImport is all a provider package may import: a client and its
// sandbox know nothing of the database or the domain services.
var providerPackageMayImport = []string{
	"internal/money", "internal/domain", "internal/providers",
	"internal/providers/httpjson", "internal/providers/sandboxkit",
}

// knownExceptions are imports against the rules that an open issue removes. An entry
// that no longer occurs is reported (t.Log) so it can be deleted.
var knownExceptions = map[[2]string]string{}

// productionImports answers, per package directory (relative, slash-separated), the
// module packages its non-test files import (relative too).
func productionImports(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	imports := map[string][]string{}
	walkGoFiles(t, func(path string) error {
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if rel, ok := strings.CutPrefix(p, module); ok && !slices.Contains(imports[dir], rel) {
				imports[dir] = append(imports[dir], rel)
			}
		}
		return nil
	})
	return imports
}

// TestImportRules: who may import whom (docs/architecture.md "Import rules").
func TestImportRules(t *testing.T) {
	imports := productionImports(t)
	seen := map[[2]string]bool{}
	check := func(from, to, rule string) {
		if _, ok := knownExceptions[[2]string{from, to}]; ok {
			seen[[2]string{from, to}] = true
			return
		}
		t.Errorf("%s imports %s: %s (docs/architecture.md \"Import rules\")", from, to, rule)
	}
	under := func(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }

	for from, tos := range imports {
		for _, to := range tos {
			switch {
			case from == "internal/money":
				check(from, to, "money imports nothing of ours")
			case from == "internal/domain" && to != "internal/money":
				check(from, to, "domain imports only money")
			case slices.Contains(providerPackages, from) && !slices.Contains(providerPackageMayImport, to):
				check(from, to, "a provider package imports only money, domain, providers, httpjson and sandboxkit")
			case from == "internal/providers" && to != "internal/money" && to != "internal/domain":
				check(from, to, "the provider interface imports only money and domain")
			}
			domainService := from == "internal/psp" || from == "internal/settlement" || from == "internal/merchants" ||
				from == "internal/reconciliation"
			if domainService && (under(to, "graph") || under(to, "internal/server") || under(to, "internal/app") || to == "internal/webhooks") {
				check(from, to, "domain services know neither GraphQL nor HTTP serving")
			}
			if (from == "internal/psp" || from == "internal/settlement" || from == "internal/reconciliation") && slices.Contains(providerPackages, to) {
				check(from, to, "money services talk to providers through internal/providers and its Capabilities only")
			}
			if from == "internal/settlement" && under(to, "internal/psp") {
				check(from, to, "settlement does not import psp (psp asks settlement)")
			}
			if under(to, "internal/app") && from != "cmd/backoffice" && !under(from, "internal/app") {
				check(from, to, "only the binary wires the application")
			}
			if (under(to, "internal/testdb") || strings.HasSuffix(to, "test") && strings.HasPrefix(to, "internal/")) &&
				!strings.HasSuffix(from, "test") && !under(from, "internal/testdb") {
				check(from, to, "test helpers are for tests")
			}
		}
	}
	for k, why := range knownExceptions {
		if !seen[k] {
			t.Logf("the known exception %s → %s (%s) no longer occurs: delete it from knownExceptions", k[0], k[1], why)
		}
	}
}
