package billwerk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// The charge and refund listings (GET /v1/list/charge, GET /v1/list/refund) that
// reconciliation pages through. Their shape is inferred from Reepay's public API
// reference (from/to as dates, size, next_page_token; an answer of {size, count,
// content, next_page_token}); docs/providers/billwerk.md "Listings".

// listPageSize is the page size the client asks for and the sandbox's largest.
const listPageSize = 100

type listPage[T any] struct {
	Size          int    `json:"size"`
	Count         int    `json:"count"`
	Content       []T    `json:"content"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

func listQuery(from, to time.Time, page string) string {
	// Reepay's to is inclusive: the last day is the one before our exclusive end.
	q := url.Values{"from": {from.UTC().Format(time.DateOnly)}, "to": {to.Add(-time.Nanosecond).UTC().Format(time.DateOnly)},
		"size": {strconv.Itoa(listPageSize)}}
	if page != "" {
		q.Set("next_page_token", page)
	}
	return "?" + q.Encode()
}

// list reads one page of GET /v1/list/{what}.
func list[T any](ctx context.Context, c *Client, what string, from, to time.Time, page string) (listPage[T], error) {
	var p listPage[T]
	err := c.do(ctx, http.MethodGet, c.coreURL, "/v1/list/"+what+listQuery(from, to, page), nil, &p, "")
	return p, err
}

// ListPayments implements providers.Lister: the charges made in [from, to) (whole
// UTC days), one page.
func (c *Client) ListPayments(ctx context.Context, from, to time.Time, page string) (providers.PaymentPage, error) {
	p, err := list[charge](ctx, c, "charge", from, to, page)
	if err != nil {
		return providers.PaymentPage{}, err
	}
	out := providers.PaymentPage{Next: p.NextPageToken, Payments: make([]providers.PaymentStatus, 0, len(p.Content))}
	for _, ch := range p.Content {
		st, err := statusOf(ch)
		if err != nil {
			return providers.PaymentPage{}, err
		}
		out.Payments = append(out.Payments, st)
	}
	return out, nil
}

// ListRefunds implements providers.Lister: the refunds made in [from, to), one page.
func (c *Client) ListRefunds(ctx context.Context, from, to time.Time, page string) (providers.OperationPage, error) {
	p, err := list[refund](ctx, c, "refund", from, to, page)
	if err != nil {
		return providers.OperationPage{}, err
	}
	out := providers.OperationPage{Next: p.NextPageToken, Operations: make([]providers.OperationRecord, 0, len(p.Content))}
	for _, rf := range p.Content {
		if rf.State != refundRefunded {
			continue
		}
		out.Operations = append(out.Operations, providers.OperationRecord{Kind: providers.OperationRefund,
			ProviderReference: rf.Invoice, ProviderOperationID: rf.ID, Amount: money.New(rf.Amount, rf.Currency)})
	}
	return out, nil
}

// listRange reads a listing's from and to (dates, to inclusive as Reepay's) into
// [from, to+1 day); a range over 31 days is refused.
func listRange(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	from, err := time.Parse(time.DateOnly, q.Get("from"))
	to, err2 := time.Parse(time.DateOnly, q.Get("to"))
	if err != nil || err2 != nil || to.Before(from) || to.Sub(from) > 31*24*time.Hour {
		return time.Time{}, time.Time{}, errors.New("from and to are required dates (yyyy-MM-dd), to not before from, at most 31 days apart")
	}
	return from, to.Add(24 * time.Hour), nil
}

// serveList answers one page of a listing: the index's ids, each loaded.
func serveList[T any](w http.ResponseWriter, r *http.Request, acct string, x *sandboxkit.DayIndex, load func(context.Context, string) (T, error)) {
	from, to, err := listRange(r)
	if err != nil {
		invalidRequest(w, r, err.Error())
		return
	}
	ids, next, err := x.Page(r.Context(), acct, from, to, r.URL.Query().Get("next_page_token"))
	if err != nil {
		invalidRequest(w, r, err.Error())
		return
	}
	p := listPage[T]{Size: listPageSize, Content: make([]T, 0, len(ids)), NextPageToken: next}
	for _, id := range ids {
		doc, err := load(r.Context(), id)
		if err != nil {
			writeCode(w, r, http.StatusInternalServerError, codeInternalError, err.Error())
			return
		}
		p.Content = append(p.Content, doc)
	}
	p.Count = len(p.Content)
	sandboxkit.WriteJSON(w, http.StatusOK, p)
}

func (s *sandbox) listCharges(w http.ResponseWriter, r *http.Request, acct string) {
	serveList(w, r, acct, s.charges, func(ctx context.Context, id string) (charge, error) {
		c, _, err := s.load(ctx, id)
		return c.Charge, err
	})
}

func (s *sandbox) listRefunds(w http.ResponseWriter, r *http.Request, acct string) {
	serveList(w, r, acct, s.refunds, func(ctx context.Context, id string) (refund, error) {
		var rf refund
		_, err := s.cfg.Store.Get(ctx, kindRefund, id, &rf)
		return rf, err
	})
}

// putRefund stores a refund and lists it under the day it was made.
func (s *sandbox) putRefund(ctx context.Context, acct string, rf refund) error {
	if err := s.cfg.Store.Put(ctx, kindRefund, rf.ID, rf); err != nil {
		return err
	}
	return s.refunds.Add(ctx, acct, s.cfg.Now(), rf.ID)
}

// simulate changes a charge without telling anyone (sandboxkit.MountSimulate): a
// capture settles more, a refund makes a refund (listed), a cancel releases what is
// still authorised.
func (s *sandbox) simulate(ctx context.Context, sim sandboxkit.Simulation, allowed sandboxkit.ControlScope) error {
	doc := sandboxkit.SimDoc[sandboxCharge]{Store: s.cfg.Store, Locks: &s.locks, Kind: kindCharge,
		Account: func(c *sandboxCharge) string { return c.Account }, Currency: func(c *sandboxCharge) string { return c.Charge.Currency }}
	return doc.Apply(ctx, sim, allowed, func(c *sandboxCharge, amount int64) error {
		ch := &c.Charge
		switch sim.Event {
		case sandboxkit.SimCapture:
			if (ch.State != stateAuthorized && ch.State != stateSettled) || amount > ch.AuthorizedAmount-ch.SettledAmount {
				return fmt.Errorf("%w: the charge is %s with %d still authorized", sandboxkit.ErrSimRefused, ch.State, ch.AuthorizedAmount-ch.SettledAmount)
			}
			ch.SettledAmount += amount
			ch.State, ch.Settled = stateSettled, s.now()
		case sandboxkit.SimRefund:
			if ch.State != stateSettled || amount > ch.SettledAmount-ch.RefundedAmount {
				return fmt.Errorf("%w: the charge is %s with %d refundable", sandboxkit.ErrSimRefused, ch.State, ch.SettledAmount-ch.RefundedAmount)
			}
			ch.RefundedAmount += amount
			rf := refund{ID: sandboxkit.NewID("rf_"), Invoice: ch.Handle, Amount: amount, Currency: ch.Currency,
				Type: "card", Created: s.now(), Transaction: c.nextTransaction(), State: refundRefunded}
			if err := s.putRefund(ctx, c.Account, rf); err != nil {
				return err
			}
		case sandboxkit.SimCancel:
			if ch.State != stateAuthorized && ch.State != stateCreated && ch.State != stateSettled {
				return fmt.Errorf("%w: the charge is %s", sandboxkit.ErrSimRefused, ch.State)
			}
			if ch.SettledAmount == 0 {
				ch.State, ch.Cancelled = stateCancelled, s.now()
			} else {
				ch.Amount -= ch.AuthorizedAmount - ch.SettledAmount
				ch.AuthorizedAmount = ch.SettledAmount
			}
		}
		ch.Transaction = c.nextTransaction()
		return nil
	})
}
