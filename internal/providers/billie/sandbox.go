package billie

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// SandboxConfig configures the Billie sandbox. Authenticate receives the Basic-auth
// user and password; faults are matched by the user (the PSP's username).
type SandboxConfig struct {
	sandboxkit.Config
	// NotifyURL is where webhooks go and WebhookKey the pre-shared key sent in the
	// WebhookKeyHeader, for every account.
	NotifyURL  string
	WebhookKey string
	// Webhook, when set, answers the URL and key per account (Basic-auth user), for a
	// server with several PSPs; it wins over NotifyURL and WebhookKey.
	Webhook func(account string) (url, key string)
	// SessionTTL is how long a payment page stays open; 0 is 48 h as at Billie.
	SessionTTL time.Duration
}

// Sandbox triggers, in the legal name (activation) or the debtor company name (payment).
const (
	RejectTrigger  = "REJECT"  // activation answers rejected
	PendingTrigger = "PENDING" // activation answers pending (manual review)
	DeclineTrigger = "DECLINE" // approval on the page is declined with risk_policy
)

// maxAmount bounds any amount the sandbox takes, so its sums cannot overflow.
var maxAmount = money.MustParse("100000000.00", Currency)

const maxBody = 1 << 20

// Store kinds.
const (
	kindMerchant    = "billie_merchant"
	kindMerchantExt = "billie_merchant_ext" // account + external_id → merchant_id
	kindOrder       = "billie_order"
	kindOrderExt    = "billie_order_ext" // merchant_id + order external code → uuid
	kindSession     = "billie_session"   // session id → order uuid
	kindInvoice     = "billie_invoice"   // invoice uuid → order uuid
	kindInvoiceCode = "billie_invoice_code"
)

type merchantState struct {
	ID         string          `json:"id"`
	Account    string          `json:"account"`
	Request    MerchantRequest `json:"request"`
	Status     string          `json:"status"`
	Reason     string          `json:"reason,omitempty"`
	ActivateAt time.Time       `json:"activatedAt"`
}

type lineState struct {
	ExternalID string `json:"externalId"`
	Title      string `json:"title"`
	Quantity   int64  `json:"quantity"`
	Shipped    int64  `json:"shipped"`
	Cancelled  int64  `json:"cancelled"`
	Returned   int64  `json:"returned"`
}

func (l lineState) open() int64 { return l.Quantity - l.Shipped - l.Cancelled }

// document is what an invoice, a credit note and a cancellation each record: its
// id, the merchant's number for it, the amount and lines it moved, and when.
type document struct {
	UUID         string      `json:"uuid"`
	ExternalCode string      `json:"externalCode,omitempty"`
	Amount       amountMinor `json:"amount"`
	Lines        []LineItem  `json:"lines,omitempty"`
	At           time.Time   `json:"at"`
}

// newDocument answers a new document made now.
func (s *sandbox) newDocument(code string, amt amountMinor, lines []LineItem) document {
	return document{UUID: sandboxkit.NewUUID(), ExternalCode: code, Amount: amt, Lines: lines, At: s.cfg.Now().UTC()}
}

type creditState struct {
	document
	Comment string `json:"comment,omitempty"`
}

type invoiceState struct {
	document
	Credits []creditState `json:"credits,omitempty"`
}

func (iv invoiceState) credited() amountMinor {
	var c amountMinor
	for _, cr := range iv.Credits {
		c = c.add(cr.Amount)
	}
	return c
}

// lineOpen is how many of a line this invoice has that no credit note took back.
func (iv invoiceState) lineOpen(id string) int64 {
	n := int64(0)
	for _, l := range iv.Lines {
		if l.ExternalID == id {
			n += l.Quantity
		}
	}
	for _, cr := range iv.Credits {
		for _, l := range cr.Lines {
			if l.ExternalID == id {
				n -= l.Quantity
			}
		}
	}
	return n
}

type cancelState struct{ document }

type orderState struct {
	UUID          string         `json:"uuid"`
	Account       string         `json:"account"`
	MerchantID    string         `json:"merchantId"`
	ExternalCode  string         `json:"externalCode"`
	SessionID     string         `json:"sessionId"`
	State         string         `json:"state"`
	DeclineReason string         `json:"declineReason,omitempty"`
	CreatedAt     time.Time      `json:"createdAt"`
	ExpiresAt     time.Time      `json:"expiresAt"`
	Request       SessionRequest `json:"request"`
	Original      amountMinor    `json:"original"`
	Lines         []lineState    `json:"lines"`
	Invoices      []invoiceState `json:"invoices,omitempty"`
	Cancels       []cancelState  `json:"cancels,omitempty"`
}

