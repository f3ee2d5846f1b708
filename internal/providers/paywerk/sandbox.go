package paywerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// SandboxConfig configures the Paywerk sandbox. Authenticate receives the Bearer API
// key as the user and "" as the password; faults are matched by that key.
type SandboxConfig struct {
	sandboxkit.Config
	// MerchantName is shown on the payment page; "" shows "Sandbox shop".
	MerchantName string
}

// Sandbox operation names beyond sandboxkit's Op*, for aiming faults.
const (
	OpFulfilAll       = "fulfil_all"
	OpRefundAll       = "refund_all"
	OpPaymentSchedule = "payment_schedule"
)

// Store kinds.
const (
	kindOrder = "paywerk_order"
	kindRef   = "paywerk_order_ref" // account + reference → paywerkId
)

// DeclineTrigger in the shopper's last name makes the risk decision negative on
// approval (the order goes FAILED with failureReason risk_decision).
const DeclineTrigger = "DECLINE"

const maxBody = 1 << 20

type sandbox struct {
	cfg   SandboxConfig
	locks sandboxkit.Locks
	mux   *http.ServeMux
}

// NewSandbox answers the Paywerk simulator: the merchant API of docs/providers/paywerk.md (orders,
// status, fulfil, refund, payment schedule), a hosted page at /checkout/{paywerkId}
// and callbacks. Mount it at cfg.BaseURL, with or without http.StripPrefix.
func NewSandbox(cfg SandboxConfig) http.Handler {
	cfg.Config = cfg.Config.WithDefaults()
	if cfg.MerchantName == "" {
		cfg.MerchantName = "Sandbox shop"
	}
	s := &sandbox{cfg: cfg, mux: http.NewServeMux()}
	m := s.mux
	m.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		sandboxkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "UP"})
	})
	m.HandleFunc("POST /orders", s.api(sandboxkit.OpCreateSession, s.createOrder))
	m.HandleFunc("GET /orders/{id}", s.api(sandboxkit.OpFetchStatus, s.orderDetails))
	m.HandleFunc("GET /orders/{id}/status", s.api(sandboxkit.OpFetchStatus, s.orderStatus))
	m.HandleFunc("POST /orders/{id}/fulfil", s.api(sandboxkit.OpCapture, s.fulfil))
	m.HandleFunc("POST /orders/{id}/fulfil-all", s.api(OpFulfilAll, s.fulfil))
	m.HandleFunc("POST /orders/{id}/refund", s.api(sandboxkit.OpRefund, s.refund))
	m.HandleFunc("POST /orders/{id}/refund-all", s.api(OpRefundAll, s.refund))
	m.HandleFunc("GET /payment-schedule/{productType}", s.api(OpPaymentSchedule, s.schedule))
	m.HandleFunc("GET /payment-schedule", s.api(OpPaymentSchedule, s.schedule))
	m.HandleFunc("GET /checkout/{id}", s.page)
	m.HandleFunc("POST /checkout/{id}", s.page)
	sandboxkit.MountControls(m, cfg.Faults, cfg.Notifier)
	sandboxkit.MountSimulate(m, s.simulate)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return sandboxkit.StripBasePath(cfg.BaseURL, m)
}

// writeError answers Paywerk's (inferred) error body; it is also the ErrorWriter
// for injected faults.
func writeError(w http.ResponseWriter, status int, code, message string, details ...ErrorDetail) {
	switch code {
	case "service_unavailable":
		code = CodeServiceUnavailable
	case "conflict":
		code = "CONFLICT"
	case "timeout":
		code = "GATEWAY_TIMEOUT"
	}
	sandboxkit.WriteJSON(w, status, ErrorBody{Code: code, Message: message, Details: details})
}

func faultError(w http.ResponseWriter, status int, code, message string) {
	writeError(w, status, code, message)
}

type apiHandler func(w http.ResponseWriter, r *http.Request, account string)

