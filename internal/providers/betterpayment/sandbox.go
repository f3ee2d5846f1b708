package betterpayment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// SandboxConfig configures the Better Payment sandbox.
type SandboxConfig struct {
	sandboxkit.Config
	// NotifyURL, when set, receives every postback instead of the transaction's own
	// postback_url (which the API still requires), so the server can keep postbacks on
	// an address it knows is reachable.
	NotifyURL string
	// WebhookSecret is the webhook key that signs postbacks (Gateway-Webhook-Signature).
	WebhookSecret string
	// ChecksumKey is the legacy "incoming" key of the checksum field; "" uses WebhookSecret.
	ChecksumKey string
	// MerchantName is shown on the payment page; "" shows none.
	MerchantName string
}

// DeclineTrigger in the billing last name makes the acquirer decline the payment when
// the shopper approves it (status 6 declined).
const DeclineTrigger = "DECLINE"

// IdempotencyTTL is how long the API keeps the first answer to an idempotency key.
const IdempotencyTTL = time.Hour

const (
	kindTx   = "betterpayment_tx"
	kindIdem = "betterpayment_idempotency"
)

const maxRequestBytes = 1 << 20

// sandboxTx is a transaction as the sandbox keeps it; amounts in minor units.
type sandboxTx struct {
	ID                string `json:"id"`
	Account           string `json:"account"`
	OrderID           string `json:"order_id"`
	MerchantReference string `json:"merchant_reference,omitempty"`
	PaymentType       string `json:"payment_type"`
	AdditionalData    string `json:"additional_transaction_data,omitempty"`
	Currency          string `json:"currency"`
	Status            int    `json:"status"`
	Message           string `json:"message,omitempty"`
	Amount            int64  `json:"amount"`
	Authorized        int64  `json:"authorized"`
	Captured          int64  `json:"captured"`
	Refunded          int64  `json:"refunded"`
	Reversed          int64  `json:"reversed"`
	CaptureOnApproval bool   `json:"capture_on_approval"` // POST /rest/payment
	PostbackURL       string `json:"postback_url"`
	SuccessURL        string `json:"success_url"`
	ErrorURL          string `json:"error_url"`
	Refunds           int    `json:"refunds"`
	Decline           bool   `json:"decline,omitempty"` // DeclineTrigger in the billing name
	CreatedAt         string `json:"created_at"`
}

// open is what is still authorised and neither captured nor reversed.
func (t sandboxTx) open() int64 { return t.Authorized - t.Captured - t.Reversed }

// cachedAnswer is the first answer to an idempotency key.
type cachedAnswer struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
	At     time.Time       `json:"at"`
}

type sandbox struct {
	cfg   SandboxConfig
	locks sandboxkit.Locks
}

// outcome is what an operation answers, and the postback it causes.
type outcome struct {
	status   int
	body     response
	postback *sandboxTx // the transaction to post back about
	pbStatus int        // the status code the postback reports
	pbAmount int64      // the amount it reports
}

type opHandler func(ctx context.Context, r *http.Request, acct string, body []byte) outcome

// NewSandbox answers the Better Payment simulator: the REST API under /rest/…, the
// hosted payment page under /pay/{transaction id} and the controls under /_sandbox/.
// Paths may arrive with or without the BaseURL's path in front.
//
// It simulates only the redirect (hosted) flow: an authorize or payment request with
// card fields is refused (error_code 106), so no test can ever send card data.
// Triggers: the shopper's Decline on the page declines the transaction (status 6), and
// so does an approval when the billing last name contains DeclineTrigger; a "decline"
// fault on operation authorize declines the next approval, on capture or
// refund answers error_code 105 (HTTP 200) and changes nothing. Request faults answer
// in the API's error format. POSTs honour Idempotency-Key / X-Idempotency-Key: the
// first answer is kept for IdempotencyTTL and repeated, without acting again.
func NewSandbox(cfg SandboxConfig) http.Handler {
	cfg.Config = cfg.Config.WithDefaults()
	if cfg.ChecksumKey == "" {
		cfg.ChecksumKey = cfg.WebhookSecret
	}
	s := &sandbox{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rest/authorize", s.post(sandboxkit.OpCreateSession, s.authorize(false)))
	mux.HandleFunc("POST /rest/payment", s.post(sandboxkit.OpCreateSession, s.authorize(true)))
	mux.HandleFunc("POST /rest/capture", s.post(sandboxkit.OpCapture, s.capture))
	mux.HandleFunc("POST /rest/reverse", s.post(sandboxkit.OpCancel, s.reverse))
	mux.HandleFunc("POST /rest/refund", s.post(sandboxkit.OpRefund, s.refund))
	mux.HandleFunc("GET /rest/transactions/{id}", s.get)
	mux.HandleFunc("GET /pay/{id}", s.page)
	mux.HandleFunc("POST /pay/{id}", s.page)
	sandboxkit.MountControls(mux, cfg.Faults, cfg.Notifier)
	sandboxkit.MountSimulate(mux, s.simulate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, CodeNotFound, "no such resource")
	})
	return sandboxkit.StripBasePath(cfg.BaseURL, mux)
}

