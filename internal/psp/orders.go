package psp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	pkgaudit "github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/idempotency"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// OrdersConfig is what the order service is built from.
type OrdersConfig struct {
	DB       *db.DB
	Registry providers.Registry
	// PublicURL is how providers reach this server: notifications go to
	// {PublicURL}/webhooks/{provider}.
	PublicURL string
	// Secret is BACKOFFICE_SECRET; the merchants' callback signing keys derive from it.
	Secret string
	// Poll is the status polling schedule; zero is DefaultPollSchedule.
	Poll PollSchedule
	// Events records the orders' events and delivers them (callbackUrl and webhook
	// endpoints); nil builds one from Secret, Callbacks, HTTPClient and
	// CallbacksAllowPrivate. The service registers its worker and gives it the jobs.
	Events *events.Service
	// Callbacks is the delivery retry policy when Events is nil; zero is
	// events.DefaultRetryPolicy.
	Callbacks events.RetryPolicy
	// HTTPClient delivers when Events is nil; nil is the outbound client.
	HTTPClient *http.Client
	// CallbacksAllowPrivate is CALLBACKS_ALLOW_PRIVATE: deliveries may reach loopback
	// and private addresses (local development and tests only).
	CallbacksAllowPrivate bool
	Logger                *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Orders creates orders and keeps their payment status: createOrder, webhooks,
// status polling and merchant callbacks.
type Orders struct {
	cfg    OrdersConfig
	events *events.Service
	jobs   *jobs.Client
	log    *slog.Logger
}

// NewOrders builds the order service. Give it the job client with UseJobs before use;
// register its workers with Register before the job client is built.
func NewOrders(cfg OrdersConfig) *Orders {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Poll.StopAfter == 0 {
		cfg.Poll = DefaultPollSchedule
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	ev := cfg.Events
	if ev == nil {
		var err error
		ev, err = events.New(events.Config{DB: cfg.DB, Secret: cfg.Secret, Retry: cfg.Callbacks,
			HTTPClient: cfg.HTTPClient, AllowPrivate: cfg.CallbacksAllowPrivate, Logger: cfg.Logger, Now: cfg.Now})
		if err != nil {
			panic(fmt.Sprintf("psp: the events service: %v", err)) // only an empty secret fails
		}
	}
	return &Orders{cfg: cfg, events: ev, log: cfg.Logger}
}

// Events is the service that records and delivers the orders' events.
func (o *Orders) Events() *events.Service { return o.events }

// UseJobs gives the service the job client it inserts its jobs with (the client is
// built after the workers are registered, so it comes second).
func (o *Orders) UseJobs(c *jobs.Client) {
	o.jobs = c
	o.events.UseJobs(c)
}

// Register adds the service's workers: webhook processing, status polling and
// event deliveries.
func (o *Orders) Register(w *river.Workers) {
	river.AddWorker(w, &webhookWorker{o: o})
	river.AddWorker(w, &pollWorker{o: o})
	river.AddWorker(w, &legacyCallbackWorker{o: o})
	o.events.Register(w)
}

// NotifyURL is where a provider sends its notifications for us.
func (o *Orders) NotifyURL(p domain.Provider) string {
	return o.cfg.PublicURL + "/webhooks/" + p.Slug()
}

// CreateOrderResult is a created or updated order and where to send the shopper.
type CreateOrderResult struct {
	Order      *ent.Order
	PaymentURL string
}

// ErrNoPrincipal: createOrder was called without anyone acting.
var ErrNoPrincipal = errors.New("psp: no principal in the context")

// CreateOrder validates an order request, writes the order PENDING (or updates the
// pending order with the same reference) and creates its payment session at the
// provider. A refusal is a *domain.Refusal; with PROVIDER_ERROR the result still
// carries the order, PENDING without a payment URL.
//
// With an idempotencyKey the order's write is done once per principal and key; a
// replay answers the order as it is now (and creates its session if the first
// attempt could not).
func (o *Orders) CreateOrder(ctx context.Context, in CreateOrderInput) (*CreateOrderResult, error) {
	plan, err := o.plan(ctx, in)
	if err != nil {
		return nil, err
	}
	existing, err := o.cfg.DB.Ent.Order.Query().
		Where(order.ShopID(plan.shop.ID), order.Reference(plan.in.Reference)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		existing = nil
	case err != nil:
		return nil, err
	default:
		if err := o.refreshContinued(ctx, existing); err != nil {
			return nil, err
		}
	}
	keyless := in
	keyless.IdempotencyKey = ""
	id, replayed, err := idempotency.Run(ctx, o.cfg.DB, idempotency.Request{Operation: "createOrder", Key: in.IdempotencyKey, Input: keyless},
		func(ctx context.Context, tx *db.Tx) (string, error) {
			if existing == nil {
				return o.insertOrder(ctx, tx, plan)
			}
			return existing.ID, o.updateOrder(ctx, tx, existing.ID, plan)
		})
	if ent.IsConstraintError(err) {
		return nil, domain.RefuseErr(ErrReferenceConflict, domain.Field("reference"),
			"another request is creating order "+plan.in.Reference+" right now; try again")
	}
	if err != nil {
		return nil, err
	}
	ord, err := o.cfg.DB.Ent.Order.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if replayed && (ord.PaymentURL != "" || ord.Status != order.StatusPENDING || ord.ShopperContinued) {
		return &CreateOrderResult{Order: ord, PaymentURL: ord.PaymentURL}, nil
	}
	return o.openSession(ctx, ord, plan)
}

// plan resolves who the order is for and validates the request.
func (o *Orders) plan(ctx context.Context, in CreateOrderInput) (*orderPlan, error) {
	p := auth.From(ctx)
	if p == nil {
		return nil, ErrNoPrincipal
	}
	var r domain.Refusal
	companyID, shopID := strings.TrimSpace(in.CompanyID), strings.TrimSpace(in.ShopID)
	if p.Kind == auth.KindAPIKey {
		// An API key acts for its company and shop only (docs/api.md "Credentials").
		if companyID != "" && companyID != p.CompanyID {
			r.AddErr(ErrInvalidOrder, domain.Field("companyId"), "this API key acts for company "+p.CompanyID+" only; leave companyId empty")
		}
		if shopID != "" && shopID != p.ShopID {
			r.AddErr(ErrInvalidOrder, domain.Field("shopId"), "this API key acts for shop "+p.ShopID+" only; leave shopId empty")
		}
		companyID, shopID = p.CompanyID, p.ShopID
	} else {
		if companyID == "" {
			r.AddErr(ErrInvalidOrder, domain.Field("companyId"), "companyId is required: which of the merchant's companies sells")
		}
		if shopID == "" {
			r.AddErr(ErrInvalidOrder, domain.Field("shopId"), "shopId is required: which shop the order comes from")
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	c := o.cfg.DB.Ent
	plan := &orderPlan{in: in}
	notFound := func(field, what, id string) error {
		return domain.RefuseErr(ErrCompanyOrShopNotFound, domain.Field(field), "no "+what+" "+id)
	}
	company, err := c.Company.Get(ctx, companyID)
	if ent.IsNotFound(err) || (err == nil && !visibleTo(p, company.PspID, company.MerchantID)) {
		return nil, notFound("companyId", "company", companyID)
	} else if err != nil {
		return nil, err
	}
	shop, err := c.Shop.Get(ctx, shopID)
	if ent.IsNotFound(err) || (err == nil && !visibleTo(p, shop.PspID, shop.MerchantID)) {
		return nil, notFound("shopId", "shop", shopID)
	} else if err != nil {
		return nil, err
	}
	if shop.MerchantID != company.MerchantID {
		return nil, domain.RefuseErr(ErrInvalidOrder, domain.Field("shopId"), "shop "+shop.ID+" belongs to another merchant than company "+company.ID)
	}
	plan.company, plan.shop = company, shop
	if err := merchants.CanTakeOrders(ctx, c, company.MerchantID); err != nil {
		refused, ok := domain.AsRefusal(err)
		if !ok {
			return nil, err
		}
		r.Problems = append(r.Problems, refused.Problems...)
	}
	if err := o.resolveProvider(ctx, plan, &r); err != nil {
		return nil, err
	}
	plan.checkFields(&r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return plan, nil
}

// visibleTo is the tenant check createOrder makes itself, besides the storage
// layer's filters: another tenant's company or shop is simply not found.
func visibleTo(p *auth.Principal, pspID, merchantID string) bool {
	switch {
	case p.IsSystem():
		return true
	case p.PSPID != "" && p.PSPID != pspID:
		return false
	case p.MerchantID != "" && p.MerchantID != merchantID:
		return false
	}
	return true
}

// resolveProvider picks the provider (the requested one, or the company's only
// activated one), checks the company's activation and gets the PSP's client.
func (o *Orders) resolveProvider(ctx context.Context, plan *orderPlan, r *domain.Refusal) error {
	acts, err := o.cfg.DB.Ent.ProviderActivation.Query().
		Where(provideractivation.CompanyID(plan.company.ID)).All(ctx)
	if err != nil {
		return err
	}
	prov := plan.in.Provider
	if prov == "" {
		var active []*ent.ProviderActivation
		for _, a := range acts {
			if a.Status == domain.ActivationActive {
				active = append(active, a)
			}
		}
		if len(active) != 1 {
			r.AddErr(ErrInvalidOrder, domain.Field("provider"),
				fmt.Sprintf("provider is required: company %s is activated with %d providers", plan.company.LegalName, len(active)))
			return nil
		}
		prov = active[0].Provider
	}
	plan.provider = prov
	for _, a := range acts {
		if a.Provider == prov {
			plan.activation = a
		}
	}
	if plan.activation == nil || plan.activation.Status != domain.ActivationActive {
		status := "not activated"
		if plan.activation != nil {
			status = string(plan.activation.Status)
		}
		r.AddErr(ErrProviderNotActivated, domain.Field("provider"),
			fmt.Sprintf("company %s is %s with %s", plan.company.LegalName, status, prov))
	}
	plan.client, err = o.cfg.Registry.For(ctx, plan.company.PspID, prov)
	if err != nil {
		return fmt.Errorf("provider client for %s: %w", prov, err)
	}
	return nil
}

// insertOrder writes a new order PENDING with its items, in the request's transaction.
func (o *Orders) insertOrder(ctx context.Context, tx *db.Tx, plan *orderPlan) (string, error) {
	c := plan.company
	create := tx.Ent.Order.Create().SetPspID(c.PspID).SetMerchantID(c.MerchantID).SetCompanyID(c.ID).
		SetShopID(plan.shop.ID).SetReference(plan.in.Reference)
	setOrderFields(create.Mutation(), plan)
	ord, err := create.Save(ctx)
	if err != nil {
		return "", err
	}
	if err := o.writeItems(ctx, tx, ord.ID, plan); err != nil {
		return "", err
	}
	return ord.ID, o.audit(ctx, tx, "createOrder", ord, plan)
}

// setOrderFields sets what an order request decides, on create and on update.
func setOrderFields(m *ent.OrderMutation, plan *orderPlan) {
	in := plan.in
	m.SetProvider(plan.provider)
	if plan.requested != "" {
		m.SetProductType(plan.requested)
	} else {
		m.ClearProductType()
	}
	m.SetCurrency(plan.amount.Currency())
	m.SetInitialAmountMinor(plan.amount.Minor())
	m.SetAmountMinor(plan.amount.Minor())
	m.SetLang(plan.lang)
	m.SetFirstName(strings.TrimSpace(in.FirstName))
	m.SetLastName(strings.TrimSpace(in.LastName))
	m.SetEmail(strings.TrimSpace(in.Email))
	m.SetPhone(in.Phone)
	m.SetShopperCompanyName(strings.TrimSpace(in.CompanyName))
	m.SetBillingAddress(plan.billing)
	if plan.delivery != nil {
		m.SetDeliveryAddress(plan.delivery)
	} else {
		m.ClearDeliveryAddress()
	}
	m.SetSuccessURL(in.SuccessURL)
	m.SetFailedURL(in.FailedURL)
	m.SetCallbackURL(in.CallbackURL)
}

func (o *Orders) writeItems(ctx context.Context, tx *db.Tx, orderID string, plan *orderPlan) error {
	items := make([]*ent.OrderItemCreate, len(plan.items))
	for i, it := range plan.items {
		items[i] = tx.Ent.OrderItem.Create().SetOrderID(orderID).SetPosition(i).SetSku(it.sku).SetName(it.name).
			SetQuantity(it.quantity).SetCurrency(it.total.Currency()).SetUnitPriceMinor(it.unitPrice.Minor()).
			SetVatRateBps(it.vatRateBps).SetTotalMinor(it.total.Minor())
	}
	return tx.Ent.OrderItem.CreateBulk(items...).Exec(ctx)
}

// errShopperContinued refuses a reference the shopper has already continued with.
func errShopperContinued(ord *ent.Order) error {
	msg := "the shopper has already continued with order " + ord.Reference + "; send a new, unique reference"
	if ord.Status != order.StatusPENDING {
		msg = "order " + ord.Reference + " is already " + string(ord.Status) + "; send a new, unique reference"
	}
	return domain.RefuseErr(ErrReferenceConflict, domain.Field("reference"), msg)
}

// refreshContinued asks the provider, before an update and outside any transaction,
// whether the shopper has continued with the order's session without our hearing
// of it yet, and records what it says. The update itself refuses a continued order.
func (o *Orders) refreshContinued(ctx context.Context, ord *ent.Order) error {
	if ord.Status != order.StatusPENDING || ord.ShopperContinued || ord.ProviderReference == "" {
		return nil
	}
	client, err := o.cfg.Registry.For(ctx, ord.PspID, ord.Provider)
	if err != nil {
		return err
	}
	st, err := client.FetchStatus(ctx, ord.ProviderReference)
	switch {
	case errors.Is(err, providers.ErrNotFound):
		return nil // the old session is gone: a new one replaces it
	case err != nil:
		return domain.RefuseErr(ErrProviderRefused, nil,
			fmt.Sprintf("could not check order %s at %s before updating it; try again: %v", ord.Reference, ord.Provider, err))
	}
	if st.ShopperContinued || st.State != providers.PaymentPending {
		_, _, err = o.applyStatus(ctx, ord.ID, st)
	}
	return err
}

// updateOrder rewrites a pending, untouched order from a new request with the same
// reference, in the request's transaction: items, amounts, shopper; the next session
// version, no session yet. A continued order is a CONFLICT.
func (o *Orders) updateOrder(ctx context.Context, tx *db.Tx, id string, plan *orderPlan) error {
	cur, err := o.orderForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if cur.Status != order.StatusPENDING || cur.ShopperContinued {
		return errShopperContinued(cur)
	}
	if _, err := tx.Ent.OrderItem.Delete().Where(orderitem.OrderID(id)).Exec(ctx); err != nil {
		return err
	}
	upd := tx.Ent.Order.UpdateOne(cur).AddSessionVersion(1).ClearProviderReference().ClearPaymentURL()
	setOrderFields(upd.Mutation(), plan)
	ord, err := upd.Save(ctx)
	if err != nil {
		return err
	}
	if err := o.writeItems(ctx, tx, id, plan); err != nil {
		return err
	}
	return o.audit(ctx, tx, "updateOrder", ord, plan)
}

// orderForUpdate reads an order in a transaction, locking its row on PostgreSQL
// (SQLite's transactions already hold the write lock).
func (o *Orders) orderForUpdate(ctx context.Context, tx *db.Tx, id string) (*ent.Order, error) {
	q := tx.Ent.Order.Query().Where(order.ID(id))
	if o.cfg.DB.IsPostgres() {
		q = q.ForUpdate()
	}
	return q.Only(ctx)
}

// sessionKey is the provider-side id of an order's nth session: the order id, then
// <order id>-<n>, so a renewed session never collides with an old one.
func sessionKey(orderID string, version int) string {
	if version == 0 {
		return orderID
	}
	return fmt.Sprintf("%s-%d", orderID, version)
}

// sessionRequest is the provider session for an order.
func (o *Orders) sessionRequest(ord *ent.Order, plan *orderPlan) providers.SessionRequest {
	req := providers.SessionRequest{
		OrderID:            sessionKey(ord.ID, ord.SessionVersion),
		Reference:          ord.ID,
		ExternalMerchantID: plan.activation.ExternalMerchantID,
		ProductType:        domain.ProductType(plan.requested),
		Amount:             plan.amount,
		Shopper: providers.Shopper{FirstName: ord.FirstName, LastName: ord.LastName, Email: ord.Email,
			Phone: ord.Phone, CompanyName: ord.ShopperCompanyName, Lang: ord.Lang},
		Billing:    providerAddress(plan.billing),
		SuccessURL: ord.SuccessURL,
		FailedURL:  ord.FailedURL,
		NotifyURL:  o.NotifyURL(ord.Provider),
	}
	for _, pt := range plan.offered {
		req.ProductTypes = append(req.ProductTypes, domain.ProductType(pt))
	}
	if plan.delivery != nil {
		d := providerAddress(*plan.delivery)
		req.Delivery = &d
	}
	for _, it := range plan.items {
		req.Lines = append(req.Lines, providers.Line{SKU: it.sku, Name: it.name, Quantity: it.quantity,
			UnitPrice: it.unitPrice, VATRateBps: it.vatRateBps, Total: it.total})
	}
	return req
}

func providerAddress(a domain.Address) providers.Address {
	return providers.Address{Street: a.Street, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
}

// openSession creates the provider session (no transaction is open) and stores its
// reference and page URL with the first status poll, unless a newer update of the
// order has superseded this session meanwhile.
func (o *Orders) openSession(ctx context.Context, ord *ent.Order, plan *orderPlan) (*CreateOrderResult, error) {
	res := &CreateOrderResult{Order: ord}
	sess, err := plan.client.CreateSession(ctx, o.sessionRequest(ord, plan))
	switch {
	case errors.Is(err, providers.ErrConflict):
		// Paywerk: the shopper has continued with this order (409); the poll or the
		// next update attempt records it from the provider's own status.
		return res, domain.RefuseErr(ErrReferenceConflict, domain.Field("reference"),
			fmt.Sprintf("%s refuses to change order %s: the shopper has already continued; send a new, unique reference", ord.Provider, ord.Reference))
	case err != nil:
		o.log.WarnContext(ctx, "payment session not created", "order", ord.ID, "provider", ord.Provider, "err", err)
		return res, domain.RefuseErr(ErrProviderRefused, nil,
			fmt.Sprintf("%s could not create the payment session: %v. The order stays PENDING without a paymentUrl; send the same request again to retry", ord.Provider, err))
	}
	version := ord.SessionVersion
	err = o.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		cur, err := o.orderForUpdate(ctx, tx, ord.ID)
		if err != nil {
			return err
		}
		if cur.SessionVersion != version {
			return domain.RefuseErr(ErrReferenceConflict, domain.Field("reference"),
				"order "+ord.Reference+" was updated by another request meanwhile; its answer holds the payment URL")
		}
		if ord, err = tx.Ent.Order.UpdateOne(cur).SetProviderReference(sess.ProviderReference).
			SetPaymentURL(sess.RedirectURL).Save(ctx); err != nil {
			return err
		}
		return o.schedulePoll(ctx, tx, ord)
	})
	if err != nil {
		return res, err
	}
	// Read it again outside the transaction: an entity keeps the client that loaded
	// it, and the API loads its edges (items, shop) through that client.
	if ord, err = o.cfg.DB.Ent.Order.Get(ctx, ord.ID); err != nil {
		return res, err
	}
	res.Order, res.PaymentURL = ord, sess.RedirectURL
	return res, nil
}

// audit records who created or updated which order, with a summary of the request
// (no shopper data), in the request's transaction.
func (o *Orders) audit(ctx context.Context, tx *db.Tx, action string, ord *ent.Order, plan *orderPlan) error {
	input := map[string]any{"reference": ord.Reference, "amount": plan.amount.Amount(), "currency": plan.amount.Currency(),
		"provider": string(plan.provider), "items": len(plan.items), "shopId": ord.ShopID, "companyId": ord.CompanyID}
	if plan.requested != "" {
		input["productType"] = string(plan.requested)
	}
	return pkgaudit.WriteTx(ctx, tx.Ent, pkgaudit.Event{Action: action, Input: input, ObjectIDs: []string{ord.ID},
		PSPID: ord.PspID, MerchantID: ord.MerchantID})
}
