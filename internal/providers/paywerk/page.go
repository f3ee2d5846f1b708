package paywerk

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// Failure reasons the sandbox records (inferred field failureReason).
const (
	FailureShopperDeclined = "declined_by_shopper"
	FailureRiskDecision    = "risk_decision"
)

var productLabels = map[domain.ProductType]string{
	domain.ProductPayNowCard: "Pay now by card",
	domain.ProductInvoice:    "Pay in 30 days",
	domain.ProductSlice:      "Pay in 3 parts",
}

// offered answers the product types the page shows for an order: the order's
// displayedProductTypes (all when unset), each enabled or disabled with the reason.
func (s *sandbox) offered(o orderState) []sandboxkit.PageOption {
	shown := ProductTypes
	if len(o.Request.DisplayedProductTypes) > 0 {
		shown = nil
		for _, pt := range ProductTypes {
			if slices.Contains(o.Request.DisplayedProductTypes, string(pt)) {
				shown = append(shown, pt)
			}
		}
	}
	country := ""
	if o.Request.BillingAddress != nil {
		country = o.Request.BillingAddress.Country
	}
	var opts []sandboxkit.PageOption
	checked := false
	for _, pt := range shown {
		opt := sandboxkit.PageOption{Value: string(pt), Label: productLabels[pt]}
		sched, err := BuildSchedule(pt, eur(o.Initial), country, s.cfg.Now())
		if err != nil {
			opt.Disabled = true
			opt.Note = strings.TrimPrefix(err.Error(), "paywerk: ")
		} else if pt == domain.ProductSlice {
			parts := make([]string, len(sched.Schedule))
			for i, p := range sched.Schedule {
				parts[i] = p.Amount.Amount()
			}
			opt.Note = strings.Join(parts, " + ") + " EUR, monthly"
		} else if pt == domain.ProductInvoice {
			opt.Note = "due " + sched.Schedule[0].DueDate
		}
		if !opt.Disabled && !checked {
			opt.Checked, checked = true, true
		}
		opts = append(opts, opt)
	}
	return opts
}

func (s *sandbox) pageView(o orderState, notice string) sandboxkit.Page {
	p := sandboxkit.Page{Provider: "Paywerk", Accent: "#0f766e", Merchant: s.cfg.MerchantName,
		Reference: o.Reference, Amount: eur(o.Initial), ProductTypes: s.offered(o), Notice: notice}
	for _, it := range o.Items {
		p.Lines = append(p.Lines, sandboxkit.PageLine{Name: it.Name, Quantity: it.Quantity.String(), Total: eur(it.Total).Amount()})
	}
	switch o.Status {
	case StatusConfirmed:
		p.Done = "Paid with " + productLabels[domain.ProductType(o.ProductType)] + ". You can close this page."
	case StatusFailed:
		p.Done = "This payment did not go through."
	}
	return p
}

// page is the hosted payment page: GET shows it (and marks that the shopper has
// continued, so the same reference can no longer be updated); POST with
// action=approve&productType=… or action=decline completes it: callback, then 303
// to successUrl or failedUrl.
func (s *sandbox) page(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	unlock := s.locks.Lock(kindOrder, id)
	defer unlock()
	ctx := r.Context()
	var o orderState
	if !sandboxkit.LoadPage(w, r, s.cfg.Store, kindOrder, id, &o, "Paywerk: no such payment") {
		return
	}
	if o.Status != StatusPending {
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusConflict
		}
		_ = sandboxkit.RenderPage(w, status, s.pageView(o, ""))
		return
	}
	if r.Method == http.MethodGet {
		if !o.Continued {
			o.Continued = true
			if err := s.cfg.Store.Put(ctx, kindOrder, o.ID, o); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		_ = sandboxkit.RenderPage(w, http.StatusOK, s.pageView(o, ""))
		return
	}
	form, err := sandboxkit.ReadPageForm(r)
	if err != nil {
		_ = sandboxkit.RenderPage(w, http.StatusBadRequest, s.pageView(o, err.Error()))
		return
	}
	o.Continued = true
	to := o.Request.FailedURL
	switch form.Action {
	case sandboxkit.ActionDecline:
		o.Status, o.FailureReason = StatusFailed, FailureShopperDeclined
	case sandboxkit.ActionApprove:
		if form.ProductType == "" {
			form.ProductType = s.onlyChoice(o)
		}
		if !s.choosable(o, form.ProductType) {
			_ = sandboxkit.RenderPage(w, http.StatusUnprocessableEntity, s.pageView(o, "Choose one of the available payment methods."))
			return
		}
		o.ProductType = form.ProductType
		_, declined := s.cfg.Faults.Take(o.Account, sandboxkit.OpAuthorize, sandboxkit.FaultDecline)
		if declined || strings.Contains(strings.ToUpper(o.Request.LastName), DeclineTrigger) {
			o.Status, o.FailureReason = StatusFailed, FailureRiskDecision
		} else {
			o.Status, to = StatusConfirmed, o.Request.SuccessURL
		}
	}
	o.UpdatedAt = s.cfg.Now().UTC()
	if err := s.cfg.Store.Put(ctx, kindOrder, o.ID, o); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.callback(o)
	sandboxkit.Redirect(w, r, to)
}

// choosable tells whether the shopper may pay the order with a product type.
func (s *sandbox) choosable(o orderState, pt string) bool {
	for _, opt := range s.offered(o) {
		if opt.Value == pt && !opt.Disabled {
			return true
		}
	}
	return false
}

// onlyChoice is the product type when exactly one can be chosen, else "".
func (s *sandbox) onlyChoice(o orderState) string {
	only := ""
	for _, opt := range s.offered(o) {
		if !opt.Disabled {
			if only != "" {
				return ""
			}
			only = opt.Value
		}
	}
	return only
}
