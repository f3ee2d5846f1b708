package bulkseed

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

func BenchmarkGenerate(b *testing.B) {
	st := &structure{pspID: "psp_x"}
	for i := range 10 {
		st.merchants = append(st.merchants, &merchantNode{id: "mer", companies: []*companyNode{{id: "com", currency: "EUR", payNow: 2, payLater: 7, providers: []domain.Provider{domain.ProviderPaywerk}}},
			shops: []*shopNode{{id: "shp", lang: "et", products: []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice}}}})
		_ = i
	}
	st.weigh()
	now := time.Now()
	g := &generator{rng: rand.New(rand.NewPCG(1, 2)), st: st, tag: "T", now: now, start: now.AddDate(0, 0, -180), span: 180 * 24 * time.Hour, n: 1000000}
	bt := &batch{}
	for i := 0; b.Loop(); i++ {
		if err := g.order(i%1000000, bt); err != nil {
			b.Fatal(err)
		}
		if len(bt.orders) > 2000 {
			bt = &batch{}
		}
	}
}
