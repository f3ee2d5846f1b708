package server

import "net/http"

// ContentSecurityPolicy is sent with every response. Scripts come only from this
// server (the UI's Vite build and the GraphiQL entry have no inline script), nothing
// may frame a page, and pages talk only to this origin. Styles allow 'unsafe-inline':
// Mantine and GraphiQL write <style> elements at run time; an injected style cannot
// run code, an injected script could. No form-action: the sandbox payment page's form
// redirects the shopper to the merchant's own site.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries (README "Security"); HSTS
// only when the public URL is https, so a plain-http development server is not
// pinned to https in the browser for a year.
func securityHeaders(hsts bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}