// api authenticates the Bearer key, applies the faults of the operation, then serves.
func (s *sandbox) api(op string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := sandboxkit.BearerToken(r)
		if !ok || !s.cfg.Authenticate(key, "") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="paywerk"`)
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, "a valid API key is required: Authorization: Bearer <key>")
			return
		}
		// The state, faults and notifications know the account by its id, never by the key.
		account := s.cfg.AccountID(key)
		if s.cfg.Faults.Apply(w, r, account, op, faultError) {
			return
		}
		// Once past the faults, the provider finishes what it started even when the
		// caller hangs up, as a real one commits its records (sandboxkit.Detach).
		h(w, sandboxkit.Detach(r), account)
	}
}

func (s *sandbox) internal(w http.ResponseWriter, err error) {
	writeError(w, http.StatusInternalServerError, "INTERNAL_ERROR", err.Error())
}

// load answers the order of this account, or false after answering 404.
func (s *sandbox) load(ctx context.Context, w http.ResponseWriter, id, account string) (orderState, bool) {
	var o orderState
	found, err := s.cfg.Store.Get(ctx, kindOrder, id, &o)
	if err != nil {
		s.internal(w, err)
		return o, false
	}
	// Another company's or shop's order is simply not found.
	if !found || (account != "" && !sandboxkit.Equal(o.Account, account)) {
		writeError(w, http.StatusNotFound, CodeNotFound, "no order "+id)
		return o, false
	}
	return o, true
}

var (
	e164    = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	email   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	country = regexp.MustCompile(`^[A-Z]{2}$`)
)

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validate applies Paywerk's order request rules (docs/providers/paywerk.md "Orders") and answers the items the order
// will have (one summarising item when none were sent).
func validate(req *OrderRequest) ([]itemState, []ErrorDetail) {
	var bad []ErrorDetail
	field := func(f, code, msg string) { bad = append(bad, ErrorDetail{Field: f, Code: code, Message: msg}) }
	if req.Lang != "en" && req.Lang != "et" {
		field("lang", CodeValidation, "lang must be en or et")
	}
	if req.Phone != "" && !e164.MatchString(req.Phone) {
		field("phone", CodeValidation, "phone must be in E.164 format, e.g. +37255555555")
	}
	if req.Email != "" && !email.MatchString(req.Email) {
		field("email", CodeValidation, "email must look like x@y.z")
	}
	if req.BillingAddress == nil || !country.MatchString(req.BillingAddress.Country) {
		field("billingAddress.country", CodeValidation, "billing address country (ISO 3166-1 alpha-2) is required")
	}
	if req.DeliveryAddress != nil && !country.MatchString(req.DeliveryAddress.Country) {
		field("deliveryAddress.country", CodeValidation, "delivery address country must be ISO 3166-1 alpha-2")
	}
	if req.Currency != Currency {
		field("currency", CodeValidation, "only EUR is supported")
	}
	if req.Amount == nil || !req.Amount.IsPositive() {
		field("amount", CodeValidation, "amount must be positive")
	}
	for name, u := range map[string]string{"successUrl": req.SuccessURL, "failedUrl": req.FailedURL} {
		if !absoluteURL(u) {
			field(name, CodeValidation, name+" must be an absolute http(s) URL")
		}
	}
	if req.CallbackURL != "" && !absoluteURL(req.CallbackURL) {
		field("callbackUrl", CodeValidation, "callbackUrl must be an absolute http(s) URL")
	}
	if strings.TrimSpace(req.Reference) == "" {
		field("reference", CodeValidation, "reference is required")
	}
	for _, pt := range req.DisplayedProductTypes {
		if !slices.Contains(ProductTypes, domain.ProductType(pt)) {
			field("displayedProductTypes", CodeValidation, "unknown product type "+pt)
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	if len(req.Items) == 0 {
		// docs/providers/paywerk.md "Orders": Paywerk adds a summarising item covering the full amount.
		return []itemState{{SKU: "ORDER", Name: "Order " + req.Reference, Quantity: money.Units(1),
			UnitPrice: req.Amount.Minor(), Total: req.Amount.Minor()}}, nil
	}
	var items []itemState
	sum := eur(0)
	seen := map[string]bool{}
	for i, it := range req.Items {
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case strings.TrimSpace(it.SKU) == "":
			field(f+".sku", CodeValidation, "sku is required")
		case seen[it.SKU]:
			field(f+".sku", CodeValidation, "sku "+it.SKU+" appears twice; fulfilment and refunds address items by sku")
		case it.Quantity.Quantity <= 0:
			field(f+".quantity", CodeValidation, "quantity must be positive")
		case it.UnitPrice.Currency() == "" || it.UnitPrice.IsNegative():
			field(f+".unitPrice", CodeValidation, "unitPrice must be zero or more")
		}
		seen[it.SKU] = true
		if len(bad) > 0 {
			continue
		}
		total, err := it.UnitPrice.Times(it.Quantity.Quantity)
		if it.TotalAmount != nil {
			total, err = it.TotalAmount.Money, nil
		}
		if err != nil || total.IsNegative() {
			field(f+".totalAmount", CodeValidation, "item total out of range")
			continue
		}
		if sum, err = sum.Add(total); err != nil {
			field(f+".totalAmount", CodeValidation, "items total out of range")
			continue
		}
		items = append(items, itemState{SKU: it.SKU, Name: it.Name, VATRate: it.VATRate, Quantity: it.Quantity.Quantity,
			UnitPrice: it.UnitPrice.Minor(), Total: total.Minor()})
	}
	if len(bad) == 0 && sum.Minor() != req.Amount.Minor() {
		field("amount", CodeValidation, fmt.Sprintf("amount %s must equal the sum of the items %s", req.Amount.Amount(), sum.Amount()))
	}
	return items, bad
}

func complete(req *OrderRequest) bool {
	b := req.BillingAddress
	return req.FirstName != "" && req.LastName != "" && req.Email != "" && req.Phone != "" &&
		b != nil && b.Street != "" && b.City != "" && b.PostalCode != "" && b.Country != ""
}

func (s *sandbox) createOrder(w http.ResponseWriter, r *http.Request, account string) {
	var req OrderRequest
	if err := sandboxkit.ReadJSON(r, maxBody, &req); err != nil {
		code := CodeValidation
		if errors.Is(err, money.ErrTooManyDecimals) || errors.Is(err, money.ErrInvalidNumber) {
			err = fmt.Errorf("amounts take at most 2 decimals and quantities 3, as plain numbers: %w", err)
		}
		writeError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	items, bad := validate(&req)
	if len(bad) > 0 {
		writeError(w, http.StatusBadRequest, CodeValidation, bad[0].Message, bad...)
		return
	}
	ctx := r.Context()
	refKey := account + "\x00" + req.Reference
	unlock := s.locks.Lock(kindRef, refKey)
	defer unlock()
	var id string
	found, err := s.cfg.Store.Get(ctx, kindRef, refKey, &id)
	if err != nil {
		s.internal(w, err)
		return
	}
	now := s.cfg.Now().UTC()
	o := orderState{ID: sandboxkit.NewUUID(), Account: account, Reference: req.Reference, Status: StatusPending, CreatedAt: now}
	if found {
		unlockOrder := s.locks.Lock(kindOrder, id)
		defer unlockOrder()
		var old orderState
		if ok, err := s.cfg.Store.Get(ctx, kindOrder, id, &old); err != nil {
			s.internal(w, err)
			return
		} else if ok {
			// docs/providers/paywerk.md "Orders": the same reference updates the pending order until the
			// shopper has continued; then it answers 409.
			if old.Continued || old.Status != StatusPending {
				writeError(w, http.StatusConflict, CodeOrderContinued,
					"the shopper has already continued with order "+req.Reference+"; send a new, unique reference")
				return
			}
			o.ID, o.CreatedAt = old.ID, old.CreatedAt
		}
	}
	o.UpdatedAt, o.Request, o.Initial, o.Items = now, req, req.Amount.Minor(), items
	if err := s.cfg.Store.Put(ctx, kindOrder, o.ID, o); err != nil {
		s.internal(w, err)
		return
	}
	if err := s.cfg.Store.Put(ctx, kindRef, refKey, o.ID); err != nil {
		s.internal(w, err)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, OrderResponse{PaywerkID: o.ID, IsComplete: complete(&req)})
}

func (o *orderState) details() OrderDetails {
	f, c, ret := o.sums()
	d := OrderDetails{PaywerkID: o.ID, Status: o.Status, CreatedAt: o.CreatedAt.Format(time.RFC3339),
		InitialAmount: NewAmount(eur(o.Initial)), Amount: NewAmount(eur(o.owed())), Currency: Currency,
		Reference: o.Reference, BillingAddress: o.Request.BillingAddress, DeliveryAddress: o.Request.DeliveryAddress,
		Shopper:     Shopper{FirstName: o.Request.FirstName, LastName: o.Request.LastName, Email: o.Request.Email, Phone: o.Request.Phone},
		ProductType: o.ProductType, FulfilledAmount: NewAmount(eur(f)), CancelledAmount: NewAmount(eur(c)),
		ReturnedAmount: NewAmount(eur(ret)), ShopperContinued: o.Continued, FailureReason: o.FailureReason}
	for _, it := range o.Items {
		d.Items = append(d.Items, OrderDetailsItem{SKU: it.SKU, Name: it.Name, Quantity: Qty{it.Quantity},
			UnitPrice: NewAmount(eur(it.UnitPrice)), VATRate: it.VATRate, TotalAmount: NewAmount(eur(it.Total)),
			FulfilledQuantity: Qty{it.Fulfilled}, CancelledQuantity: Qty{it.Cancelled}, ReturnedQuantity: Qty{it.Returned}})
	}
	return d
}

func (s *sandbox) orderDetails(w http.ResponseWriter, r *http.Request, account string) {
	if o, ok := s.load(r.Context(), w, r.PathValue("id"), account); ok {
		sandboxkit.WriteJSON(w, http.StatusOK, o.details())
	}
}

func (s *sandbox) orderStatus(w http.ResponseWriter, r *http.Request, account string) {
	if o, ok := s.load(r.Context(), w, r.PathValue("id"), account); ok {
		sandboxkit.WriteJSON(w, http.StatusOK, OrderStatus{Status: o.Status, Amount: NewAmount(eur(o.owed())),
			InitialAmount: NewAmount(eur(o.Initial)), Time: o.UpdatedAt.Format(time.RFC3339)})
	}
}

// fulfil serves fulfil and fulfil-all.
func (s *sandbox) fulfil(w http.ResponseWriter, r *http.Request, account string) {
	all := strings.HasSuffix(r.URL.Path, "-all")
	var req []FulfilItem
	if !all {
		if err := sandboxkit.ReadJSON(r, maxBody, &req); err != nil {
			writeError(w, http.StatusBadRequest, CodeValidation, "body must be an array of {sku, quantity}: "+err.Error())
			return
		}
	}
	s.operate(w, r, account, "fulfil", func(o *orderState) ([]itemState, []OperationLine, []ErrorDetail) {
		if all {
			return o.fulfilAll()
		}
		return o.fulfil(req)
	})
}

// refund serves refund and refund-all.
func (s *sandbox) refund(w http.ResponseWriter, r *http.Request, account string) {
	all := strings.HasSuffix(r.URL.Path, "-all")
	var req []RefundItem
	if !all {
		if err := sandboxkit.ReadJSON(r, maxBody, &req); err != nil {
			writeError(w, http.StatusBadRequest, CodeValidation, "body must be an array of {sku, refundType, quantity?}: "+err.Error())
			return
		}
	}
	s.operate(w, r, account, "refund", func(o *orderState) ([]itemState, []OperationLine, []ErrorDetail) {
		if all {
			return o.refundAll()
		}
		return o.refund(req)
	})
}

// operate runs one fulfil or refund under the order's lock: only a CONFIRMED order,
// every line or none.
func (s *sandbox) operate(w http.ResponseWriter, r *http.Request, account, kind string, apply func(*orderState) ([]itemState, []OperationLine, []ErrorDetail)) {
	id := r.PathValue("id")
	unlock := s.locks.Lock(kindOrder, id)
	defer unlock()
	o, ok := s.load(r.Context(), w, id, account)
	if !ok {
		return
	}
	if o.Status != StatusConfirmed {
		writeError(w, http.StatusConflict, CodeOrderNotConfirmed, "the order is "+o.Status+"; only a CONFIRMED order can be "+kind+"ed")
		return
	}
	items, lines, refused := apply(&o)
	if len(refused) > 0 {
		writeError(w, refusalStatus(refused), refused[0].Code, refused[0].Message, refused...)
		return
	}
	now := s.cfg.Now().UTC()
	op := operationState{ID: sandboxkit.NewID(map[string]string{"fulfil": "ful_", "refund": "rfd_"}[kind]), Kind: kind, At: now, Lines: lines}
	o.Items, o.UpdatedAt = items, now
	o.Operations = append(o.Operations, op)
	if err := s.cfg.Store.Put(r.Context(), kindOrder, o.ID, o); err != nil {
		s.internal(w, err)
		return
	}
	sandboxkit.WriteJSON(w, http.StatusOK, OperationResponse{ID: op.ID, PaywerkID: o.ID, Amount: NewAmount(sumLines(lines)), Items: lines})
}

func (s *sandbox) schedule(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	pt := domain.ProductType(r.PathValue("productType"))
	if pt == "" {
		var ok bool
		if pt, ok = ProductTypeOf(q.Get("productId")); !ok {
			writeError(w, http.StatusNotFound, CodeNotFound, "no product "+q.Get("productId"))
			return
		}
	}
	var amt Amount
	if err := amt.UnmarshalJSON([]byte(q.Get("amount"))); err != nil {
		writeError(w, http.StatusBadRequest, CodeValidation, "amount is required, with at most 2 decimals: "+err.Error())
		return
	}
	sched, err := BuildSchedule(pt, amt.Money, q.Get("shopperCountryCode"), s.cfg.Now())
	switch {
	case errors.Is(err, ErrUnknownProductType):
		writeError(w, http.StatusBadRequest, CodeValidation, err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, CodeProductNotAvailable, err.Error())
	default:
		sandboxkit.WriteJSON(w, http.StatusOK, sched)
	}
}

// callback tells the merchant the status changed; it carries no status (docs/providers/paywerk.md "Statuses, callbacks and polling").
func (s *sandbox) callback(o orderState) {
	if o.Request.CallbackURL == "" {
		return
	}
	body, _ := json.Marshal(Callback{PaywerkID: o.ID, OrderReference: o.Reference})
	s.cfg.Notifier.Send(sandboxkit.Notification{Account: o.Account, Label: "callback " + o.Status, URL: o.Request.CallbackURL,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
}

// simulate changes an order without telling anyone (sandboxkit.MountSimulate): a
// capture fulfils, a refund returns, item by item in order, the quantity the amount
// buys at each item's unit price (Paywerk takes fractional quantities); a cancel
// cancels everything still open.
func (s *sandbox) simulate(ctx context.Context, sim sandboxkit.Simulation, allowed sandboxkit.ControlScope) error {
	doc := sandboxkit.SimDoc[orderState]{Store: s.cfg.Store, Locks: &s.locks, Kind: kindOrder,
		Account: func(o *orderState) string { return o.Account }, Currency: func(*orderState) string { return Currency }}
	return doc.Apply(ctx, sim, allowed, func(o *orderState, amount int64) error {
		if o.Status != StatusConfirmed {
			return fmt.Errorf("%w: the order is %s", sandboxkit.ErrSimRefused, o.Status)
		}
		items := o.itemsCopy()
		var lines []OperationLine
		kind, left := lineKind(kindFulfil), amount
		switch sim.Event {
		case sandboxkit.SimCancel:
			for i := range items {
				if q := items[i].open(); q > 0 {
					l, _ := take(&items[i], RefundCancel, q)
					lines = append(lines, l)
				}
			}
		case sandboxkit.SimRefund:
			kind = RefundReturn
		}
		for i := range items {
			it := &items[i]
			avail := it.open()
			if kind == RefundReturn {
				avail = it.returnable()
			}
			if left <= 0 || avail <= 0 || it.UnitPrice <= 0 {
				continue
			}
			q := min(avail, money.Quantity(left*money.QuantityScale/it.UnitPrice))
			if q <= 0 {
				continue
			}
			l, d := take(it, kind, q)
			if d != nil {
				return fmt.Errorf("%w: %s", sandboxkit.ErrSimRefused, d.Message)
			}
			left -= l.Amount.Minor()
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			return fmt.Errorf("%w: nothing of the order is left to %s", sandboxkit.ErrSimRefused, sim.Event)
		}
		opKind := "fulfil"
		if sim.Event != sandboxkit.SimCapture {
			opKind = "refund"
		}
		now := s.cfg.Now().UTC()
		o.Items, o.UpdatedAt = items, now
		o.Operations = append(o.Operations, operationState{ID: sandboxkit.NewID("sim_"), Kind: opKind, At: now, Lines: lines})
		return nil
	})
}
