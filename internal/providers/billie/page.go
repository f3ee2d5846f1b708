package billie

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

func (s *sandbox) pageView(o orderState) sandboxkit.Page {
	owed := o.owed().wire().Gross.Money
	p := sandboxkit.Page{Provider: "Billie", Accent: "#1d3557", Reference: o.ExternalCode, Amount: owed,
		Details: []sandboxkit.PageDetail{
			{Label: "Buyer", Value: o.Request.Debtor.Name},
			{Label: "Payment term", Value: strconv.Itoa(o.Request.Duration) + " days, by invoice"},
		}}
	for _, l := range o.Request.LineItems {
		total := ""
		if l.Amount != nil {
			total = l.Amount.Gross.Amount()
		}
		p.Lines = append(p.Lines, sandboxkit.PageLine{Name: l.Title, Quantity: strconv.FormatInt(l.Quantity, 10), Total: total})
	}
	switch {
	case o.State == StateDeclined:
		p.Done = "Billie could not offer invoice payment for this order."
	case o.State != StatePreWaiting:
		p.Done = "Order accepted: " + o.Request.Debtor.Name + " receives an invoice."
	case s.cfg.Now().After(o.ExpiresAt):
		p.Done = "This payment page has expired."
	}
	return p
}

// page is the hosted payment page: GET shows it; POST action=approve authorises
// the order (state created) unless a decline fault or the DECLINE trigger in the
// debtor company name declines it (risk_policy); action=decline declines it. Then
// the authorization webhook {order_id, success} goes to the PSP and the buyer is
// sent to accept_url or decline_url with 303.
func (s *sandbox) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var uuid string
	if !sandboxkit.LoadPage(w, r, s.cfg.Store, kindSession, r.PathValue("session"), &uuid, "Billie: no such checkout session") {
		return
	}
	unlock := s.locks.Lock(kindOrder, uuid)
	defer unlock()
	var o orderState
	if _, err := s.cfg.Store.Get(ctx, kindOrder, uuid, &o); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	view := s.pageView(o)
	if r.Method == http.MethodGet || view.Done != "" {
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusConflict
		}
		_ = sandboxkit.RenderPage(w, status, view)
		return
	}
	form, err := sandboxkit.ReadPageForm(r)
	if err != nil {
		view.Notice = err.Error()
		_ = sandboxkit.RenderPage(w, http.StatusBadRequest, view)
		return
	}
	to := o.Request.MerchantURLs.DeclineURL
	o.State = StateDeclined
	if form.Action == sandboxkit.ActionApprove {
		_, declined := s.cfg.Faults.Take(o.Account, sandboxkit.OpAuthorize, sandboxkit.FaultDecline)
		if declined || strings.Contains(strings.ToUpper(o.Request.Debtor.Name), DeclineTrigger) {
			o.DeclineReason = DeclineRiskPolicy
		} else {
			o.State, to = StateCreated, o.Request.MerchantURLs.AcceptURL
		}
	}
	if err := s.cfg.Store.Put(ctx, kindOrder, o.UUID, o); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.send(o, "authorization", AuthorizationWebhook{OrderID: o.UUID, Success: strconv.FormatBool(o.State == StateCreated)})
	sandboxkit.Redirect(w, r, to)
}
