package billwerk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

const testSecret = "webhook_secret_0123456789"

// signedBody builds a webhook body as Reepay sends it, signed with secret.
func signedBody(t testing.TB, secret string, w Webhook) []byte {
	t.Helper()
	w.Signature = Sign(secret, w.Timestamp, w.ID)
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var baseWebhook = Webhook{
	ID:          "8f3ce3a5c3b4bd2b4cf4a3c1e0e46a09",
	EventID:     "ev_5b4a2b2f0e8c",
	EventType:   EventInvoiceAuthorized,
	Timestamp:   "2026-03-01T12:10:00.640Z",
	Invoice:     "ord_01J0000000000000000000001",
	Transaction: "tr_1",
	Customer:    "cust-ord_01J0000000000000000000001",
}

// TestSignMatchesIndependentHMAC checks Sign against HMAC-SHA256 computed here from the
// documented rule: key = secret, message = timestamp + id, lowercase hex.
func TestSignMatchesIndependentHMAC(t *testing.T) {
	m := hmac.New(sha256.New, []byte("s3cr3t"))
	m.Write([]byte("2015-06-25T12:10:00.64Z" + "a5c3b4bd2b4cf4a3"))
	want := hex.EncodeToString(m.Sum(nil))
	if got := Sign("s3cr3t", "2015-06-25T12:10:00.64Z", "a5c3b4bd2b4cf4a3"); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if strings.ToLower(want) != want {
		t.Fatal("signature must be lowercase hex")
	}
}

func TestParseWebhookVerification(t *testing.T) {
	valid := signedBody(t, testSecret, baseWebhook)
	tamper := func(f func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(valid, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	cases := []struct {
		name   string
		secret string
		body   []byte
		err    error // nil: accepted
	}{
		{"valid signature is accepted", testSecret, valid, nil},
		{"uppercase hex signature is accepted", testSecret, tamper(func(m map[string]any) { m["signature"] = strings.ToUpper(m["signature"].(string)) }), nil},
		{"forged signature is refused", testSecret, tamper(func(m map[string]any) { m["signature"] = strings.Repeat("ab", 32) }), ErrBadSignature},
		{"signature that is not hex is refused", testSecret, tamper(func(m map[string]any) { m["signature"] = "not-hex" }), ErrBadSignature},
		{"wrong key is refused", "another_secret", valid, ErrBadSignature},
		{"empty secret verifies nothing", "", valid, ErrNoWebhookSecret},
		{"tampered id is refused", testSecret, tamper(func(m map[string]any) { m["id"] = "8f3ce3a5c3b4bd2b4cf4a3c1e0e46a0a" }), ErrBadSignature},
		{"tampered timestamp is refused", testSecret, tamper(func(m map[string]any) { m["timestamp"] = "2026-03-01T12:10:01.640Z" }), ErrBadSignature},
		{"timestamp re-formatted is refused (it is signed exactly as sent)", testSecret, tamper(func(m map[string]any) { m["timestamp"] = "2026-03-01T12:10:00.64Z" }), ErrBadSignature},
		{"missing signature is refused", testSecret, tamper(func(m map[string]any) { delete(m, "signature") }), ErrMalformedWebhook},
		{"missing id is refused", testSecret, tamper(func(m map[string]any) { delete(m, "id") }), ErrMalformedWebhook},
		{"body that is not JSON is refused", testSecret, []byte("id=1&signature=2"), ErrMalformedWebhook},
		{"empty body is refused", testSecret, nil, ErrMalformedWebhook},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseWebhook(tc.secret, tc.body)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("refused a good webhook: %v", err)
				}
				if ev.ID != baseWebhook.ID || ev.ProviderReference != baseWebhook.Invoice || !ev.NeedsFetch || ev.Kind != providers.EventPaymentChanged {
					t.Fatalf("event = %+v", ev)
				}
				if want := time.Date(2026, 3, 1, 12, 10, 0, 640e6, time.UTC); !ev.OccurredAt.Equal(want) {
					t.Fatalf("OccurredAt = %v, want %v", ev.OccurredAt, want)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("err = %v, want class ErrUnauthenticated", err)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Provider != providers.Billwerk {
				t.Fatalf("err = %v, want a *providers.Error of billwerk", err)
			}
		})
	}
}

// The signature covers timestamp + id only: a changed invoice still verifies, which is
// why the event carries no state and asks for a fetch of the charge.
func TestTamperedInvoiceOnlyNamesWhatToFetch(t *testing.T) {
	var m map[string]any
	_ = json.Unmarshal(signedBody(t, testSecret, baseWebhook), &m)
	m["invoice"] = "ord_other"
	m["event_type"] = EventInvoiceSettled
	b, _ := json.Marshal(m)
	ev, err := ParseWebhook(testSecret, b)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.NeedsFetch || ev.Kind != providers.EventPaymentChanged || ev.Amount != nil {
		t.Fatalf("an unsigned field must not carry state: %+v", ev)
	}
}

// A replayed webhook (Reepay's retry, or an attacker's replay) verifies and keeps its
// id, so the receiver's deduplication by Event.ID drops it.
func TestReplayKeepsTheSameEventID(t *testing.T) {
	body := signedBody(t, testSecret, baseWebhook)
	first, err1 := ParseWebhook(testSecret, body)
	again, err2 := ParseWebhook(testSecret, body)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if first.ID != again.ID || first.ID == "" {
		t.Fatalf("ids %q and %q", first.ID, again.ID)
	}
	other := baseWebhook
	other.ID = "0000000000000000000000000000beef"
	next, err := ParseWebhook(testSecret, signedBody(t, testSecret, other))
	if err != nil || next.ID == first.ID {
		t.Fatalf("a different webhook must have a different id: %v %q", err, next.ID)
	}
}

func TestVATFraction(t *testing.T) {
	cases := []struct {
		bps  int64
		text string
	}{{0, ""}, {2500, "0.25"}, {1900, "0.19"}, {700, "0.07"}, {725, "0.0725"}, {10000, "1"}, {1, "0.0001"}}
	for _, tc := range cases {
		if got := vatFraction(tc.bps); string(got) != tc.text {
			t.Errorf("vatFraction(%d) = %q, want %q", tc.bps, got, tc.text)
		}
		back, err := vatBps(json.Number(tc.text))
		if err != nil || back != tc.bps {
			t.Errorf("vatBps(%q) = %d, %v; want %d", tc.text, back, err, tc.bps)
		}
	}
	for _, bad := range []string{"1.5", "-0.1", "0.25001", "2.5e-1", "abc", ".25", "0.2.5"} {
		if _, err := vatBps(json.Number(bad)); !errors.Is(err, ErrBadVAT) {
			t.Errorf("vatBps(%q) accepted", bad)
		}
	}
}

func FuzzParseWebhook(f *testing.F) {
	f.Add(testSecret, signedBody(f, testSecret, baseWebhook))
	f.Add(testSecret, []byte(`{"id":"1","timestamp":"t","signature":"00"}`))
	f.Add("", []byte(`{}`))
	f.Add("k", []byte(`{"id":"\u0000","timestamp":"2026-01-01T00:00:00Z","signature":"zz","invoice":1}`))
	f.Add("k", []byte(`[`))
	f.Fuzz(func(t *testing.T, secret string, body []byte) {
		ev, err := ParseWebhook(secret, body)
		if err != nil {
			if !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("refusal must be ErrUnauthenticated: %v", err)
			}
			return
		}
		// Whatever was accepted must carry a signature that verifies.
		var w Webhook
		if json.Unmarshal(body, &w) != nil || !VerifySignature(secret, w.Timestamp, w.ID, w.Signature) {
			t.Fatalf("accepted an unverifiable webhook: %q", body)
		}
		if ev.ID != w.ID || ev.ID == "" {
			t.Fatalf("event id %q, webhook id %q", ev.ID, w.ID)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	f.Add(testSecret, "2026-03-01T12:10:00.640Z", "abc", Sign(testSecret, "2026-03-01T12:10:00.640Z", "abc"))
	f.Add("", "", "", "")
	f.Add("k", "t", "i", "ZZ")
	f.Fuzz(func(t *testing.T, secret, ts, id, sig string) {
		ok := VerifySignature(secret, ts, id, sig)
		if ok && (secret == "" || !strings.EqualFold(sig, Sign(secret, ts, id))) {
			t.Fatalf("verified a signature that is not Sign(secret, ts, id)")
		}
		if secret != "" && !VerifySignature(secret, ts, id, Sign(secret, ts, id)) {
			t.Fatal("own signature did not verify")
		}
	})
}