func (o *orderState) invoiced() (a amountMinor) {
	for _, iv := range o.Invoices {
		a = a.add(iv.Amount)
	}
	return a
}

func (o *orderState) credited() (a amountMinor) {
	for _, iv := range o.Invoices {
		a = a.add(iv.credited())
	}
	return a
}

func (o *orderState) cancelled() (a amountMinor) {
	for _, c := range o.Cancels {
		a = a.add(c.Amount)
	}
	return a
}

// owed is what the debtor owes now: the order less cancellations and credit notes.
func (o *orderState) owed() amountMinor { return o.Original.sub(o.cancelled()).sub(o.credited()) }

// unshipped is what can still be invoiced (or cancelled).
func (o *orderState) unshipped() amountMinor { return o.Original.sub(o.cancelled()).sub(o.invoiced()) }

// takeOpen applies line items to lines (a copy of o's) through take (ship or
// cancel), each within what is neither shipped nor cancelled. Bad items go to p; a
// quantity over the open one is answered 409 at once, and takeOpen answers false.
func (o *orderState) takeOpen(w http.ResponseWriter, p *problems, lines []lineState, items []LineItem, take func(*lineState, int64)) bool {
	for i, li := range items {
		j := o.line(li.ExternalID)
		src := fmt.Sprintf("line_items[%d]", i)
		switch {
		case j < 0:
			p.add(src+".external_id", "validation_error", "The order has no line item "+li.ExternalID)
		case li.Quantity < 1:
			p.add(src+".quantity", "validation_error", "quantity must be a positive integer")
		case li.Quantity > lines[j].open():
			writeError(w, http.StatusConflict, "quantity_exceeds_unshipped",
				fmt.Sprintf("Only %d of %s are neither shipped nor cancelled", lines[j].open(), li.ExternalID), src+".quantity")
			return false
		default:
			take(&lines[j], li.Quantity)
		}
	}
	return true
}

func (o *orderState) line(id string) int {
	for i, l := range o.Lines {
		if l.ExternalID == id {
			return i
		}
	}
	return -1
}

func (o *orderState) invoice(id string) int {
	for i, iv := range o.Invoices {
		if iv.UUID == id {
			return i
		}
	}
	return -1
}

// settle moves the order to the state its amounts say, after a capture or cancel.
func (o *orderState) settle() {
	switch {
	case o.unshipped().Gross > 0 && len(o.Invoices) > 0:
		o.State = StatePartiallyShipped
	case o.unshipped().Gross > 0:
		// still created
	case len(o.Invoices) > 0:
		o.State = StateShipped
	default:
		o.State = StateCanceled
	}
}

func (o *orderState) wire() Order {
	w := Order{UUID: o.UUID, ExternalCode: o.ExternalCode, MerchantID: o.MerchantID, State: o.State,
		DeclineReason: o.DeclineReason, Amount: o.owed().wire(), UnshippedAmount: o.unshipped().wire(),
		Duration: o.Request.Duration, CreatedAt: o.CreatedAt.Format(time.RFC3339), Invoices: []Invoice{}, LineItems: []OrderLine{}}
	for _, iv := range o.Invoices {
		x := Invoice{UUID: iv.UUID, ExternalCode: iv.ExternalCode, Amount: iv.Amount.wire(), LineItems: iv.Lines, CreditNotes: []CreditNote{}}
		for _, cr := range iv.Credits {
			x.CreditNotes = append(x.CreditNotes, CreditNote{UUID: cr.UUID, ExternalCode: cr.ExternalCode, Amount: cr.Amount.wire(), LineItems: cr.Lines})
		}
		w.Invoices = append(w.Invoices, x)
	}
	for _, l := range o.Lines {
		w.LineItems = append(w.LineItems, OrderLine{ExternalID: l.ExternalID, Title: l.Title, Quantity: l.Quantity,
			ShippedQuantity: l.Shipped, CancelledQuantity: l.Cancelled, ReturnedQuantity: l.Returned})
	}
	return w
}

type sandbox struct {
	cfg   SandboxConfig
	locks sandboxkit.Locks
}

