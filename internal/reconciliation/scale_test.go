package reconciliation_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// scaleN is how many payments TestReconcileAtScale makes per provider:
// RECON_SCALE_N, else 200. docs/reconciliation.md "Scale" gives the command and the
// times measured with 100,000.
func scaleN(t *testing.T) int {
	n := 200
	if v := os.Getenv("RECON_SCALE_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("RECON_SCALE_N=%q", v)
		}
	}
	return n
}

// TestReconcileAtScale: a day of N payments at Billwerk+ (read through its charge
// listing, a page of 100 at a time) and at Paywerk (read one by one, eight at
// once) reconciles MATCHED, every operation checked; the time is logged.
func TestReconcileAtScale(t *testing.T) {
	n := scaleN(t)
	d := testdb.Postgres(t)
	e := start(t, d)
	sys := auth.System(context.Background())
	for _, p := range []domain.Provider{domain.ProviderBillwerk, domain.ProviderPaywerk} {
		client, err := e.Sandboxes.For(sys, e.PSP.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		in := e.OrderInput(p, "")
		amount := money.MustParse("150.00", "EUR")
		lines := []providers.Line{
			{SKU: "LAMP-OAK", Name: "Oak table lamp", Quantity: money.Units(1), UnitPrice: money.MustParse("90.00", "EUR"), VATRateBps: 2200, Total: money.MustParse("90.00", "EUR")},
			{SKU: "MUG-SET", Name: "Stoneware mug set", Quantity: money.Units(2), UnitPrice: money.MustParse("30.00", "EUR"), VATRateBps: 2200, Total: money.MustParse("60.00", "EUR")},
		}
		start := time.Now()
		refs := make([]string, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed error
		next := make(chan int)
		for range 8 {
			wg.Go(func() {
				for i := range next {
					s, err := client.CreateSession(sys, providers.SessionRequest{OrderID: fmt.Sprintf("scale-%s-%06d", p.Slug(), i),
						Reference: fmt.Sprintf("SCALE-%s-%06d", p, i), Amount: amount, Lines: lines, ProductType: productOf[p],
						Shopper:    providers.Shopper{FirstName: "Mari", LastName: "Tamm", Email: "mari@example.com", Lang: "en"},
						Billing:    providers.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"},
						SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed", NotifyURL: "https://shop.example/n"})
					mu.Lock()
					if err != nil && failed == nil {
						failed = err
					}
					refs[i] = s.ProviderReference
					mu.Unlock()
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if failed != nil {
			t.Fatal(failed)
		}
		for i := 0; i < n; i += 1000 {
			creates := make([]*ent.OrderCreate, 0, 1000)
			for j := i; j < min(i+1000, n); j++ {
				creates = append(creates, d.Ent.Order.Create().SetPspID(e.PSP.ID).SetMerchantID(e.Merchant.ID).
					SetCompanyID(e.Company.ID).SetShopID(e.Shop.ID).SetProvider(p).SetReference(fmt.Sprintf("SCALE-%s-%06d", p, j)).
					SetProviderReference(refs[j]).SetInitialAmountMinor(amount.Minor()).SetAmountMinor(amount.Minor()).
					SetBillingAddress(*in.BillingAddress))
			}
			if err := d.Ent.Order.CreateBulk(creates...).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d payments made in %s", p, n, time.Since(start).Round(time.Millisecond))

		start = time.Now()
		rep, ms := e.run(t, p)
		took := time.Since(start)
		t.Logf("%s: reconciled %d operations in %s (%s)", p, rep.OperationsChecked, took.Round(time.Millisecond), rep.Status)
		if rep.Status != domain.ReconciliationMatched || rep.OperationsChecked != n {
			t.Fatalf("%s: %s, %d operations checked, want MATCHED and %d:\n%s", p, rep.Status, rep.OperationsChecked, n, describe(ms))
		}
	}
}
