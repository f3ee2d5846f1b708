package psp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// FuzzOrderInput runs the order request's own checks (checkFields without a provider)
// on arbitrary text: nothing panics, and an accepted request is within every bound of
// internal/domain — positive amount up to MaxOrderAmountMinor equal to its items'
// sum, at most MaxOrderItems items, every text within its length.
func FuzzOrderInput(f *testing.F) {
	f.Add("W-1", "Mari", "mari@example.com", "+37255555555", "Narva mnt 5", "https://shop.example/cb", "150.00", "LAMP", "Lamp", "1", "150.00", "22", 1)
	f.Add("", "", "", "", "", "", "92233720368547758.07", "", "", "0", "", "", 0)
	f.Add("=HYPERLINK()", strings.Repeat("x", 300), "a@b", "+1", "", "ftp://x", "10000000.01", "S", "", "0.001", "1", "100.01", 3)
	f.Fuzz(func(t *testing.T, ref, name, email, phone, street, url, amount, sku, itemName, qty, unitPrice, vat string, n int) {
		if n < 0 || n > domain.MaxOrderItems+2 {
			return
		}
		q, err := money.ParseQuantity(qty)
		if err != nil {
			q = money.Units(1)
		}
		items := make([]OrderItemInput, n)
		for i := range items {
			items[i] = OrderItemInput{SKU: sku + strings.Repeat("+", i), Name: itemName, Quantity: q, UnitPrice: unitPrice, VATRate: vat}
		}
		p := &orderPlan{
			in: CreateOrderInput{Reference: ref, FirstName: name, LastName: name, Email: email, Phone: phone,
				BillingAddress: &domain.Address{Street: street, Country: "EE"}, Amount: amount, Currency: "EUR",
				Items: items, SuccessURL: url, FailedURL: url, CallbackURL: url},
			shop:    &ent.Shop{Currency: "EUR", DefaultLang: "et"},
			company: &ent.Company{Currency: "EUR"},
		}
		var r domain.Refusal
		p.checkFields(&r)
		if len(r.Problems) > 0 {
			return
		}
		if !p.amount.IsPositive() || p.amount.Minor() > domain.MaxOrderAmountMinor {
			t.Fatalf("accepted amount %s", p.amount)
		}
		if len(p.items) > domain.MaxOrderItems || len(p.items) == 0 {
			t.Fatalf("accepted %d items", len(p.items))
		}
		sum := int64(0)
		for _, it := range p.items {
			sum += it.total.Minor()
			if utf8.RuneCountInString(it.name) > domain.MaxNameLen || len(it.sku) > domain.MaxSKULen {
				t.Fatalf("accepted item %q %q", it.sku, it.name)
			}
		}
		if sum != p.amount.Minor() {
			t.Fatalf("items sum to %d, amount %d", sum, p.amount.Minor())
		}
		for _, s := range []struct {
			v   string
			max int
		}{{p.in.Reference, domain.MaxReferenceLen}, {p.in.FirstName, domain.MaxNameLen}, {email, domain.MaxEmailLen},
			{url, domain.MaxURLLen}, {street, domain.MaxStreetLen}} {
			if utf8.RuneCountInString(strings.TrimSpace(s.v)) > s.max {
				t.Fatalf("accepted %d characters where %d are allowed", utf8.RuneCountInString(s.v), s.max)
			}
		}
	})
}

// FuzzParseVATRate: a rate is accepted only from 0 to 100 % with at most 2 decimals.
func FuzzParseVATRate(f *testing.F) {
	for _, s := range []string{"22", "7.5", "0", "100", "100.01", "-1", "1e2", ".5", "5.", " 9 ", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bps, ok := parseVATRate(s)
		if ok && (bps < 0 || bps > 10000) {
			t.Fatalf("parseVATRate(%q) = %d", s, bps)
		}
	})
}
