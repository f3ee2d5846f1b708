package paywerk

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		`{"paywerkId":"0b8e6d2a-2f6c-4b7e-9d8c-1f2e3d4c5b6a","orderReference":"Merchant-Order-Reference-12345"}`,
		`{"orderReference":"W-1","paywerkId":"p"}`,
		`{"paywerkId":"p","orderReference":"W-1","status":"CONFIRMED"}`,
		`{"paywerkId":null,"orderReference":"W-1"}`,
		`{"paywerkId":"p","orderReference":"W-1"}{}`,
		`[]`, `""`, `{`, ``, `{"paywerkId":"\u0000","orderReference":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseCallback(body)
		if err != nil {
			if !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("refusal %v is not ErrUnauthenticated", err)
			}
			return
		}
		if !ev.NeedsFetch || ev.ProviderReference == "" || ev.ID == "" {
			t.Fatalf("accepted callback %q parsed to %+v", body, ev)
		}
		// Stable: the same body parses to the same id.
		again, _ := ParseCallback(body)
		if again.ID != ev.ID {
			t.Fatalf("ids differ: %s, %s", ev.ID, again.ID)
		}
		// Only the exact shape passes: re-encoding the two fields is accepted too.
		b, _ := json.Marshal(Callback{PaywerkID: ev.ProviderReference, OrderReference: ev.OrderReference})
		if re, err := ParseCallback(b); err != nil || re.ID != ev.ID {
			t.Fatalf("re-encoded %s: %+v %v", b, re, err)
		}
	})
}

// FuzzOrderRequest feeds the sandbox's order request decoding and validation: no
// panics, and an accepted request's items always add up to its amount.
func FuzzOrderRequest(f *testing.F) {
	f.Add([]byte(`{"lang":"en","billingAddress":{"country":"EE"},"amount":1238.16,"currency":"EUR","successUrl":"https://a.b/ok","failedUrl":"https://a.b/f","reference":"W-1"}`))
	f.Add([]byte(`{"lang":"et","billingAddress":{"country":"EE"},"amount":10,"currency":"EUR","successUrl":"https://a.b/ok","failedUrl":"https://a.b/f","reference":"W-1","items":[{"sku":"A","quantity":0.5,"unitPrice":20}]}`))
	f.Add([]byte(`{"amount":1e3,"items":[{"sku":"A","quantity":-1,"unitPrice":"x"}]}`))
	f.Add([]byte(`{"lang":"en","billingAddress":{"country":"EE"},"amount":92233720368547758.07,"currency":"EUR","successUrl":"https://a.b/ok","failedUrl":"https://a.b/f","reference":"W","items":[{"sku":"A","quantity":9223372036854775.807,"unitPrice":92233720368547758.07}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req OrderRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return
		}
		items, bad := validate(&req)
		if len(bad) > 0 {
			return
		}
		sum := int64(0)
		for _, it := range items {
			sum += it.Total
		}
		if sum != req.Amount.Minor() || len(items) == 0 {
			t.Fatalf("accepted %s with items summing to %d", body, sum)
		}
	})
}