// NewSandbox answers the Billie simulator: the PSP API (merchant activation,
// payment page sessions, orders, invoices, credit notes, cancel) under /psp/, the
// payment page at /hpp/{session_id}, and webhooks with the pre-shared key. Mount it
// at cfg.BaseURL, with or without http.StripPrefix.
func NewSandbox(cfg SandboxConfig) http.Handler {
	cfg.Config = cfg.Config.WithDefaults()
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 48 * time.Hour
	}
	s := &sandbox{cfg: cfg}
	m := http.NewServeMux()
	m.HandleFunc("POST /psp/merchants", s.api(sandboxkit.OpActivate, s.activate))
	m.HandleFunc("GET /psp/merchants/{id}", s.api(sandboxkit.OpActivate, s.merchant))
	m.HandleFunc("POST /psp/hpp-checkout-sessions", s.api(sandboxkit.OpCreateSession, s.createSession))
	m.HandleFunc("GET /psp/orders/{uuid}", s.api(sandboxkit.OpFetchStatus, s.order))
	m.HandleFunc("POST /psp/orders/{uuid}/cancel", s.api(sandboxkit.OpCancel, s.cancel))
	m.HandleFunc("POST /psp/invoices", s.api(sandboxkit.OpCapture, s.createInvoice))
	m.HandleFunc("POST /psp/invoices/{uuid}/credit-notes", s.api(sandboxkit.OpRefund, s.createCreditNote))
	m.HandleFunc("GET /hpp/{session}", s.page)
	m.HandleFunc("POST /hpp/{session}", s.page)
	sandboxkit.MountControls(m, cfg.Faults, cfg.Notifier)
	sandboxkit.MountSimulate(m, s.simulate)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "No such endpoint: "+r.Method+" "+r.URL.Path, "")
	})
	return sandboxkit.StripBasePath(cfg.BaseURL, m)
}

// writeError answers Billie's error body {"errors":[{title, code, source}]}.
func writeError(w http.ResponseWriter, status int, code, title, source string) {
	sandboxkit.WriteJSON(w, status, ErrorBody{Errors: []ErrorItem{{Title: title, Code: code, Source: source}}})
}

// problems collects validation errors; any makes a 422 with all of them.
type problems []ErrorItem

func (p *problems) add(source, code, title string) {
	*p = append(*p, ErrorItem{Title: title, Code: code, Source: source})
}

func (p problems) write(w http.ResponseWriter) bool {
	if len(p) == 0 {
		return false
	}
	sandboxkit.WriteJSON(w, http.StatusUnprocessableEntity, ErrorBody{Errors: p})
	return true
}

type apiHandler func(w http.ResponseWriter, r *http.Request, account string)

func (s *sandbox) api(op string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := sandboxkit.BasicAuth(r)
		if !ok || !s.cfg.Authenticate(user, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="billie"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "Authentication required", "")
			return
		}
		account := s.cfg.AccountID(user)
		if s.cfg.Faults.Apply(w, r, account, op, func(w http.ResponseWriter, status int, code, msg string) {
			writeError(w, status, code, msg, "")
		}) {
			return
		}
		// Once past the faults, the provider finishes what it started even when the
		// caller hangs up, as a real one commits its records (sandboxkit.Detach).
		h(w, sandboxkit.Detach(r), account)
	}
}

func (s *sandbox) internal(w http.ResponseWriter, err error) {
	writeError(w, http.StatusInternalServerError, "internal_error", err.Error(), "")
}

// readJSON decodes the body or answers 400.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := sandboxkit.ReadJSON(r, maxBody, v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "The request body could not be read: "+err.Error(), "")
		return false
	}
	return true
}

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

func (s *sandbox) activate(w http.ResponseWriter, r *http.Request, account string) {
	var req MerchantRequest
	if !readJSON(w, r, &req) {
		return
	}
	var p problems
	if strings.TrimSpace(req.ExternalID) == "" {
		p.add("external_id", "validation_error", "external_id is required")
	}
	if strings.TrimSpace(req.LegalName) == "" {
		p.add("legal_name", "validation_error", "legal_name is required")
	}
	if !countryRE.MatchString(req.Country) {
		p.add("country", "validation_error", "country must be ISO 3166-1 alpha-2")
	}
	if p.write(w) {
		return
	}
	ctx := r.Context()
	extKey := account + "\x00" + req.ExternalID
	unlock := s.locks.Lock(kindMerchantExt, extKey)
	defer unlock()
	var id string
	if found, err := s.cfg.Store.Get(ctx, kindMerchantExt, extKey, &id); err != nil {
		s.internal(w, err)
		return
	} else if found {
		var m merchantState
		if _, err := s.cfg.Store.Get(ctx, kindMerchant, id, &m); err != nil {
			s.internal(w, err)
			return
		}
		sandboxkit.WriteJSON(w, http.StatusOK, MerchantResponse{MerchantID: m.ID, Status: m.Status, Reason: m.Reason})
		return
	}
	m := merchantState{ID: sandboxkit.NewUUID(), Account: account, Request: req, Status: MerchantActive, ActivateAt: s.cfg.Now().UTC()}
	name := strings.ToUpper(req.LegalName)
	switch {
	case strings.Contains(name, RejectTrigger):
		m.Status, m.Reason = MerchantRejected, "The merchant does not meet Billie's risk policy"
	case strings.Contains(name, PendingTrigger):
		m.Status, m.Reason = MerchantPending, "Manual review by Billie's onboarding team"
	}
	if err := s.cfg.Store.Put(ctx, kindMerchant, m.ID, m); err != nil {
		s.internal(w, err)
		return
	}
	if err := s.cfg.Store.Put(ctx, kindMerchantExt, extKey, m.ID); err != nil {
		s.internal(w, err)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusCreated, MerchantResponse{MerchantID: m.ID, Status: m.Status, Reason: m.Reason})
}

