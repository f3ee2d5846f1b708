package sandboxkit

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// The shopper's choices on a sandbox payment page (docs/api.md "Sandbox payment pages").
const (
	ActionApprove = "approve"
	ActionDecline = "decline"
)

// ErrBadPageAction: the page form carried no action, or one other than approve/decline.
var ErrBadPageAction = errors.New("sandbox page: action must be approve or decline")

// Page is what a sandbox's hosted payment page shows. The form posts to the page's
// own URL with action=approve|decline and, when ProductTypes is set, productType.
type Page struct {
	Provider     string // display name, "Paywerk"
	Accent       string // CSS colour of the provider's brand; "" is a neutral blue
	Merchant     string
	Reference    string
	Amount       money.Money
	Details      []PageDetail // extra facts: debtor company, payment term
	Lines        []PageLine
	ProductTypes []PageOption // radio buttons named productType; empty shows none
	Notice       string       // a problem to show above the buttons
	Done         string       // the payment is finished: show this instead of the form
}

// PageDetail is one labelled fact on the page.
type PageDetail struct{ Label, Value string }

// PageLine is one order line on the page.
type PageLine struct{ Name, Quantity, Total string }

// PageOption is one product type radio button.
type PageOption struct {
	Value    string
	Label    string
	Note     string // why it is disabled, or its schedule
	Disabled bool
	Checked  bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Provider}} payment (sandbox)</title>
<style>
 body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
 .card{max-width:460px;margin:40px auto;background:#fff;border-radius:14px;box-shadow:0 6px 24px rgba(0,0,0,.08);overflow:hidden}
 header{background:{{.Accent}};color:#fff;padding:18px 24px;display:flex;justify-content:space-between;align-items:center}
 header b{font-size:19px} header small{opacity:.85;border:1px solid rgba(255,255,255,.6);border-radius:10px;padding:1px 8px}
 main{padding:20px 24px}
 .amount{font-size:30px;font-weight:650;margin:4px 0 2px}
 .muted{color:#6b7280} dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:12px 0}
 dt{color:#6b7280} dd{margin:0;text-align:right}
 table{width:100%;border-collapse:collapse;margin:10px 0 4px} td{padding:5px 0;border-top:1px solid #e5e7eb}
 td.n{text-align:right;white-space:nowrap}
 fieldset{border:1px solid #e5e7eb;border-radius:10px;margin:14px 0;padding:8px 12px}
 label.opt{display:block;padding:6px 0} label.opt.off{color:#9ca3af}
 .notice{background:#fef3c7;border:1px solid #f59e0b;border-radius:8px;padding:8px 12px;margin:12px 0}
 .done{background:#ecfdf5;border:1px solid #10b981;border-radius:8px;padding:10px 12px;margin:12px 0}
 .buttons{display:flex;gap:10px;margin-top:16px}
 button{flex:1;font:inherit;font-weight:600;border:0;border-radius:10px;padding:12px;cursor:pointer}
 button.approve{background:{{.Accent}};color:#fff} button.decline{background:#e5e7eb;color:#111827}
 footer{padding:10px 24px 18px;font-size:12px;color:#9ca3af}
</style></head>
<body><div class="card">
<header><b>{{.Provider}}</b><small>sandbox</small></header>
<main>
 <div class="muted">{{if .Merchant}}Pay {{.Merchant}}{{else}}Amount due{{end}}</div>
 <div class="amount">{{.Amount.Amount}} {{.Amount.Currency}}</div>
 <dl>{{if .Reference}}<dt>Reference</dt><dd>{{.Reference}}</dd>{{end}}{{range .Details}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
 {{if .Lines}}<table>{{range .Lines}}<tr><td>{{.Name}}</td><td class="n muted">× {{.Quantity}}</td><td class="n">{{.Total}}</td></tr>{{end}}</table>{{end}}
 {{if .Notice}}<div class="notice">{{.Notice}}</div>{{end}}
 {{if .Done}}<div class="done">{{.Done}}</div>{{else}}
 <form method="post">
  {{if .ProductTypes}}<fieldset><legend>Payment method</legend>
  {{range .ProductTypes}}<label class="opt{{if .Disabled}} off{{end}}"><input type="radio" name="productType" value="{{.Value}}"{{if .Checked}} checked{{end}}{{if .Disabled}} disabled{{end}}> {{.Label}}{{if .Note}} <span class="muted">— {{.Note}}</span>{{end}}</label>
  {{end}}</fieldset>{{end}}
  <div class="buttons">
   <button class="decline" type="submit" name="action" value="decline">Decline</button>
   <button class="approve" type="submit" name="action" value="approve">Approve</button>
  </div>
 </form>{{end}}
</main>
<footer>Simulated payment page. No real money moves.</footer>
</div></body></html>
`))

// LoadPage reads the document a payment page shows into v. When the store fails
// (500) or has no such document (404 with notFound as the text) it writes the plain
// answer and reports false.
func LoadPage(w http.ResponseWriter, r *http.Request, store Store, kind, id string, v any, notFound string) bool {
	found, err := store.Get(r.Context(), kind, id, v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return false
	}
	if !found {
		http.Error(w, notFound, http.StatusNotFound)
	}
	return found
}

// PostedPageForm reads the form of a POST to a payment page (a GET has none: the zero
// PageForm). A malformed form is answered 400 in plain text and reports false.
func PostedPageForm(w http.ResponseWriter, r *http.Request) (PageForm, bool) {
	if r.Method != http.MethodPost {
		return PageForm{}, true
	}
	form, err := ReadPageForm(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return PageForm{}, false
	}
	return form, true
}

// RenderPage writes the payment page with the given status.
func RenderPage(w http.ResponseWriter, status int, p Page) error {
	if p.Accent == "" {
		p.Accent = "#2563eb"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return pageTemplate.Execute(w, p)
}

// PageForm is what the shopper submitted.
type PageForm struct {
	Action      string // ActionApprove or ActionDecline
	ProductType string // may be empty
}

// ReadPageForm parses the page's form POST.
func ReadPageForm(r *http.Request) (PageForm, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return PageForm{}, err
	}
	f := PageForm{Action: r.PostForm.Get("action"), ProductType: r.PostForm.Get("productType")}
	if f.Action != ActionApprove && f.Action != ActionDecline {
		return f, ErrBadPageAction
	}
	return f, nil
}

// Encode encodes the form as a shopper submitting the page (tests, conformance).
func (f PageForm) Encode() string {
	v := url.Values{"action": {f.Action}}
	if f.ProductType != "" {
		v.Set("productType", f.ProductType)
	}
	return v.Encode()
}

// Redirect sends the shopper on with 303 See Other, as the real pages do after a POST.
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