func writeErr(w http.ResponseWriter, status, code int, msg string) {
	sandboxkit.WriteJSON(w, status, response{ErrorCode: code, ErrorMessage: msg})
}

func fail(status, code int, msg string) outcome {
	return outcome{status: status, body: response{ErrorCode: code, ErrorMessage: msg}}
}

// authenticate checks Basic api_key:api_password and applies the request faults.
func (s *sandbox) authenticate(w http.ResponseWriter, r *http.Request, op string) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok || !s.cfg.Authenticate(user, pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="betterpayment"`)
		writeErr(w, http.StatusUnauthorized, CodeUnauthorized, "authentication failed")
		return "", false
	}
	account := s.cfg.AccountID(user)
	if s.cfg.Faults.Apply(w, r, account, op, func(w http.ResponseWriter, status int, _, msg string) {
		code := CodeInternalError
		switch status {
		case http.StatusConflict:
			code = CodeWrongState
		case http.StatusServiceUnavailable:
			code = CodeServiceUnavail
		case http.StatusGatewayTimeout:
			code = CodeGatewayTimeout
		}
		writeErr(w, status, code, msg)
	}) {
		return "", false
	}
	return account, true
}

// post runs a POST operation behind authentication, faults and idempotency.
func (s *sandbox) post(op string, h opHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		acct, ok := s.authenticate(w, r, op)
		if !ok {
			return
		}
		// Once past the faults, the provider finishes what it started even when the
		// caller hangs up, as a real one commits its records (sandboxkit.Detach).
		r = sandboxkit.Detach(r)
		body, err := sandboxkit.ReadBody(r, maxRequestBytes)
		if err != nil {
			writeErr(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
			return
		}
		key := r.Header.Get(HeaderIdempotencyKey)
		if key == "" {
			key = r.Header.Get(HeaderXIdempotencyKey)
		}
		if key == "" {
			s.answer(w, h(r.Context(), r, acct, body))
			return
		}
		id := acct + "\x00" + key
		unlock := s.locks.Lock(kindIdem, id)
		defer unlock()
		var prev cachedAnswer
		found, err := s.cfg.Store.Get(r.Context(), kindIdem, id, &prev)
		if err != nil {
			writeErr(w, http.StatusInternalServerError, CodeInternalError, err.Error())
			return
		}
		if found && s.cfg.Now().Sub(prev.At) < IdempotencyTTL {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prev.Status)
			_, _ = w.Write(prev.Body)
			return
		}
		out := h(r.Context(), r, acct, body)
		if out.status < 500 { // a failure of ours is not an answer worth repeating
			b, _ := json.Marshal(out.body)
			if err := s.cfg.Store.Put(r.Context(), kindIdem, id, cachedAnswer{Status: out.status, Body: b, At: s.cfg.Now()}); err != nil {
				writeErr(w, http.StatusInternalServerError, CodeInternalError, err.Error())
				return
			}
		}
		s.answer(w, out)
	}
}

func (s *sandbox) answer(w http.ResponseWriter, out outcome) {
	sandboxkit.WriteJSON(w, out.status, out.body)
	if out.postback != nil {
		s.sendPostback(*out.postback, out.pbStatus, out.pbAmount)
	}
}

func (s *sandbox) amountText(minor int64, cur string) json.Number {
	return json.Number(money.New(minor, cur).Amount())
}

// parseAmount reads an amount sent as a string or a number, never through float64.
func parseAmount(n json.Number, cur string) (int64, error) {
	m, err := money.Parse(string(n), cur)
	if err != nil {
		return 0, err
	}
	return m.Minor(), nil
}

// inbound request shapes: amounts as json.Number accept "15.90" and 15.90 alike.
type inAuthorize struct {
	PaymentType               string      `json:"payment_type"`
	OrderID                   string      `json:"order_id"`
	MerchantReference         string      `json:"merchant_reference"`
	Amount                    json.Number `json:"amount"`
	Currency                  string      `json:"currency"`
	PostbackURL               string      `json:"postback_url"`
	SuccessURL                string      `json:"success_url"`
	ErrorURL                  string      `json:"error_url"`
	AdditionalTransactionData string      `json:"additional_transaction_data"`
	CardNumber                string      `json:"card_number"`
	CardCVV                   string      `json:"card_cvv"`
	CardHolder                string      `json:"card_holder"`
	LastName                  string      `json:"last_name"`
}

type inOperation struct {
	TransactionID string      `json:"transaction_id"`
	Amount        json.Number `json:"amount"`
	Comment       string      `json:"comment"`
}

func absoluteHTTP(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func (s *sandbox) authorize(capture bool) opHandler {
	return func(ctx context.Context, r *http.Request, acct string, body []byte) outcome {
		var in inAuthorize
		if err := json.Unmarshal(body, &in); err != nil {
			return fail(http.StatusBadRequest, CodeInvalidRequest, "malformed JSON: "+err.Error())
		}
		if in.CardNumber != "" || in.CardCVV != "" || in.CardHolder != "" {
			return fail(http.StatusBadRequest, CodeCardDataRefused, "the sandbox simulates the redirect flow only and takes no card data")
		}
		cur := in.Currency
		if cur == "" {
			cur = Currency // the API's default
		}
		cur, err := money.NormalizeCurrency(cur)
		switch {
		case in.PaymentType == "":
			return fail(http.StatusBadRequest, CodeInvalidRequest, "payment_type is required")
		case in.OrderID == "":
			return fail(http.StatusBadRequest, CodeInvalidRequest, "order_id is required")
		case err != nil:
			return fail(http.StatusBadRequest, CodeInvalidRequest, "currency: "+err.Error())
		case in.Amount == "":
			return fail(http.StatusBadRequest, CodeInvalidRequest, "amount is required")
		case !absoluteHTTP(in.PostbackURL):
			return fail(http.StatusBadRequest, CodeInvalidRequest, "postback_url is required and must be an absolute URL")
		case !absoluteHTTP(in.SuccessURL) || !absoluteHTTP(in.ErrorURL):
			return fail(http.StatusBadRequest, CodeInvalidRequest, "success_url and error_url are required for the redirect flow")
		}
		amount, err := parseAmount(in.Amount, cur)
		if err != nil || amount <= 0 {
			return fail(http.StatusBadRequest, CodeInvalidRequest, "amount must be a positive decimal in "+cur)
		}
		tx := sandboxTx{
			ID: sandboxkit.NewUUID(), Account: acct, OrderID: in.OrderID, MerchantReference: in.MerchantReference,
			PaymentType: in.PaymentType, AdditionalData: in.AdditionalTransactionData, Currency: cur,
			Status: StatusStarted, Amount: amount, CaptureOnApproval: capture,
			PostbackURL: in.PostbackURL, SuccessURL: in.SuccessURL, ErrorURL: in.ErrorURL,
			Decline:   strings.Contains(strings.ToUpper(in.LastName), DeclineTrigger),
			CreatedAt: s.cfg.Now().UTC().Format(time.RFC3339),
		}
		if err := s.cfg.Store.Put(ctx, kindTx, tx.ID, tx); err != nil {
			return fail(http.StatusInternalServerError, CodeInternalError, err.Error())
		}
		out := s.txBody(tx)
		out.ClientAction = clientActionRedirect
		out.ActionData = &actionData{URL: sandboxkit.JoinURL(s.cfg.BaseURL, "/pay/"+tx.ID)}
		return outcome{status: http.StatusOK, body: out}
	}
}

// txBody is the transaction as operation answers show it.
func (s *sandbox) txBody(tx sandboxTx) response {
	var msg *string
	if tx.Message != "" {
		msg = &tx.Message
	}
	add := tx.AdditionalData
	return response{
		TransactionID: tx.ID, PaymentType: tx.PaymentType, StatusCode: tx.Status, Status: StatusName(tx.Status),
		OrderID: tx.OrderID, Message: msg, AdditionalTransactionData: &add,
		Amount: s.amountText(tx.Amount, tx.Currency), IncludedFees: "0.00", ErrorCode: CodeOK,
	}
}

// withTx loads a transaction under its lock, refusing unknown ones and other accounts'.
func (s *sandbox) withTx(ctx context.Context, acct, id string, f func(tx *sandboxTx) outcome) outcome {
	if id == "" {
		return fail(http.StatusBadRequest, CodeInvalidRequest, "transaction_id is required")
	}
	unlock := s.locks.Lock(kindTx, id)
	defer unlock()
	var tx sandboxTx
	found, err := s.cfg.Store.Get(ctx, kindTx, id, &tx)
	if err != nil {
		return fail(http.StatusInternalServerError, CodeInternalError, err.Error())
	}
	if !found || tx.Account != acct {
		return fail(http.StatusNotFound, CodeNotFound, "transaction "+id+" not found")
	}
	before := tx
	out := f(&tx)
	if tx != before {
		if err := s.cfg.Store.Put(ctx, kindTx, id, tx); err != nil {
			return fail(http.StatusInternalServerError, CodeInternalError, err.Error())
		}
	}
	return out
}

// opAmount reads an operation's amount: none means default.
func opAmount(in inOperation, cur string, def int64) (int64, *outcome) {
	if in.Amount == "" {
		return def, nil
	}
	a, err := parseAmount(in.Amount, cur)
	if err != nil || a <= 0 {
		o := fail(http.StatusBadRequest, CodeInvalidRequest, "amount must be a positive decimal in "+cur)
		return 0, &o
	}
	return a, nil
}

func decodeOp(body []byte) (inOperation, *outcome) {
	var in inOperation
	if err := json.Unmarshal(body, &in); err != nil {
		o := fail(http.StatusBadRequest, CodeInvalidRequest, "malformed JSON: "+err.Error())
		return in, &o
	}
	return in, nil
}

func (s *sandbox) capture(ctx context.Context, r *http.Request, acct string, body []byte) outcome {
	in, bad := decodeOp(body)
	if bad != nil {
		return *bad
	}
	return s.withTx(ctx, acct, in.TransactionID, func(tx *sandboxTx) outcome {
		if (tx.Status != StatusAuthorized && tx.Status != StatusCompleted) || tx.open() <= 0 {
			return fail(http.StatusConflict, CodeWrongState, "transaction is "+StatusName(tx.Status)+": nothing authorized to capture")
		}
		amount, bad := opAmount(in, tx.Currency, tx.open())
		if bad != nil {
			return *bad
		}
		if amount > tx.open() {
			return fail(http.StatusConflict, CodeAmountTooHigh, "capture of "+money.New(amount, tx.Currency).Amount()+" exceeds the "+money.New(tx.open(), tx.Currency).Amount()+" still authorized")
		}
		if _, ok := s.cfg.Faults.Take(acct, sandboxkit.OpCapture, sandboxkit.FaultDecline); ok {
			o := outcome{status: http.StatusOK, body: s.txBody(*tx)}
			o.body.ErrorCode, o.body.ErrorMessage = CodeDeclined, "capture declined by the acquirer"
			return o
		}
		tx.Captured += amount
		tx.Status, tx.Message = StatusCompleted, "CAPTURE SETTLED"
		out := s.txBody(*tx)
		out.Amount = s.amountText(amount, tx.Currency)
		t := *tx
		return outcome{status: http.StatusOK, body: out, postback: &t, pbStatus: StatusCompleted, pbAmount: amount}
	})
}

// reverse releases uncaptured money. Partial reversals leave the rest authorised; a
// transaction with captures can reverse its uncaptured rest (inferred: the
// documentation says reversals act on what is not yet captured).
func (s *sandbox) reverse(ctx context.Context, r *http.Request, acct string, body []byte) outcome {
	in, bad := decodeOp(body)
	if bad != nil {
		return *bad
	}
	return s.withTx(ctx, acct, in.TransactionID, func(tx *sandboxTx) outcome {
		if (tx.Status != StatusAuthorized && tx.Status != StatusCompleted) || tx.open() <= 0 {
			return fail(http.StatusConflict, CodeWrongState, "transaction is "+StatusName(tx.Status)+": nothing authorized to reverse")
		}
		amount, bad := opAmount(in, tx.Currency, tx.open())
		if bad != nil {
			return *bad
		}
		if amount > tx.open() {
			return fail(http.StatusConflict, CodeAmountTooHigh, "reversal of "+money.New(amount, tx.Currency).Amount()+" exceeds the "+money.New(tx.open(), tx.Currency).Amount()+" still authorized")
		}
		tx.Reversed += amount
		tx.Message = "Request successfully processed in test mode."
		var o outcome
		if tx.open() == 0 && tx.Captured == 0 {
			tx.Status = StatusReversed
			t := *tx
			o = outcome{postback: &t, pbStatus: StatusReversed, pbAmount: amount}
		}
		o.status = http.StatusOK
		o.body = response{TransactionID: tx.ID, StatusCode: tx.Status, Status: StatusName(tx.Status), OrderID: tx.OrderID, Message: &tx.Message, ErrorCode: CodeOK}
		return o
	})
}

func (s *sandbox) refund(ctx context.Context, r *http.Request, acct string, body []byte) outcome {
	in, bad := decodeOp(body)
	if bad != nil {
		return *bad
	}
	return s.withTx(ctx, acct, in.TransactionID, func(tx *sandboxTx) outcome {
		refundable := tx.Captured - tx.Refunded
		if refundable <= 0 {
			return fail(http.StatusConflict, CodeWrongState, "transaction is "+StatusName(tx.Status)+": nothing captured to refund")
		}
		amount, bad := opAmount(in, tx.Currency, refundable)
		if bad != nil {
			return *bad
		}
		if amount > refundable {
			return fail(http.StatusConflict, CodeAmountTooHigh, "refund of "+money.New(amount, tx.Currency).Amount()+" exceeds the refundable "+money.New(refundable, tx.Currency).Amount())
		}
		if _, ok := s.cfg.Faults.Take(acct, sandboxkit.OpRefund, sandboxkit.FaultDecline); ok {
			return outcome{status: http.StatusOK, body: response{TransactionID: tx.ID, StatusCode: StatusDeclined, Status: StatusName(StatusDeclined), ErrorCode: CodeDeclined, ErrorMessage: "refund declined by the acquirer"}}
		}
		tx.Refunded += amount
		tx.Refunds++
		if tx.Refunded == tx.Captured && tx.open() == 0 {
			tx.Status = StatusRefunded
		}
		t := *tx
		return outcome{
			status: http.StatusOK,
			// The refund answer describes the refund object, not the transaction.
			body:     response{TransactionID: tx.ID, RefundID: sandboxkit.NewUUID(), StatusCode: refundStatusSuccessful, Status: "successful", ErrorCode: CodeOK},
			postback: &t, pbStatus: StatusRefunded, pbAmount: amount,
		}
	})
}

// get is GET /rest/transactions/{id}, with the inferred per-operation amounts.
func (s *sandbox) get(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.authenticate(w, r, sandboxkit.OpFetchStatus)
	if !ok {
		return
	}
	id := r.PathValue("id")
	var tx sandboxTx
	found, err := s.cfg.Store.Get(r.Context(), kindTx, id, &tx)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternalError, err.Error())
		return
	}
	if !found || tx.Account != acct {
		writeErr(w, http.StatusNotFound, CodeNotFound, "transaction "+id+" not found")
		return
	}
	out := s.txBody(tx)
	out.Currency = tx.Currency
	out.AuthorizedAmount = s.amountText(tx.Authorized, tx.Currency)
	out.CapturedAmount = s.amountText(tx.Captured, tx.Currency)
	out.RefundedAmount = s.amountText(tx.Refunded, tx.Currency)
	out.ReversedAmount = s.amountText(tx.Reversed, tx.Currency)
	out.CreatedAt = tx.CreatedAt
	sandboxkit.WriteJSON(w, http.StatusOK, out)
}

// page is the hosted payment page: GET shows it, a form POST completes it.
func (s *sandbox) page(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form, ok := sandboxkit.PostedPageForm(w, r)
	if !ok {
		return
	}
	unlock := s.locks.Lock(kindTx, id)
	defer unlock()
	var tx sandboxTx
	if !sandboxkit.LoadPage(w, r, s.cfg.Store, kindTx, id, &tx, "payment not found") {
		return
	}
	view := sandboxkit.Page{Provider: "Better Payment", Accent: "#00857c", Merchant: s.cfg.MerchantName, Reference: tx.OrderID, Amount: money.New(tx.Amount, tx.Currency)}
	if tx.MerchantReference != "" {
		view.Details = []sandboxkit.PageDetail{{Label: "Merchant reference", Value: tx.MerchantReference}}
	}
	if tx.Status != StatusStarted {
		view.Done = "This payment is " + StatusName(tx.Status) + "."
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusConflict
		}
		_ = sandboxkit.RenderPage(w, status, view)
		return
	}
	if r.Method == http.MethodGet {
		_ = sandboxkit.RenderPage(w, http.StatusOK, view)
		return
	}
	approved := form.Action == sandboxkit.ActionApprove
	if approved {
		if _, declined := s.cfg.Faults.Take(tx.Account, sandboxkit.OpAuthorize, sandboxkit.FaultDecline); declined || tx.Decline {
			approved = false
		}
	}
	to := tx.SuccessURL
	switch {
	case !approved:
		tx.Status, tx.Message, to = StatusDeclined, "AUTHORIZATION DECLINED", tx.ErrorURL
	case tx.CaptureOnApproval:
		tx.Status, tx.Message = StatusCompleted, "CAPTURE SETTLED"
		tx.Authorized, tx.Captured = tx.Amount, tx.Amount
	default:
		tx.Status, tx.Message = StatusAuthorized, "AUTHORIZED"
		tx.Authorized = tx.Amount
	}
	if err := s.cfg.Store.Put(r.Context(), kindTx, tx.ID, tx); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.sendPostback(tx, tx.Status, tx.Amount)
	sandboxkit.Redirect(w, r, to)
}

// PostbackBody builds a postback as Better Payment posts it: form-encoded fields in a
// fixed order, the legacy checksum last (when a checksum key is given).
func PostbackBody(p Postback, checksumKey string) []byte {
	params := []Param{
		{"transaction_id", p.TransactionID},
		{"order_id", p.OrderID},
		{"payment_type", p.PaymentType},
		{"status_code", strconv.Itoa(p.StatusCode)},
		{"status", p.Status},
		{"message", p.Message},
		{"amount", p.Amount},
		{"additional_transaction_data", p.AdditionalTransactionData},
	}
	if checksumKey != "" {
		params = append(params, Param{checksumParam, Checksum(params, checksumKey)})
	}
	return []byte(EncodeParams(params))
}

// sendPostback posts the transaction's status, signed with the webhook key.
func (s *sandbox) sendPostback(tx sandboxTx, status int, amount int64) {
	to := tx.PostbackURL
	if s.cfg.NotifyURL != "" {
		to = s.cfg.NotifyURL
	}
	if to == "" {
		return
	}
	body := PostbackBody(Postback{
		TransactionID: tx.ID, OrderID: tx.OrderID, PaymentType: tx.PaymentType, StatusCode: status,
		Status: StatusName(status), Message: tx.Message, Amount: money.New(amount, tx.Currency).Amount(),
		AdditionalTransactionData: tx.AdditionalData,
	}, s.cfg.ChecksumKey)
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if s.cfg.WebhookSecret != "" {
		h.Set(HeaderSignature, Signature(s.cfg.WebhookSecret, body))
	}
	s.cfg.Notifier.Send(sandboxkit.Notification{
		Account: tx.Account, Label: StatusName(status), URL: to, Header: h, Body: bytes.Clone(body),
	})
}

// simulate changes a transaction without telling anyone (sandboxkit.MountSimulate,
// no postback): a capture captures more, a refund refunds, a cancel reverses all
// that is still authorised.
func (s *sandbox) simulate(ctx context.Context, sim sandboxkit.Simulation, allowed sandboxkit.ControlScope) error {
	doc := sandboxkit.SimDoc[sandboxTx]{Store: s.cfg.Store, Locks: &s.locks, Kind: kindTx,
		Account: func(t *sandboxTx) string { return t.Account }, Currency: func(t *sandboxTx) string { return t.Currency }}
	return doc.Apply(ctx, sim, allowed, func(tx *sandboxTx, amount int64) error {
		live := tx.Status == StatusAuthorized || tx.Status == StatusCompleted
		switch sim.Event {
		case sandboxkit.SimCapture:
			if !live || amount > tx.open() {
				return fmt.Errorf("%w: transaction is %s with %d open", sandboxkit.ErrSimRefused, StatusName(tx.Status), tx.open())
			}
			tx.Captured += amount
			tx.Status = StatusCompleted
		case sandboxkit.SimRefund:
			if amount > tx.Captured-tx.Refunded {
				return fmt.Errorf("%w: only %d is refundable", sandboxkit.ErrSimRefused, tx.Captured-tx.Refunded)
			}
			tx.Refunded += amount
			tx.Refunds++
			if tx.Refunded == tx.Captured && tx.open() == 0 {
				tx.Status = StatusRefunded
			}
		case sandboxkit.SimCancel:
			if !live || tx.open() <= 0 {
				return fmt.Errorf("%w: transaction is %s: nothing authorized to reverse", sandboxkit.ErrSimRefused, StatusName(tx.Status))
			}
			tx.Reversed += tx.open()
			if tx.Captured == 0 {
				tx.Status = StatusReversed
			}
		}
		return nil
	})
}