func (s *sandbox) merchant(w http.ResponseWriter, r *http.Request, account string) {
	var m merchantState
	found, err := s.cfg.Store.Get(r.Context(), kindMerchant, r.PathValue("id"), &m)
	if err != nil {
		s.internal(w, err)
		return
	}
	if !found || !sandboxkit.Equal(m.Account, account) {
		writeError(w, http.StatusNotFound, "not_found", "Merchant not found", "")
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, MerchantResponse{MerchantID: m.ID, Status: m.Status, Reason: m.Reason})
}

// activeMerchant checks the merchant_id every session, capture and refund carries.
func (s *sandbox) activeMerchant(ctx context.Context, w http.ResponseWriter, account, id string) bool {
	if id == "" {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "merchant_id is required", "merchant_id")
		return false
	}
	var m merchantState
	found, err := s.cfg.Store.Get(ctx, kindMerchant, id, &m)
	if err != nil {
		s.internal(w, err)
		return false
	}
	if !found || !sandboxkit.Equal(m.Account, account) {
		writeError(w, http.StatusUnprocessableEntity, "merchant_not_found", "No merchant "+id+" for this PSP", "merchant_id")
		return false
	}
	if m.Status != MerchantActive {
		writeError(w, http.StatusConflict, "merchant_not_active", "Merchant "+id+" is "+m.Status, "merchant_id")
		return false
	}
	return true
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkAmount validates an amount object; source names it in errors.
func checkAmount(p *problems, source string, a Amount, positive bool) {
	if err := a.Check(); err != nil {
		p.add(source, "validation_error", "net + tax must equal gross, in EUR, none negative")
		return
	}
	if positive && !a.Gross.IsPositive() {
		p.add(source+".gross", "validation_error", "gross must be positive")
	}
	if c, _ := a.Gross.Cmp(maxAmount); c > 0 {
		p.add(source+".gross", "validation_error", "amount too large")
	}
}

