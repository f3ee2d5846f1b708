package reconciliation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// maxPages bounds a listing walk (100 a page: 5 million payments a day).
const maxPages = 50_000

// theirDay is what the provider reports for the day.
type theirDay struct {
	payments map[string]providers.PaymentStatus // by provider reference
	listed   []providers.PaymentStatus          // what the listing showed, in order
	refunds  map[string][]providers.OperationRecord
	missing  map[string]bool // references the provider answered 404 for
}

// compareDay reads the provider's side of the day and compares it with ours; it
// answers the findings and how many operations were checked.
func (s *Service) compareDay(ctx context.Context, client providers.Provider, ours []ourOrder, day domain.Date) ([]Finding, int, error) {
	from := day.Time()
	to := from.AddDate(0, 0, 1)
	th := theirDay{payments: map[string]providers.PaymentStatus{}, missing: map[string]bool{}}
	if l, ok := client.(providers.Lister); ok {
		if err := th.list(ctx, l, from, to); err != nil {
			return nil, 0, err
		}
	}
	var need []string
	for _, o := range ours {
		ref := o.order.ProviderReference
		if _, ok := th.payments[ref]; !ok && ref != "" {
			need = append(need, ref)
		}
	}
	if err := s.fetch(ctx, client, need, &th); err != nil {
		return nil, 0, err
	}
	caps := client.Capabilities()
	var out []Finding
	checked := 0
	known := map[string]bool{}
	for _, o := range ours {
		checked += o.operations()
		ref := o.order.ProviderReference
		known[ref] = true
		switch {
		case ref == "":
			// never reached the provider (the session was not created)
		case th.missing[ref]:
			out = append(out, missingAtProvider(o))
		default:
			out = append(out, compareOrder(o, th.payments[ref], caps, th.refunds[ref])...)
		}
	}
	extra, err := s.unknownPayments(ctx, th.listed, known)
	if err != nil {
		return nil, 0, err
	}
	checked += len(extra)
	for _, st := range extra {
		out = append(out, missingHere(st))
	}
	return out, checked, nil
}

// list pages through the provider's payments and refunds of the day.
func (th *theirDay) list(ctx context.Context, l providers.Lister, from, to time.Time) error {
	page := ""
	for range maxPages {
		p, err := l.ListPayments(ctx, from, to, page)
		if err != nil {
			return err
		}
		for _, st := range p.Payments {
			th.payments[st.ProviderReference] = st
		}
		th.listed = append(th.listed, p.Payments...)
		if page = p.Next; page == "" {
			break
		}
	}
	th.refunds = map[string][]providers.OperationRecord{}
	for range maxPages {
		p, err := l.ListRefunds(ctx, from, to, page)
		if err != nil {
			return err
		}
		for _, op := range p.Operations {
			th.refunds[op.ProviderReference] = append(th.refunds[op.ProviderReference], op)
		}
		if page = p.Next; page == "" {
			break
		}
	}
	return nil
}

// fetch reads each payment on its own, at most Concurrency at once; a payment the
// provider does not know is remembered as missing, any other error ends the run.
func (s *Service) fetch(ctx context.Context, client providers.Provider, refs []string, th *theirDay) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan string)
	for range min(s.cfg.Concurrency, max(len(refs), 1)) {
		wg.Go(func() {
			for ref := range next {
				st, err := client.FetchStatus(ctx, ref)
				mu.Lock()
				switch {
				case errors.Is(err, providers.ErrNotFound):
					th.missing[ref] = true
				case err != nil:
					if first == nil {
						first = err
						cancel()
					}
				default:
					th.payments[ref] = st
				}
				mu.Unlock()
			}
		})
	}
	for _, ref := range refs {
		if ctx.Err() != nil {
			break
		}
		next <- ref
	}
	close(next)
	wg.Wait()
	return first
}

// unknownPayments are the listed payments no order of ours has, of any day.
func (s *Service) unknownPayments(ctx context.Context, listed []providers.PaymentStatus, known map[string]bool) ([]providers.PaymentStatus, error) {
	var refs []string
	for _, st := range listed {
		if !known[st.ProviderReference] {
			refs = append(refs, st.ProviderReference)
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	found := map[string]bool{}
	for i := 0; i < len(refs); i += loadChunk {
		var have []string
		err := s.cfg.Source.Order.Query().Where(order.ProviderReferenceIn(refs[i:min(i+loadChunk, len(refs))]...)).
			Select(order.FieldProviderReference).Scan(ctx, &have)
		if err != nil {
			return nil, err
		}
		for _, r := range have {
			found[r] = true
		}
	}
	var out []providers.PaymentStatus
	for _, st := range listed {
		if !known[st.ProviderReference] && !found[st.ProviderReference] {
			out = append(out, st)
		}
	}
	return out, nil
}
