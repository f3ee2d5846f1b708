package billie

import (
	"errors"
	"net/http"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

func FuzzParseWebhook(f *testing.F) {
	for _, s := range []struct{ key, body string }{
		{testHookKey, `{"order_id":"4c1f2a3e-0000-4000-8000-000000000001","success":"true"}`},
		{testHookKey, `{"order_id":"u","success":false}`},
		{testHookKey, `{"created_at":"2026-11-21T10:00:00Z","event":"invoice_created","order_id":"R-1","order_uuid":"u","invoice_uuid":"i","amount":{"net":100.00,"gross":119.00,"tax":19.00}}`},
		{testHookKey, `{"event":"order_canceled","order_uuid":"u","amount":{"net":1e3,"gross":"x","tax":null}}`},
		{testHookKey + "x", `{"order_id":"u","success":"true"}`},
		{"", `{"order_id":"u","success":"true"}`},
		{testHookKey, `{"order_id":"u","success":"true"} []`},
		{testHookKey, `null`},
	} {
		f.Add(s.key, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		h := http.Header{WebhookKeyHeader: {key}}
		ev, err := ParseWebhook(testHookKey, h, body)
		if key != testHookKey {
			if !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("a wrong key %q was not refused: %v", key, err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, providers.ErrValidation) {
				t.Fatalf("a bad body with the right key: %v, want ErrValidation", err)
			}
			return
		}
		if ev.ID == "" || (ev.ProviderReference == "" && ev.OrderReference == "") {
			t.Fatalf("accepted %q as %+v", body, ev)
		}
		if again, _ := ParseWebhook(testHookKey, h, body); again.ID != ev.ID {
			t.Fatalf("unstable id for %q", body)
		}
	})
}
