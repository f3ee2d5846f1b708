package psp

import (
	"errors"
	"sync"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestConcurrentOperationsNeverExceedWhatIsOpen runs 50 fulfilments and refunds at
// once on one order. Each is either done or refused for lack of quantity; none takes
// what another took: the items' quantities never break the rules, equal the lines
// of the operations, and the provider (which checks the same rules on its side)
// refuses none of them. On PostgreSQL the requests really interleave and the row
// locks decide; SQLite serialises them.
func TestConcurrentOperationsNeverExceedWhatIsOpen(t *testing.T) {
	eachOpsEnv(t, envOptions{}, func(t *testing.T, e *opsEnv) {
		// Prices whose parts need no rounding, so the provider's amounts agree with
		// ours whatever order the calls reach it in.
		ord := e.confirmedOrder(domain.ProviderPaywerk, domain.ProductInvoice,
			testLine{sku: "A", quantity: "10", unit: "40.00"}, testLine{sku: "B", quantity: "7.5", unit: "16.00"})
		const n = 50
		requests := make([]func() (string, error), n)
		for i := range n {
			switch i % 5 {
			case 0, 1:
				sku := []string{"A", "B"}[i%2]
				requests[i] = func() (string, error) {
					f, err := e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: sku, Quantity: qty("1")}}})
					if err != nil {
						return "", err
					}
					return string(f.Fulfilment.Status), nil
				}
			case 2:
				requests[i] = func() (string, error) {
					r, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "B", RefundType: domain.RefundCancel, Quantity: qty("0.5")}}})
					if err != nil {
						return "", err
					}
					return string(r.Refund.Status), nil
				}
			case 3:
				requests[i] = func() (string, error) {
					r, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("1")}}})
					if err != nil {
						return "", err
					}
					return string(r.Refund.Status), nil
				}
			case 4:
				requests[i] = func() (string, error) {
					r, err := e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: "A", RefundType: domain.RefundCancel, Quantity: qty("1")}}})
					if err != nil {
						return "", err
					}
					return string(r.Refund.Status), nil
				}
			}
		}
		outcomes := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, req := range requests {
			wg.Go(func() {
				<-start
				status, err := req()
				switch {
				case err == nil:
					outcomes[i] = status
				case errors.Is(err, ErrQuantityExceedsRemaining):
					outcomes[i] = "refused"
				default:
					outcomes[i] = "error: " + err.Error()
				}
			})
		}
		close(start)
		wg.Wait()
		count := map[string]int{}
		for i, o := range outcomes {
			count[o]++
			if o != "refused" && o != string(domain.OperationSucceeded) {
				t.Errorf("request %d: %s", i, o)
			}
		}
		t.Logf("outcomes: %v", count)
		if count[string(domain.OperationSucceeded)] == 0 || count["refused"] == 0 {
			t.Fatalf("the race decided nothing interesting: %v", count)
		}
		e.checkInvariants(ord.ID)
		e.checkProviderAgrees(ord.ID)
		// What the race left open can still be fulfilled and refunded, to the cent.
		if _, err := e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: ord.ID}); err != nil && !errors.Is(err, ErrQuantityExceedsRemaining) {
			t.Fatal(err)
		}
		if _, err := e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID}); err != nil {
			t.Fatal(err)
		}
		if s := e.checkInvariants(ord.ID); s.order.AmountMinor != 0 {
			t.Fatalf("after refundAll the shopper owes %d", s.order.AmountMinor)
		}
		e.checkProviderAgrees(ord.ID)
	})
}