func (s *sandbox) createSession(w http.ResponseWriter, r *http.Request, account string) {
	req, ok := readMerchantJSON(s, w, r, account, func(q *SessionRequest) string { return q.MerchantID })
	if !ok {
		return
	}
	ctx := r.Context()
	var p problems
	if strings.TrimSpace(req.ExternalCode) == "" {
		p.add("order_id", "validation_error", "order_id is required")
	}
	checkAmount(&p, "amount", req.Amount, true)
	if req.Duration < 7 || req.Duration > 120 {
		p.add("duration", "validation_error", "duration (payment term in days) must be 7 to 120")
	}
	if strings.TrimSpace(req.Debtor.Name) == "" {
		p.add("debtor_company.name", "validation_error", "the debtor company name is required")
	}
	if req.Debtor.Address == nil || !countryRE.MatchString(req.Debtor.Address.Country) {
		p.add("debtor_company.address.country", "validation_error", "the debtor company address country is required")
	}
	if !absoluteURL(req.MerchantURLs.AcceptURL) || !absoluteURL(req.MerchantURLs.DeclineURL) {
		p.add("merchant_urls", "validation_error", "accept_url and decline_url must be absolute URLs")
	}
	seen := map[string]bool{}
	var lines []lineState
	for i, li := range req.LineItems {
		src := fmt.Sprintf("line_items[%d]", i)
		switch {
		case li.ExternalID == "" || seen[li.ExternalID]:
			p.add(src+".external_id", "validation_error", "external_id is required and unique")
		case li.Quantity < 1:
			p.add(src+".quantity", "validation_error", "quantity must be a positive integer")
		}
		if li.Amount != nil {
			checkAmount(&p, src+".amount", *li.Amount, false)
		}
		seen[li.ExternalID] = true
		lines = append(lines, lineState{ExternalID: li.ExternalID, Title: li.Title, Quantity: li.Quantity})
	}
	if p.write(w) {
		return
	}
	extKey := req.MerchantID + "\x00" + req.ExternalCode
	unlock := s.locks.Lock(kindOrderExt, extKey)
	defer unlock()
	now := s.cfg.Now().UTC()
	o := orderState{UUID: sandboxkit.NewUUID(), SessionID: sandboxkit.NewID("hpp_"), CreatedAt: now}
	var existing string
	if found, err := s.cfg.Store.Get(ctx, kindOrderExt, extKey, &existing); err != nil {
		s.internal(w, err)
		return
	} else if found {
		var old orderState
		if _, err := s.cfg.Store.Get(ctx, kindOrder, existing, &old); err != nil {
			s.internal(w, err)
			return
		}
		// The same order id again: while nobody paid, the session is renewed.
		if old.State != StatePreWaiting {
			writeError(w, http.StatusConflict, "order_already_exists", "Order "+req.ExternalCode+" is already "+old.State, "order_id")
			return
		}
		o.UUID, o.SessionID, o.CreatedAt = old.UUID, old.SessionID, old.CreatedAt
	}
	o.Account, o.MerchantID, o.ExternalCode, o.State = account, req.MerchantID, req.ExternalCode, StatePreWaiting
	o.ExpiresAt, o.Request, o.Original, o.Lines = now.Add(s.cfg.SessionTTL), req, req.Amount.minor(), lines
	for _, put := range []struct {
		kind, id string
		v        any
	}{{kindOrder, o.UUID, o}, {kindOrderExt, extKey, o.UUID}, {kindSession, o.SessionID, o.UUID}} {
		if err := s.cfg.Store.Put(ctx, put.kind, put.id, put.v); err != nil {
			s.internal(w, err)
			return
		}
	}
	sandboxkit.WriteJSON(w, http.StatusCreated, SessionResponse{SessionID: o.SessionID,
		HPPURL: sandboxkit.JoinURL(s.cfg.BaseURL, "hpp/"+o.SessionID), ExpiresAt: o.ExpiresAt.Format(time.RFC3339), OrderUUID: o.UUID})
}

// loadOrder answers the PSP's order, or false after answering 404.
func (s *sandbox) loadOrder(ctx context.Context, w http.ResponseWriter, account, uuid string) (orderState, bool) {
	var o orderState
	found, err := s.cfg.Store.Get(ctx, kindOrder, uuid, &o)
	if err != nil {
		s.internal(w, err)
		return o, false
	}
	if !found || !sandboxkit.Equal(o.Account, account) {
		writeError(w, http.StatusNotFound, "not_found", "Order not found", "")
		return o, false
	}
	return o, true
}

// lockOrder locks the PSP's order and loads it; after answering 404 (or a store
// error) it answers false with the lock already released.
func (s *sandbox) lockOrder(ctx context.Context, w http.ResponseWriter, account, uuid string) (orderState, func(), bool) {
	unlock := s.locks.Lock(kindOrder, uuid)
	o, ok := s.loadOrder(ctx, w, account, uuid)
	if !ok {
		unlock()
		return o, nil, false
	}
	return o, unlock, true
}

// readMerchantJSON reads a request that names a merchant (merchantID picks it) and
// answers true only when that merchant is the account's and active, so every call
// on behalf of a merchant is refused the same way.
func readMerchantJSON[T any](s *sandbox, w http.ResponseWriter, r *http.Request, account string, merchantID func(*T) string) (T, bool) {
	var req T
	if !readJSON(w, r, &req) {
		return req, false
	}
	return req, s.activeMerchant(r.Context(), w, account, merchantID(&req))
}

func (s *sandbox) order(w http.ResponseWriter, r *http.Request, account string) {
	if o, ok := s.loadOrder(r.Context(), w, account, r.PathValue("uuid")); ok {
		sandboxkit.WriteJSON(w, http.StatusOK, o.wire())
	}
}

func (s *sandbox) save(ctx context.Context, w http.ResponseWriter, o orderState) bool {
	if err := s.cfg.Store.Put(ctx, kindOrder, o.UUID, o); err != nil {
		s.internal(w, err)
		return false
	}
	return true
}

