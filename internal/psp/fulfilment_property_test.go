package psp

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestRandomOperationsKeepTheBooks drives random sequences of fulfilments, CANCEL,
// RETURN and AUTO refunds, fulfilAll and refundAll through the service, against
// Paywerk's sandbox (fractional quantities, and its own implementation of the same
// rules and amounts), on random orders. After every step the stored order keeps
// every per-item inequality, its parts add up to its lines, and amount = initial −
// refunds; after every order the provider's totals equal ours to the cent. The seed
// is logged; PSP_PROPERTY_SEED replays it.
func TestRandomOperationsKeepTheBooks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		r := rand.New(rand.NewPCG(propertySeed(t), 7))
		e := newOpsEnv(t, d, envOptions{})
		for n := range 5 {
			lines := randomOrderLines(r)
			ord := e.confirmedOrder(domain.ProviderPaywerk, []domain.ProductType{domain.ProductInvoice, domain.ProductSlice}[r.IntN(2)], lines...)
			var log []string
			for step := range 20 {
				l := lines[r.IntN(len(lines))]
				s := e.snapshot(ord.ID)
				it := itemStateOf(s.items[l.sku])
				var err error
				var what string
				// Whole-order operations are rarer, so orders stay open for a while.
				switch k := r.IntN(24); {
				case k < 7:
					q := partOf(r, it.Open())
					what = fmt.Sprintf("fulfil %s %v", l.sku, fmtQ(q))
					_, err = e.ops.Fulfil(e.as, FulfilInput{OrderID: ord.ID, Items: []FulfilRequestItem{{SKU: l.sku, Quantity: q}}})
				case k < 11:
					q := partOf(r, it.Open())
					what = fmt.Sprintf("cancel %s %v", l.sku, fmtQ(q))
					_, err = e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: l.sku, RefundType: domain.RefundCancel, Quantity: q}}})
				case k < 16:
					q := partOf(r, it.Returnable())
					what = fmt.Sprintf("return %s %v", l.sku, fmtQ(q))
					_, err = e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: l.sku, RefundType: domain.RefundReturn, Quantity: q}}})
				case k < 20:
					q := partOf(r, it.NotRefunded())
					what = fmt.Sprintf("auto %s %v", l.sku, fmtQ(q))
					_, err = e.ops.Refund(e.as, RefundInput{OrderID: ord.ID, Items: []RefundRequestItem{{SKU: l.sku, RefundType: domain.RefundAuto, Quantity: q}}})
				case k < 22:
					what = "fulfilAll"
					_, err = e.ops.FulfilAll(e.as, FulfilAllInput{OrderID: ord.ID})
				default:
					what = "refundAll"
					_, err = e.ops.RefundAll(e.as, RefundAllInput{OrderID: ord.ID})
				}
				if err != nil {
					if _, ok := domain.AsRefusal(err); !ok || errors.Is(err, ErrProviderRefused) {
						t.Fatalf("order %d step %d %s after %v: %v", n, step, what, log, err)
					}
					what += " (refused: " + code(err) + ")"
				}
				log = append(log, what)
				e.checkInvariants(ord.ID)
			}
			t.Logf("order %d: %v", n, log)
			e.checkProviderAgrees(ord.ID)
		}
	})
}

// randomOrderLines are 1–3 lines with fractional quantities and odd prices, worth
// 100–2000 EUR together (Paywerk's pay-later range).
func randomOrderLines(r *rand.Rand) []testLine {
	for {
		n := 1 + r.IntN(3)
		lines := make([]testLine, n)
		total := int64(0)
		for i := range lines {
			q := money.Quantity(250 + r.IntN(4000)) // 0.25 … 4.25
			unit := money.New(int64(1000+r.IntN(40000)), "EUR")
			lt, _ := unit.Times(q)
			total += lt.Minor()
			lines[i] = testLine{sku: fmt.Sprintf("SKU-%d", i), quantity: q.String(), unit: unit.Amount()}
		}
		if total >= 100_00 && total <= 2000_00 {
			return lines
		}
	}
}

func fmtQ(q *money.Quantity) string {
	if q == nil {
		return "all"
	}
	return q.String()
}

// partOf is mostly a small part of what is left, sometimes all of it (given or
// omitted), sometimes a thousandth too much.
func partOf(r *rand.Rand, left money.Quantity) *money.Quantity {
	var q money.Quantity
	switch k := r.IntN(20); {
	case k < 3:
		return nil
	case k < 5:
		q = left + 1
	case k < 8:
		q = left
	default:
		q = 1 + money.Quantity(r.Int64N(max(int64(left)/2, 1)))
	}
	if q <= 0 {
		q = 1
	}
	return &q
}
