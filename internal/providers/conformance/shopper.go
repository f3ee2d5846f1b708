package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// ErrPage: the hosted payment page did not behave as docs/api.md "Sandbox payment pages"
// says (GET shows a form, the form POST answers 303).
var ErrPage = errors.New("conformance: payment page")

// shopperClient never follows redirects: the 303's Location is the answer.
var shopperClient = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// CompletePage does what a shopper does on a sandbox payment page built with
// sandboxkit.RenderPage: GET the page (it must show a form), then POST the form to
// the same URL. It answers the 303's Location and the page's HTML.
func CompletePage(ctx context.Context, redirectURL string, form sandboxkit.PageForm) (location, page string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, redirectURL, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := shopperClient.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("%w: GET %s: %v", ErrPage, redirectURL, err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	page = string(b)
	if resp.StatusCode != http.StatusOK {
		return "", page, fmt.Errorf("%w: GET %s answered %s", ErrPage, redirectURL, resp.Status)
	}
	if !strings.Contains(page, "<form") {
		return "", page, fmt.Errorf("%w: GET %s shows no form", ErrPage, redirectURL)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, redirectURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", page, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = shopperClient.Do(req)
	if err != nil {
		return "", page, fmt.Errorf("%w: POST %s: %v", ErrPage, redirectURL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", page, fmt.Errorf("%w: POST %s answered %s, want 303", ErrPage, redirectURL, resp.Status)
	}
	loc := resp.Header.Get("Location")
	if u, err := url.Parse(loc); err != nil || !u.IsAbs() {
		return loc, page, fmt.Errorf("%w: redirect to %q is not an absolute URL", ErrPage, loc)
	}
	return loc, page, nil
}