// capturable are the states an invoice can be created in.
var capturable = map[string]bool{StateAuthorized: true, StateCreated: true, StatePartiallyShipped: true}

func (s *sandbox) createInvoice(w http.ResponseWriter, r *http.Request, account string) {
	req, ok := readMerchantJSON(s, w, r, account, func(q *InvoiceRequest) string { return q.MerchantID })
	if !ok {
		return
	}
	ctx := r.Context()
	var p problems
	if len(req.Orders) != 1 {
		p.add("orders", "validation_error", "exactly one order per invoice")
	}
	if strings.TrimSpace(req.ExternalCode) == "" {
		p.add("external_code", "validation_error", "external_code (the invoice number) is required")
	}
	checkAmount(&p, "amount", req.Amount, true)
	if p.write(w) {
		return
	}
	uuid := req.Orders[0]
	var byCode string
	if found, _ := s.cfg.Store.Get(ctx, kindOrderExt, req.MerchantID+"\x00"+uuid, &byCode); found {
		uuid = byCode // the merchant's order id works as well as the uuid
	}
	o, unlock, ok := s.lockOrder(ctx, w, account, uuid)
	if !ok {
		return
	}
	defer unlock()
	if o.MerchantID != req.MerchantID {
		writeError(w, http.StatusNotFound, "not_found", "Order not found for merchant "+req.MerchantID, "orders")
		return
	}
	amt := req.Amount.minor()
	codeKey := req.MerchantID + "\x00" + req.ExternalCode
	var taken string
	if found, err := s.cfg.Store.Get(ctx, kindInvoiceCode, codeKey, &taken); err != nil {
		s.internal(w, err)
		return
	} else if found {
		// A repeated call with the same invoice number is answered, not repeated.
		if i := o.invoice(taken); i >= 0 {
			if o.Invoices[i].Amount == amt {
				sandboxkit.WriteJSON(w, http.StatusOK, Created{UUID: taken})
				return
			}
			writeError(w, http.StatusConflict, "invoice_already_exists", "An invoice "+req.ExternalCode+" already exists", "external_code")
			return
		}
		var other string
		if ok, _ := s.cfg.Store.Get(ctx, kindInvoice, taken, &other); ok && other != o.UUID {
			writeError(w, http.StatusConflict, "invoice_already_exists", "An invoice "+req.ExternalCode+" already exists for another order", "external_code")
			return
		}
		// Otherwise the index outlived a failed write: the number is free.
	}
	if !capturable[o.State] {
		writeError(w, http.StatusConflict, "order_state_conflict", "An order in state "+o.State+" cannot be invoiced", "orders")
		return
	}
	if amt.Gross > o.unshipped().Gross {
		writeError(w, http.StatusConflict, "amount_exceeds_unshipped",
			fmt.Sprintf("The invoice amount %s exceeds the unshipped amount %s", req.Amount.Gross.Amount(), o.unshipped().wire().Gross.Amount()), "amount.gross")
		return
	}
	lines := append([]lineState(nil), o.Lines...)
	if !o.takeOpen(w, &p, lines, req.LineItems, func(l *lineState, q int64) { l.Shipped += q }) {
		return
	}
	if p.write(w) {
		return
	}
	iv := invoiceState{document: s.newDocument(req.ExternalCode, amt, req.LineItems)}
	o.Invoices, o.Lines = append(o.Invoices, iv), lines
	o.settle()
	// Indexes first: one left behind by a failed order write points nowhere and is ignored.
	for _, put := range [][3]string{{kindInvoice, iv.UUID, o.UUID}, {kindInvoiceCode, codeKey, iv.UUID}} {
		if err := s.cfg.Store.Put(ctx, put[0], put[1], put[2]); err != nil {
			s.internal(w, err)
			return
		}
	}
	if !s.save(ctx, w, o) {
		return
	}
	s.event(o, EventInvoiceCreated, iv.UUID, &iv.Amount)
	if o.State == StateShipped {
		s.event(o, EventOrderShipped, "", nil)
	}
	sandboxkit.WriteJSON(w, http.StatusCreated, Created{UUID: iv.UUID})
}

