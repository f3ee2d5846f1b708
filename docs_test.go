package backoffice

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The repository documents itself (docs/README.md): comments cite docs/ files and
// their sections, never documents a reader of this repository does not have. These
// tests keep it so.

// skipDirs are never read: dependencies, build output and local data.
var skipDirs = []string{".git", "node_modules", "dist", "data", "bin", "artifacts", "test-results"}

// citingFiles reports whether a file is one whose text may cite documents.
func citingFile(path string) bool {
	switch filepath.Ext(path) {
	case ".go", ".ts", ".tsx", ".js", ".mjs", ".graphqls", ".graphql", ".sh", ".yml", ".yaml", ".md", ".tmpl":
		return true
	}
	return filepath.Base(path) == "Makefile"
}

// walkText calls fn for every citing file of the repository (paths relative to the root).
func walkText(t *testing.T, fn func(path string, text string)) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && slices.Contains(skipDirs, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !citingFile(path) || path == "docs_test.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(path), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// walkGoFiles calls fn for every .go file of the repository outside skipDirs and
// testdata (paths relative to the root).
func walkGoFiles(t *testing.T, fn func(path string) error) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (slices.Contains(skipDirs, d.Name()) || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		return fn(path)
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	// outsideDoc matches a citation of the specification documents that lived beside
	// the repository (DESIGN.md, API.md, PROVIDERS.md, STYLE.md and the numbered
	// provider source documents, "seed 003"). Case-sensitive for the .md names, so
	// docs/api.md is not one of them.
	outsideDoc = regexp.MustCompile(`\b(?:DESIGN|API|PROVIDERS|STYLE)\.md\b|(?i:\bseeds? ?0\d\d\b)`)
	// docCitation matches a docs/ file, optionally followed by a section in quotes.
	docCitation = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])(docs/[A-Za-z0-9_./-]*\.md)(?:\s*"([^"\n]+)")?`)
	// readmeSection matches README "Section".
	readmeSection = regexp.MustCompile(`\bREADME(?:\.md)? "([^"\n]+)"`)
	// mdLink matches a relative Markdown link target.
	mdLink  = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
	heading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)
)

// headingCache keeps each Markdown file's headings once read.
var headingCache = map[string][]string{}

// headings answers the heading texts of a Markdown file, or nil if it cannot be read.
func headings(t *testing.T, path string) []string {
	if hs, ok := headingCache[path]; ok {
		return hs
	}
	hs := readHeadings(path)
	headingCache[path] = hs
	return hs
}

func readHeadings(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var hs []string
	for _, m := range heading.FindAllStringSubmatch(string(b), -1) {
		hs = append(hs, m[1])
	}
	return hs
}

// TestCommentsCiteRepoDocs: nothing outside docs/ cites a document outside the
// repository; every docs/ file cited exists, and so does every section cited in
// quotes after it (docs/money.md "Rounding"), and every README "Section".
func TestCommentsCiteRepoDocs(t *testing.T) {
	walkText(t, func(path, text string) {
		inDocs := strings.HasPrefix(path, "docs/")
		sc := bufio.NewScanner(strings.NewReader(text))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if !inDocs {
				if m := outsideDoc.FindString(line); m != "" {
					t.Errorf("%s:%d cites %q, which is not in this repository: cite the docs/ file that holds the fact", path, n, m)
				}
			}
			for _, m := range docCitation.FindAllStringSubmatch(line, -1) {
				if _, err := os.Stat(m[1]); err != nil {
					t.Errorf("%s:%d cites %s, which does not exist", path, n, m[1])
					continue
				}
				if m[2] != "" && !slices.Contains(headings(t, m[1]), m[2]) {
					t.Errorf("%s:%d cites %s %q, which has no such heading", path, n, m[1], m[2])
				}
			}
			for _, m := range readmeSection.FindAllStringSubmatch(line, -1) {
				if !slices.Contains(headings(t, "README.md"), m[1]) {
					t.Errorf("%s:%d cites README %q, which has no such heading", path, n, m[1])
				}
			}
		}
	})
}

// TestDocsLinksResolve: every relative link in docs/ and the README leads to a file
// or folder of the repository.
func TestDocsLinksResolve(t *testing.T) {
	walkText(t, func(path, text string) {
		if !strings.HasSuffix(path, ".md") || !(strings.HasPrefix(path, "docs/") || path == "README.md") {
			return
		}
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", path, target)
			}
		}
	})
}

// generatedDirs hold generated packages, listed in the README map as one line each.
func generatedDir(dir string) bool {
	return (strings.HasPrefix(dir, "ent/") && dir != "ent/schema" && !strings.HasPrefix(dir, "ent/schema/")) ||
		dir == "graph/generated" || dir == "graph/model"
}

// TestReadmeMapListsEveryPackage: the README's "The map" names every directory with
// Go code, so a newcomer finds each package there.
func TestReadmeMapListsEveryPackage(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## The map")
	if start < 0 {
		t.Fatal(`README.md has no "## The map"`)
	}
	block := readme[start:]
	if i := strings.Index(block, "```\n"); i >= 0 {
		block = block[i+4:]
		if j := strings.Index(block, "```"); j >= 0 {
			block = block[:j]
		}
	}
	dirs := map[string]bool{}
	walkGoFiles(t, func(path string) error {
		dirs[filepath.ToSlash(filepath.Dir(path))] = true
		return nil
	})
	for dir := range dirs {
		if generatedDir(dir) {
			continue
		}
		name := dir + "/"
		if dir == "." {
			name = "."
		}
		listed := regexp.MustCompile(`(?m)(?:^|[\s,])` + regexp.QuoteMeta(name) + `(?:[\s,]|$)`)
		if !listed.MatchString(block) {
			t.Errorf("README's map does not list %s", name)
		}
	}
}
