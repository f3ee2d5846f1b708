package billwerk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// SandboxConfig configures the Billwerk+ sandbox. Reepay sends webhooks to one URL set
// in its administration UI, not per session, so the notify URL lives here.
type SandboxConfig struct {
	sandboxkit.Config
	// NotifyURL receives the webhooks (our /webhooks/billwerk); empty sends none.
	NotifyURL string
	// WebhookSecret signs the webhooks.
	WebhookSecret string
	// MerchantName is shown on the payment window; "" shows none.
	MerchantName string
}

// DeclineTrigger in the customer's last name makes the acquirer decline the payment
// when the shopper approves it (state failed, error credit_card_declined).
const DeclineTrigger = "DECLINE"

// Store kinds of the sandbox's documents.
const (
	kindCharge  = "billwerk_charge"
	kindSession = "billwerk_session"
	kindRefund  = "billwerk_refund"
)

// maxRequestBytes bounds a request body.
const maxRequestBytes = 1 << 20

// sandboxCharge is a charge as the sandbox keeps it: the wire charge plus what Reepay
// knows but does not show (whose it is, the page URLs, idempotency keys seen).
type sandboxCharge struct {
	Charge    charge                     `json:"charge"`
	Account   string                     `json:"account"`
	Reference string                     `json:"reference"`
	Decline   bool                       `json:"decline,omitempty"` // DeclineTrigger in the customer's name
	AcceptURL string                     `json:"accept_url"`
	CancelURL string                     `json:"cancel_url"`
	Keyed     map[string]json.RawMessage `json:"keyed,omitempty"`   // settle/cancel key → first answer
	Refunds   map[string]string          `json:"refunds,omitempty"` // key → refund id
	Seq       int                        `json:"seq"`
}

type sandboxSession struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
}

type sandbox struct {
	cfg   SandboxConfig
	locks sandboxkit.Locks
	// The listings' indexes: charges and refunds by account and day made.
	charges, refunds *sandboxkit.DayIndex
}

// NewSandbox answers the Billwerk+ simulator: the checkout API under /checkout/v1/…, the
// core API under /api/v1/…, the payment window under /pay/{session id}, and the controls
// under /_sandbox/. Paths may arrive with or without the BaseURL's path in front.
//
// Triggers: the shopper's Decline on the page fails the charge, and so does an approval
// when the customer's last name contains DeclineTrigger; a "decline" fault on
// operation authorize (sandboxkit.OpAuthorize) fails the next approval, on capture a
// settle and on refund a refund, as the acquirer would (HTTP 200 with error_state
// hard_declined). Request faults answer in Reepay's error format; a "conflict" fault is
// HTTP 409 (the kit's contract) with Reepay's code 82 (wrong state).
func NewSandbox(cfg SandboxConfig) http.Handler {
	cfg.Config = cfg.Config.WithDefaults()
	s := &sandbox{cfg: cfg,
		charges: &sandboxkit.DayIndex{Store: cfg.Store, Kind: "billwerk_charge_day", ChunkSize: listPageSize},
		refunds: &sandboxkit.DayIndex{Store: cfg.Store, Kind: "billwerk_refund_day", ChunkSize: listPageSize}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/list/charge", s.api(opFetchStatus, s.listCharges))
	mux.HandleFunc("GET /api/v1/list/refund", s.api(opFetchStatus, s.listRefunds))
	mux.HandleFunc("POST /checkout/v1/session/charge", s.api(opCreateSession, s.createSession))
	mux.HandleFunc("GET /api/v1/account", s.api(opActivate, s.account))
	mux.HandleFunc("GET /api/v1/charge/{handle}", s.api(opFetchStatus, s.getCharge))
	mux.HandleFunc("POST /api/v1/charge/{handle}/settle", s.api(opCapture, s.settle))
	mux.HandleFunc("POST /api/v1/charge/{handle}/cancel", s.api(opCancel, s.cancel))
	mux.HandleFunc("POST /api/v1/refund", s.api(opRefund, s.refund))
	mux.HandleFunc("GET /pay/{id}", s.page)
	mux.HandleFunc("POST /pay/{id}", s.page)
	sandboxkit.MountControls(mux, cfg.Faults, cfg.Notifier)
	sandboxkit.MountSimulate(mux, s.simulate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, 0, "Not found", "no such resource")
	})
	return sandboxkit.StripBasePath(cfg.BaseURL, mux)
}