func (s *sandbox) createCreditNote(w http.ResponseWriter, r *http.Request, account string) {
	req, ok := readMerchantJSON(s, w, r, account, func(q *CreditNoteRequest) string { return q.MerchantID })
	if !ok {
		return
	}
	ctx := r.Context()
	var p problems
	if strings.TrimSpace(req.ExternalCode) == "" {
		p.add("external_code", "validation_error", "external_code (the credit note number) is required")
	}
	checkAmount(&p, "amount", req.Amount, true)
	if p.write(w) {
		return
	}
	invoiceID := r.PathValue("uuid")
	var uuid string
	if found, err := s.cfg.Store.Get(ctx, kindInvoice, invoiceID, &uuid); err != nil {
		s.internal(w, err)
		return
	} else if !found {
		writeError(w, http.StatusNotFound, "not_found", "Invoice not found", "")
		return
	}
	o, unlock, ok := s.lockOrder(ctx, w, account, uuid)
	if !ok {
		return
	}
	defer unlock()
	i := o.invoice(invoiceID)
	if o.MerchantID != req.MerchantID || i < 0 {
		writeError(w, http.StatusNotFound, "not_found", "Invoice not found for merchant "+req.MerchantID, "")
		return
	}
	iv := o.Invoices[i]
	amt := req.Amount.minor()
	for _, cr := range iv.Credits {
		if cr.ExternalCode == req.ExternalCode {
			if cr.Amount == amt {
				sandboxkit.WriteJSON(w, http.StatusOK, Created{UUID: cr.UUID})
				return
			}
			writeError(w, http.StatusConflict, "credit_note_already_exists", "A credit note "+req.ExternalCode+" already exists", "external_code")
			return
		}
	}
	left := iv.Amount.sub(iv.credited())
	if amt.Gross > left.Gross {
		writeError(w, http.StatusConflict, "amount_exceeds_invoice",
			fmt.Sprintf("The credit note amount %s exceeds what is left of the invoice, %s", req.Amount.Gross.Amount(), left.wire().Gross.Amount()), "amount.gross")
		return
	}
	lines := append([]lineState(nil), o.Lines...)
	for k, li := range req.LineItems {
		src := fmt.Sprintf("line_items[%d]", k)
		j := o.line(li.ExternalID)
		switch {
		case j < 0:
			p.add(src+".external_id", "validation_error", "The order has no line item "+li.ExternalID)
		case li.Quantity < 1:
			p.add(src+".quantity", "validation_error", "quantity must be a positive integer")
		case li.Quantity > iv.lineOpen(li.ExternalID):
			writeError(w, http.StatusConflict, "quantity_exceeds_invoice",
				fmt.Sprintf("The invoice has only %d of %s left to credit", iv.lineOpen(li.ExternalID), li.ExternalID), src+".quantity")
			return
		default:
			lines[j].Returned += li.Quantity
		}
	}
	if p.write(w) {
		return
	}
	cr := creditState{document: s.newDocument(req.ExternalCode, amt, req.LineItems), Comment: req.Comment}
	o.Invoices[i].Credits = append(o.Invoices[i].Credits, cr)
	o.Lines = lines
	if !s.save(ctx, w, o) {
		return
	}
	sandboxkit.WriteJSON(w, http.StatusCreated, Created{UUID: cr.UUID})
}

// cancellable are the states whose uncaptured part can be cancelled.
var cancellable = map[string]bool{StatePreWaiting: true, StateWaiting: true, StateAuthorized: true, StateCreated: true, StatePartiallyShipped: true}

// cancel releases the uncaptured part: all of it without amount (the real call,
// answered 204), or the given amount and lines (inferred partial cancel).
func (s *sandbox) cancel(w http.ResponseWriter, r *http.Request, account string) {
	req, ok := readMerchantJSON(s, w, r, account, func(q *CancelRequest) string { return q.MerchantID })
	if !ok {
		return
	}
	ctx := r.Context()
	o, unlock, ok := s.lockOrder(ctx, w, account, r.PathValue("uuid"))
	if !ok {
		return
	}
	defer unlock()
	if o.MerchantID != req.MerchantID {
		writeError(w, http.StatusNotFound, "not_found", "Order not found for merchant "+req.MerchantID, "")
		return
	}
	if req.ExternalCode != "" {
		for _, c := range o.Cancels {
			if c.ExternalCode == req.ExternalCode {
				sandboxkit.WriteJSON(w, http.StatusOK, Created{UUID: c.UUID})
				return
			}
		}
	}
	if !cancellable[o.State] {
		writeError(w, http.StatusConflict, "order_state_conflict", "An order in state "+o.State+" cannot be cancelled", "")
		return
	}
	c := cancelState{s.newDocument(req.ExternalCode, amountMinor{}, nil)}
	lines := append([]lineState(nil), o.Lines...)
	if req.Amount == nil {
		c.Amount = o.unshipped()
		for j := range lines {
			lines[j].Cancelled += lines[j].open()
		}
	} else {
		var p problems
		checkAmount(&p, "amount", *req.Amount, true)
		if p.write(w) {
			return
		}
		c.Amount = req.Amount.minor()
		if c.Amount.Gross > o.unshipped().Gross {
			writeError(w, http.StatusConflict, "amount_exceeds_unshipped",
				fmt.Sprintf("Only %s is not yet invoiced", o.unshipped().wire().Gross.Amount()), "amount.gross")
			return
		}
		if !o.takeOpen(w, &p, lines, req.LineItems, func(l *lineState, q int64) { l.Cancelled += q }) {
			return
		}
		if p.write(w) {
			return
		}
		c.Lines = req.LineItems
	}
	o.Cancels, o.Lines = append(o.Cancels, c), lines
	o.settle()
	if !s.save(ctx, w, o) {
		return
	}
	if o.State == StateCanceled {
		s.event(o, EventOrderCanceled, "", nil)
	}
	if req.Amount == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, Created{UUID: c.UUID})
}

