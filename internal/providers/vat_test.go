package providers

import (
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// TaxOf never gives a split a provider could refuse: 0 ≤ tax ≤ gross, so the net
// (gross − tax) is never negative, for every cent amount and the usual rates.
func TestTaxOfStaysWithinGross(t *testing.T) {
	for _, bps := range []int64{0, 500, 700, 1900, 2000, 2200, 2500, -100} {
		for g := int64(0); g <= 20000; g++ {
			tax := TaxOf(money.New(g, "EUR"), bps).Minor()
			if tax < 0 || tax > g {
				t.Fatalf("TaxOf(%d, %d) = %d", g, bps, tax)
			}
		}
	}
	if got := TaxOf(money.New(2500, "EUR"), 2200).Minor(); got != 451 {
		t.Fatalf("TaxOf(25.00, 22%%) = %d, want 451 (net 20.49)", got)
	}
}