// Fault operation names.
const (
	opCreateSession = sandboxkit.OpCreateSession
	opActivate      = sandboxkit.OpActivate
	opFetchStatus   = sandboxkit.OpFetchStatus
	opCapture       = sandboxkit.OpCapture
	opCancel        = sandboxkit.OpCancel
	opRefund        = sandboxkit.OpRefund
)

type apiHandler func(w http.ResponseWriter, r *http.Request, acct string)

// api authenticates (Basic, private key as user, empty password) and applies faults.
func (s *sandbox) api(op string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || !s.cfg.Authenticate(user, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="reepay"`)
			writeError(w, r, http.StatusUnauthorized, 0, "Unauthorized", "no valid private key given")
			return
		}
		// The state, faults and notifications know the account by its id, never by the key.
		account := s.cfg.AccountID(user)
		if s.cfg.Faults.Apply(w, r, account, op, func(w http.ResponseWriter, status int, _, msg string) {
			if status == http.StatusConflict {
				writeError(w, r, status, CodeWrongState, codeMessages[CodeWrongState], msg)
				return
			}
			writeError(w, r, status, codeInternalError, codeMessages[codeInternalError], msg)
		}) {
			return
		}
		// Once past the faults, the provider finishes what it started even when the
		// caller hangs up, as a real one commits its records (sandboxkit.Detach).
		h(w, sandboxkit.Detach(r), account)
	}
}

// writeError writes Reepay's error body.
func writeError(w http.ResponseWriter, r *http.Request, status, code int, errText, msg string) {
	sandboxkit.WriteJSON(w, status, apiError{
		Code:       code,
		Error:      errText,
		Message:    msg,
		Path:       r.URL.Path,
		Timestamp:  time.Now().UTC().Format("2006-01-02T15:04:05.000+0000"),
		HTTPStatus: status,
		HTTPReason: http.StatusText(status),
		RequestID:  sandboxkit.NewID(""),
	})
}

func writeCode(w http.ResponseWriter, r *http.Request, status, code int, msg string) {
	writeError(w, r, status, code, codeMessages[code], msg)
}

func invalidRequest(w http.ResponseWriter, r *http.Request, msg string) {
	writeCode(w, r, http.StatusUnprocessableEntity, codeInvalidRequest, msg)
}

func (s *sandbox) now() string { return s.cfg.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

// lockCharge locks the account's charge and loads it; a repeated key answers what
// the first call with it answered. ok false: the answer is written and the lock let go.
func (s *sandbox) lockCharge(w http.ResponseWriter, r *http.Request, acct, handle, key string) (c sandboxCharge, unlock func(), ok bool) {
	unlock = s.locks.Lock(kindCharge, handle)
	c, found, err := s.load(r.Context(), handle)
	prev, seen := c.Keyed[key]
	switch {
	case err != nil:
		s.storeErr(w, r, err)
	case !found || c.Account != acct:
		writeCode(w, r, http.StatusNotFound, CodeInvoiceNotFound, "no invoice "+handle)
	case key != "" && seen:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(prev)
	default:
		return c, unlock, true
	}
	unlock()
	return c, nil, false
}

func (s *sandbox) load(ctx context.Context, handle string) (sandboxCharge, bool, error) {
	var c sandboxCharge
	found, err := s.cfg.Store.Get(ctx, kindCharge, handle, &c)
	return c, found, err
}

func (s *sandbox) storeErr(w http.ResponseWriter, r *http.Request, err error) {
	writeCode(w, r, http.StatusInternalServerError, codeInternalError, err.Error())
}

func (s *sandbox) account(w http.ResponseWriter, r *http.Request, acct string) {
	sandboxkit.WriteJSON(w, http.StatusOK, account{Handle: "sandbox", Name: "Billwerk+ sandbox", Currency: "EUR", State: "active"})
}

// requestAmount is what a settle or refund moves: the amount given, the total of
// the lines given (field names them), or all (whole) when neither; it answers 422
// for both at once, bad lines or nothing positive, and then false.
func requestAmount(w http.ResponseWriter, r *http.Request, amount *int64, given []orderLine, field string, whole int64) (int64, []chargeOrderLine, bool) {
	total, lines := whole, []chargeOrderLine(nil)
	switch {
	case amount != nil && len(given) > 0:
		invalidRequest(w, r, "give amount or "+field+", not both")
		return 0, nil, false
	case amount != nil:
		total = *amount
	case len(given) > 0:
		var err error
		if total, lines, err = linesTotal(given); err != nil {
			invalidRequest(w, r, err.Error())
			return 0, nil, false
		}
	}
	if total <= 0 {
		invalidRequest(w, r, "amount must be positive")
		return 0, nil, false
	}
	return total, lines, true
}

// linesTotal validates order lines and answers their gross total in minor units.
func linesTotal(lines []orderLine) (int64, []chargeOrderLine, error) {
	var total int64
	out := make([]chargeOrderLine, 0, len(lines))
	for i, l := range lines {
		if l.Ordertext == "" {
			return 0, nil, errors.New("order_lines[" + strconv.Itoa(i) + "].ordertext is required")
		}
		if l.Quantity < 1 || l.Amount < 0 || l.Quantity > 1_000_000 || l.Amount > 1_000_000_000_000 {
			return 0, nil, errors.New("order_lines[" + strconv.Itoa(i) + "]: quantity must be at least 1 and amount not negative")
		}
		bps, err := vatBps(l.VAT)
		if err != nil {
			return 0, nil, errors.New("order_lines[" + strconv.Itoa(i) + "].vat must be a fraction between 0 and 1")
		}
		incl := l.AmountInclVAT == nil || *l.AmountInclVAT
		gross := l.Amount * l.Quantity
		if !incl { // net amount: add VAT, rounded half up
			gross = (gross*(10000+bps) + 5000) / 10000
		}
		total += gross
		out = append(out, chargeOrderLine{
			ID: "ol_" + strconv.Itoa(i+1), Ordertext: l.Ordertext, Amount: l.Amount, VAT: vatFraction(bps),
			Quantity: l.Quantity, AmountInclVAT: incl, TotalAmount: gross,
		})
	}
	return total, out, nil
}

func (s *sandbox) createSession(w http.ResponseWriter, r *http.Request, acct string) {
	var req sessionRequest
	if err := sandboxkit.ReadJSON(r, maxRequestBytes, &req); err != nil {
		invalidRequest(w, r, err.Error())
		return
	}
	o := req.Order
	if o.Handle == "" {
		invalidRequest(w, r, "order.handle is required")
		return
	}
	if (o.Amount == nil) == (len(o.OrderLines) == 0) {
		invalidRequest(w, r, "either order.amount or order.order_lines must be given")
		return
	}
	cur := o.Currency
	if cur == "" {
		cur = "EUR" // the sandbox account's currency
	}
	if !slices.Contains(Currencies, cur) {
		invalidRequest(w, r, "currency "+cur+" is not enabled for this account")
		return
	}
	var amount int64
	var lines []chargeOrderLine
	if o.Amount != nil {
		amount = *o.Amount
	} else {
		var err error
		if amount, lines, err = linesTotal(o.OrderLines); err != nil {
			invalidRequest(w, r, err.Error())
			return
		}
	}
	if amount <= 0 {
		invalidRequest(w, r, "amount must be positive")
		return
	}
	for _, u := range []string{req.AcceptURL, req.CancelURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") {
			invalidRequest(w, r, "accept_url and cancel_url must be absolute http(s) URLs")
			return
		}
	}
	unlock := s.locks.Lock(kindCharge, o.Handle)
	defer unlock()
	c, found, err := s.load(r.Context(), o.Handle)
	if err != nil {
		s.storeErr(w, r, err)
		return
	}
	if found {
		// Reepay allows a new session for an unpaid invoice; anything else is refused.
		switch c.Charge.State {
		case stateAuthorized:
			writeCode(w, r, http.StatusBadRequest, CodeAlreadyAuthorized, "invoice "+o.Handle+" is already authorized")
			return
		case stateSettled:
			writeCode(w, r, http.StatusBadRequest, CodeAlreadySettled, "invoice "+o.Handle+" is already settled")
			return
		case stateCancelled:
			writeCode(w, r, http.StatusBadRequest, CodeAlreadyCancelled, "invoice "+o.Handle+" is cancelled")
			return
		}
		if c.Account != acct || c.Charge.Amount != amount || c.Charge.Currency != cur {
			writeCode(w, r, http.StatusBadRequest, CodeDuplicateHandle, "handle "+o.Handle+" is used by another invoice")
			return
		}
		c.Charge.State, c.Charge.Error, c.Charge.ErrorState, c.Charge.Failed = stateCreated, "", "", ""
	} else {
		c = sandboxCharge{
			Account: acct,
			Charge: charge{
				Handle: o.Handle, State: stateCreated, Amount: amount, Currency: cur,
				Created: s.now(), OrderLines: lines,
			},
		}
		if o.Customer != nil {
			c.Charge.Customer = o.Customer.Handle
		}
	}
	c.Reference = o.Ordertext
	c.Decline = o.Customer != nil && strings.Contains(strings.ToUpper(o.Customer.LastName), DeclineTrigger)
	c.AcceptURL, c.CancelURL = req.AcceptURL, req.CancelURL
	sess := sandboxSession{ID: sandboxkit.NewID("cs_"), Handle: o.Handle}
	if err := s.cfg.Store.Put(r.Context(), kindCharge, o.Handle, c); err != nil {
		s.storeErr(w, r, err)
		return
	}
	if !found {
		if err := s.charges.Add(r.Context(), acct, s.cfg.Now(), o.Handle); err != nil {
			s.storeErr(w, r, err)
			return
		}
	}
	if err := s.cfg.Store.Put(r.Context(), kindSession, sess.ID, sess); err != nil {
		s.storeErr(w, r, err)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, sessionResponse{ID: sess.ID, URL: sandboxkit.JoinURL(s.cfg.BaseURL, "/pay/"+sess.ID)})
}

func (s *sandbox) getCharge(w http.ResponseWriter, r *http.Request, acct string) {
	c, found, err := s.load(r.Context(), r.PathValue("handle"))
	if err != nil {
		s.storeErr(w, r, err)
		return
	}
	if !found || c.Account != acct {
		writeCode(w, r, http.StatusNotFound, CodeInvoiceNotFound, "no invoice "+r.PathValue("handle"))
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, c.Charge)
}

// nextTransaction answers a new transaction id on the charge.
func (c *sandboxCharge) nextTransaction() string {
	c.Seq++
	return "tr_" + c.Charge.Handle + "_" + strconv.Itoa(c.Seq)
}

func (s *sandbox) settle(w http.ResponseWriter, r *http.Request, acct string) {
	handle := r.PathValue("handle")
	var req settleRequest
	if err := sandboxkit.ReadJSON(r, maxRequestBytes, &req); err != nil {
		invalidRequest(w, r, err.Error())
		return
	}
	c, unlock, ok := s.lockCharge(w, r, acct, handle, req.Key)
	if !ok {
		return
	}
	defer unlock()
	ch := &c.Charge
	open := ch.AuthorizedAmount - ch.SettledAmount
	switch {
	case ch.State == stateCancelled:
		writeCode(w, r, http.StatusBadRequest, CodeAlreadyCancelled, "invoice is cancelled")
		return
	case ch.State == stateSettled && open <= 0:
		writeCode(w, r, http.StatusBadRequest, CodeAlreadySettled, "invoice is already settled")
		return
	case ch.State == stateFailed:
		writeCode(w, r, http.StatusBadRequest, CodeWrongStateForOperation, "invoice has failed")
		return
	case ch.State != stateAuthorized && ch.State != stateSettled:
		writeCode(w, r, http.StatusBadRequest, CodeWrongState, "invoice is "+ch.State+", not authorized")
		return
	}
	amount, lines, ok := requestAmount(w, r, req.Amount, req.OrderLines, "order_lines", open)
	if !ok {
		return
	}
	if amount > open {
		writeCode(w, r, http.StatusBadRequest, CodeAmountAboveAuthorized,
			"settle of "+strconv.FormatInt(amount, 10)+" exceeds the "+strconv.FormatInt(open, 10)+" still authorized")
		return
	}
	if _, ok := s.cfg.Faults.Take(acct, opCapture, sandboxkit.FaultDecline); ok {
		// An acquirer decline is HTTP 200 with error_state; the first settle fails the charge.
		ch.Error, ch.ErrorState = "acquirer_rejected", errorStateHardDeclined
		if ch.SettledAmount == 0 {
			ch.State, ch.Failed = stateFailed, s.now()
		}
		s.saveAndAnswer(w, r, c, req.Key, EventInvoiceFailed, ch.State == stateFailed)
		return
	}
	ch.Error, ch.ErrorState = "", ""
	ch.SettledAmount += amount
	ch.State, ch.Settled = stateSettled, s.now()
	ch.Transaction = c.nextTransaction()
	if len(lines) > 0 {
		ch.OrderLines = append(ch.OrderLines, lines...)
	}
	s.saveAndAnswer(w, r, c, req.Key, EventInvoiceSettled, true)
}

// saveAndAnswer stores the charge, remembers the answer under the idempotency key,
// answers it and sends the webhook.
func (s *sandbox) saveAndAnswer(w http.ResponseWriter, r *http.Request, c sandboxCharge, key, event string, notify bool) {
	answer, _ := json.Marshal(c.Charge)
	if key != "" {
		if c.Keyed == nil {
			c.Keyed = map[string]json.RawMessage{}
		}
		c.Keyed[key] = answer
	}
	if err := s.cfg.Store.Put(r.Context(), kindCharge, c.Charge.Handle, c); err != nil {
		s.storeErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(answer)
	if notify {
		s.webhook(c, event)
	}
}

// cancel releases the uncaptured authorisation. Without a body it is Reepay's cancel:
// an unsettled charge becomes cancelled, a partly settled one keeps what was settled
// and lets go of the rest (inferred). With {"amount": n} it releases only n of what is
// still authorised: an inferred extension, see cancelRequest.
func (s *sandbox) cancel(w http.ResponseWriter, r *http.Request, acct string) {
	handle := r.PathValue("handle")
	var req cancelRequest
	if b, err := sandboxkit.ReadBody(r, maxRequestBytes); err != nil {
		invalidRequest(w, r, err.Error())
		return
	} else if len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, &req); err != nil {
			invalidRequest(w, r, "malformed JSON: "+err.Error())
			return
		}
	}
	c, unlock, ok := s.lockCharge(w, r, acct, handle, req.Key)
	if !ok {
		return
	}
	defer unlock()
	ch := &c.Charge
	open := ch.AuthorizedAmount - ch.SettledAmount
	switch {
	case ch.State == stateCancelled:
		writeCode(w, r, http.StatusBadRequest, CodeAlreadyCancelled, "invoice is already cancelled")
		return
	case ch.State == stateSettled && open <= 0:
		writeCode(w, r, http.StatusBadRequest, CodeAlreadySettled, "invoice is settled: refund instead")
		return
	case ch.State == stateFailed:
		writeCode(w, r, http.StatusBadRequest, CodeWrongStateForOperation, "invoice has failed")
		return
	case req.Amount != nil && ch.State != stateAuthorized && ch.State != stateSettled:
		writeCode(w, r, http.StatusBadRequest, CodeWrongState, "invoice is "+ch.State+": nothing authorized to release")
		return
	}
	release := open
	if req.Amount != nil {
		release = *req.Amount
		if release <= 0 {
			invalidRequest(w, r, "amount must be positive")
			return
		}
		if release > open {
			writeCode(w, r, http.StatusBadRequest, CodeAmountAboveAuthorized,
				"release of "+strconv.FormatInt(release, 10)+" exceeds the "+strconv.FormatInt(open, 10)+" still authorized")
			return
		}
	}
	event := ""
	switch {
	case ch.State != stateAuthorized && ch.State != stateSettled, ch.SettledAmount == 0 && release == open:
		ch.State, ch.Cancelled = stateCancelled, s.now()
		event = EventInvoiceCancelled
	default: // part of the authorisation goes; the charge now asks less
		ch.AuthorizedAmount -= release
		ch.Amount -= release
	}
	ch.Transaction = c.nextTransaction()
	s.saveAndAnswer(w, r, c, req.Key, event, event != "")
}

func (s *sandbox) refund(w http.ResponseWriter, r *http.Request, acct string) {
	var req refundRequest
	if err := sandboxkit.ReadJSON(r, maxRequestBytes, &req); err != nil {
		invalidRequest(w, r, err.Error())
		return
	}
	if req.Invoice == "" {
		invalidRequest(w, r, "invoice is required")
		return
	}
	c, unlock, ok := s.lockCharge(w, r, acct, req.Invoice, "")
	if !ok {
		return
	}
	defer unlock()
	if id, ok := c.Refunds[req.Key]; ok && req.Key != "" {
		var rf refund
		if _, err := s.cfg.Store.Get(r.Context(), kindRefund, id, &rf); err != nil {
			s.storeErr(w, r, err)
			return
		}
		sandboxkit.WriteJSON(w, http.StatusOK, rf)
		return
	}
	ch := &c.Charge
	if ch.State != stateSettled {
		writeCode(w, r, http.StatusBadRequest, CodeWrongStateForOperation, "invoice is "+ch.State+": only settled invoices can be refunded")
		return
	}
	refundable := ch.SettledAmount - ch.RefundedAmount
	amount, _, ok := requestAmount(w, r, req.Amount, req.NoteLines, "note_lines", refundable)
	if !ok {
		return
	}
	if amount > refundable {
		writeCode(w, r, http.StatusBadRequest, CodeRefundAmountTooHigh,
			"refund of "+strconv.FormatInt(amount, 10)+" exceeds the refundable "+strconv.FormatInt(refundable, 10))
		return
	}
	rf := refund{
		ID: sandboxkit.NewID("rf_"), Invoice: ch.Handle, Amount: amount, Currency: ch.Currency,
		Type: "card", Created: s.now(), Transaction: c.nextTransaction(), State: refundRefunded,
	}
	if _, ok := s.cfg.Faults.Take(acct, opRefund, sandboxkit.FaultDecline); ok {
		rf.State, rf.ErrorState, rf.Error = refundFailed, errorStateHardDeclined, "acquirer_rejected"
	} else {
		ch.RefundedAmount += amount
	}
	if req.Key != "" {
		if c.Refunds == nil {
			c.Refunds = map[string]string{}
		}
		c.Refunds[req.Key] = rf.ID
	}
	if err := s.putRefund(r.Context(), acct, rf); err != nil {
		s.storeErr(w, r, err)
		return
	}
	if err := s.cfg.Store.Put(r.Context(), kindCharge, ch.Handle, c); err != nil {
		s.storeErr(w, r, err)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, rf)
	if rf.State == refundRefunded {
		s.webhook(c, EventInvoiceRefund)
	}
}

// page is the payment window: GET shows it, a form POST completes it.
func (s *sandbox) page(w http.ResponseWriter, r *http.Request) {
	var sess sandboxSession
	if !sandboxkit.LoadPage(w, r, s.cfg.Store, kindSession, r.PathValue("id"), &sess, "payment session not found") {
		return
	}
	form, ok := sandboxkit.PostedPageForm(w, r)
	if !ok {
		return
	}
	unlock := s.locks.Lock(kindCharge, sess.Handle)
	defer unlock()
	c, found, err := s.load(r.Context(), sess.Handle)
	if err != nil || !found {
		http.Error(w, "invoice not found", http.StatusNotFound)
		return
	}
	ch := &c.Charge
	view := sandboxkit.Page{
		Provider: "Billwerk+ Payments", Accent: "#0b5cff", Reference: ch.Handle, Merchant: s.cfg.MerchantName,
		Amount: money.New(ch.Amount, ch.Currency),
	}
	if c.Reference != "" {
		view.Details = []sandboxkit.PageDetail{{Label: "Order", Value: c.Reference}}
	}
	for _, l := range ch.OrderLines {
		view.Lines = append(view.Lines, sandboxkit.PageLine{
			Name: l.Ordertext, Quantity: strconv.FormatInt(l.Quantity, 10), Total: money.New(l.TotalAmount, ch.Currency).Amount(),
		})
	}
	open := ch.State == stateCreated || ch.State == statePending
	if r.Method == http.MethodGet || !open {
		if !open {
			view.Done = "This payment is " + ch.State + "."
		}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusConflict
		}
		_ = sandboxkit.RenderPage(w, status, view)
		return
	}
	approved := form.Action == sandboxkit.ActionApprove
	if approved {
		if _, declined := s.cfg.Faults.Take(c.Account, sandboxkit.OpAuthorize, sandboxkit.FaultDecline); declined || c.Decline {
			approved = false
			ch.Error = "credit_card_declined"
		}
	} else {
		ch.Error = "cancelled_by_customer"
	}
	ch.Transaction = c.nextTransaction()
	event, to := EventInvoiceAuthorized, c.AcceptURL
	if approved {
		ch.State, ch.Authorized, ch.AuthorizedAmount = stateAuthorized, s.now(), ch.Amount
		ch.Error, ch.ErrorState = "", ""
	} else {
		ch.State, ch.Failed, ch.ErrorState = stateFailed, s.now(), errorStateHardDeclined
		event, to = EventInvoiceFailed, c.CancelURL
	}
	if err := s.cfg.Store.Put(r.Context(), kindCharge, ch.Handle, c); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.webhook(c, event)
	if to == "" {
		view.Done = "This payment is " + ch.State + "."
		_ = sandboxkit.RenderPage(w, http.StatusOK, view)
		return
	}
	q := url.Values{"invoice": {ch.Handle}, "id": {sess.ID}}
	if ch.Customer != "" {
		q.Set("customer", ch.Customer)
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	sandboxkit.Redirect(w, r, to+sep+q.Encode())
}

// webhook sends a signed webhook for the charge, if a webhook URL is configured.
func (s *sandbox) webhook(c sandboxCharge, event string) {
	if s.cfg.NotifyURL == "" {
		return
	}
	wh := Webhook{
		ID:          sandboxkit.NewID(""),
		EventID:     sandboxkit.NewID(""),
		EventType:   event,
		Timestamp:   Timestamp(s.cfg.Now()),
		Invoice:     c.Charge.Handle,
		Transaction: c.Charge.Transaction,
		Customer:    c.Charge.Customer,
	}
	wh.Signature = Sign(s.cfg.WebhookSecret, wh.Timestamp, wh.ID)
	body, _ := json.Marshal(wh)
	s.cfg.Notifier.Send(sandboxkit.Notification{
		Account: c.Account,
		Label:   event,
		URL:     s.cfg.NotifyURL,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    body,
	})
}