// webhookTarget answers where an account's webhooks go and the key they carry.
func (s *sandbox) webhookTarget(account string) (string, string) {
	if s.cfg.Webhook != nil {
		return s.cfg.Webhook(account)
	}
	return s.cfg.NotifyURL, s.cfg.WebhookKey
}

func (s *sandbox) send(o orderState, label string, body any) {
	u, key := s.webhookTarget(o.Account)
	if u == "" {
		return
	}
	b, _ := json.Marshal(body)
	s.cfg.Notifier.Send(sandboxkit.Notification{Account: o.Account, Label: label, URL: u, Body: b,
		Header: http.Header{"Content-Type": {"application/json"}, WebhookKeyHeader: {key}}})
}

// event sends an order event.
func (s *sandbox) event(o orderState, event, invoiceUUID string, amt *amountMinor) {
	ev := OrderWebhook{CreatedAt: s.cfg.Now().UTC().Format(time.RFC3339Nano), Event: event,
		OrderID: o.ExternalCode, OrderUUID: o.UUID, InvoiceUUID: invoiceUUID}
	if amt != nil {
		a := amt.wire()
		ev.Amount = &a
	}
	s.send(o, event, ev)
}

// simulate changes an order without telling anyone (sandboxkit.MountSimulate): a
// capture is an invoice by amount, a refund a credit note by amount on the newest
// invoice with enough left, a cancel releases all that is not invoiced. The
// documents get no external code: the backoffice never numbered them.
func (s *sandbox) simulate(ctx context.Context, sim sandboxkit.Simulation, allowed sandboxkit.ControlScope) error {
	doc := sandboxkit.SimDoc[orderState]{Store: s.cfg.Store, Locks: &s.locks, Kind: kindOrder,
		Account: func(o *orderState) string { return o.Account }, Currency: func(*orderState) string { return Currency }}
	return doc.Apply(ctx, sim, allowed, func(o *orderState, amount int64) error {
		amt := amountMinor{Gross: amount, Net: amount}
		switch sim.Event {
		case sandboxkit.SimCapture:
			if !capturable[o.State] || amt.Gross > o.unshipped().Gross {
				return fmt.Errorf("%w: the order is %s with %d unshipped", sandboxkit.ErrSimRefused, o.State, o.unshipped().Gross)
			}
			iv := invoiceState{document: s.newDocument("", amt, nil)}
			if err := s.cfg.Store.Put(ctx, kindInvoice, iv.UUID, o.UUID); err != nil {
				return err
			}
			o.Invoices = append(o.Invoices, iv)
			o.settle()
		case sandboxkit.SimRefund:
			i := len(o.Invoices) - 1
			for i >= 0 && o.Invoices[i].Amount.sub(o.Invoices[i].credited()).Gross < amt.Gross {
				i--
			}
			if i < 0 {
				return fmt.Errorf("%w: no invoice has %d left to credit", sandboxkit.ErrSimRefused, amt.Gross)
			}
			o.Invoices[i].Credits = append(o.Invoices[i].Credits, creditState{document: s.newDocument("", amt, nil)})
		case sandboxkit.SimCancel:
			if !cancellable[o.State] {
				return fmt.Errorf("%w: an order in state %s cannot be cancelled", sandboxkit.ErrSimRefused, o.State)
			}
			o.Cancels = append(o.Cancels, cancelState{s.newDocument("", o.unshipped(), nil)})
			for j := range o.Lines {
				o.Lines[j].Cancelled += o.Lines[j].open()
			}
			o.settle()
		}
		return nil
	})
}
