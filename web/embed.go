// Package web serves the React UI, built by Vite into web/dist and embedded
// into the binary.
//
// The UI routes on the client (react-router), so any path that is not a file
// of the build answers index.html and the app renders the screen for that
// path; a path that looks like a file (it has an extension) but is missing is
// a 404, so a stale asset URL never gets HTML back as JavaScript. index.html
// is revalidated on every load (Cache-Control: no-cache) so a release is
// picked up at once, while Vite's content-hashed files under /assets/ are
// cached for a year. A binary built without the UI (dist/ holds only
// .gitkeep) answers a page that says how to build it.
//
// The server mounts Handler at "/" after its own routes (/graphql, /auth/*,
// /healthz …), which therefore never reach it.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the embedded build of the UI.
func Handler() http.Handler {
	fsys, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid, embedded directory name
	}
	return newHandler(fsys)
}

const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// newHandler serves the files of fsys, a Vite build with index.html at its root.
func newHandler(fsys fs.FS) http.Handler {
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		return http.HandlerFunc(serveNotBuilt)
	}
	sum := sha256.Sum256(index)
	h := &spaHandler{fsys: fsys, index: index, indexETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	return h
}

type spaHandler struct {
	fsys      fs.FS
	index     []byte
	indexETag string
}

func (h *spaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" {
		h.serveIndex(w, r)
		return
	}
	if hidden(name) {
		http.NotFound(w, r)
		return
	}

	info, err := fs.Stat(h.fsys, name)
	switch {
	case err == nil && !info.IsDir():
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", cacheImmutable)
		} else {
			w.Header().Set("Cache-Control", cacheRevalidate)
		}
		http.ServeFileFS(w, r, h.fsys, name)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	case path.Ext(name) != "":
		// A missing file, not a client-side route.
		http.NotFound(w, r)
	default:
		h.serveIndex(w, r)
	}
}

// serveIndex answers the app's entry page, revalidated on every load.
func (h *spaHandler) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheRevalidate)
	w.Header().Set("ETag", h.indexETag)
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.index))
}

// hidden reports whether any element of the slash-separated name starts with
// a dot (dist/.gitkeep and the like are not part of the UI).
func hidden(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>PSP Backoffice</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>PSP Backoffice</h1>
<p>The web UI is not built into this binary.</p>
<p>Run <code>make web</code> (it runs <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>), then build the binary again.</p>
<p>The GraphQL API at <a href="/graphql">/graphql</a> works without it.</p>
</body>
</html>
`

func serveNotBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(notBuiltPage))
}

// GraphiQL serves the API explorer at GET /graphql: graphiql.html, built from npm by
// vite.graphiql.config.ts next to the UI (its scripts under /assets/, served by
// Handler), so it needs no CDN and runs under the server's CSP. A binary built
// without the UI answers the not-built page.
func GraphiQL() http.Handler {
	page, err := fs.ReadFile(dist, "dist/graphiql.html")
	if err != nil {
		return http.HandlerFunc(serveNotBuilt)
	}
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", cacheRevalidate)
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "graphiql.html", time.Time{}, bytes.NewReader(page))
	})
}
