package seed_test

import (
	"context"
	"testing"
	"time"

	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// TestDemoSettlements: settled day by day like the app does after loading it, the
// demo data set has about two months of settlements, at least one of them negative,
// each adding up to its entries.
func TestDemoSettlements(t *testing.T) {
	now := demoDay
	eachDemo(t, now, func(t *testing.T, ctx context.Context, d *db.DB) {
		s := settlement.NewSettlements(d)
		s.Now = func() time.Time { return now }
		today := domain.DateOf(now)
		n, err := s.RunDays(ctx, today.AddDays(-60), today)
		if err != nil {
			t.Fatal(err)
		}
		sts, err := d.Ent.Settlement.Query().WithEntries().Order(entsettlement.ByDate()).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(sts) || n < 40 {
			t.Fatalf("%d settlements created, %d stored; want one for most of 60 days", n, len(sts))
		}
		if first := sts[0].Date; first.After(today.AddDays(-50)) {
			t.Errorf("the first settlement is of %s; want about two months of them", first)
		}
		owes := 0
		for _, st := range sts {
			if st.Status == domain.SettlementMerchantOwes {
				owes++
			}
			var net int64
			for _, e := range st.Edges.Entries {
				net += e.AmountMinor
			}
			if net != st.NetMinor {
				t.Errorf("settlement %s of %s: entries add up to %d, net is %d", st.ID, st.Date, net, st.NetMinor)
			}
		}
		t.Logf("%d settlements from %s, %d of them MERCHANT_OWES", len(sts), sts[0].Date, owes)
		if owes == 0 {
			t.Errorf("no settlement of the demo is MERCHANT_OWES")
		}
		if again, err := s.RunDays(ctx, today.AddDays(-60), today); err != nil || again != 0 {
			t.Errorf("settling the demo again created %d settlements (%v), want none", again, err)
		}
	})
}
