package betterpayment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// The worked example of Better Payment's documentation ("Verifying Postback
// Signatures", docs.betterpayment.de/docs/resources/postbacks), verbatim:
//
//	Given:
//	- Post content: id=123&name=John%20Doe
//	- Webhook Key: c54b7f22bc69f87b731c
//	The expected signature is:
//	5Wc1Uxqje5HVcFA7fcxonkl2QdKBq7BQtt3i7bPpaeA=
const (
	docExampleBody      = "id=123&name=John%20Doe"
	docExampleKey       = "c54b7f22bc69f87b731c"
	docExampleSignature = "5Wc1Uxqje5HVcFA7fcxonkl2QdKBq7BQtt3i7bPpaeA="
)

func TestSignatureReproducesTheDocumentedExample(t *testing.T) {
	if got := Signature(docExampleKey, []byte(docExampleBody)); got != docExampleSignature {
		t.Fatalf("Signature = %s, want the documented %s", got, docExampleSignature)
	}
	if !VerifySignature(docExampleKey, []byte(docExampleBody), docExampleSignature) {
		t.Fatal("the documented example does not verify")
	}
}

// TestOperandOrder computes both readings of "hmac_sha256(raw_body, webhook_key)" with
// the standard library directly: only body-as-key reproduces the example, so the other
// reading (which the wording in PHP's hash_hmac order would suggest) is wrong.
func TestOperandOrder(t *testing.T) {
	mac := func(key, msg string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(msg))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	bodyAsKey := mac(docExampleBody, docExampleKey)
	webhookKeyAsKey := mac(docExampleKey, docExampleBody)
	if bodyAsKey != docExampleSignature {
		t.Fatalf("body-as-key gives %s", bodyAsKey)
	}
	if webhookKeyAsKey == docExampleSignature || webhookKeyAsKey != "bsixvztdAkDkFFcfrKTSHfv0lv+Mu7BQCg6IZKwBSBQ=" {
		t.Fatalf("webhook-key-as-key gives %s", webhookKeyAsKey)
	}
	if VerifySignature(docExampleKey, []byte(docExampleBody), webhookKeyAsKey) {
		t.Fatal("the other operand order must not verify")
	}
}

// A legacy checksum computed outside Go (Python: urllib.parse.quote_plus with safe="",
// then hashlib.sha1(encoded + key)), for the fields of the documentation's completed postback.
const (
	legacyEncoded  = "transaction_id=d1bf9fdf-7268-406f-9e08-8d5a9540ab97&payment_type=wero&status_code=3&status=completed&order_id=12345678&message=CAPTURE+SETTLED&additional_transaction_data=customer_id%3D123ABC%2C+billing_info%3D12345678&amount=15.90"
	legacyKey      = "incoming_key_42"
	legacyChecksum = "ab65d8cab0bf57bc9ebeacd814f8634964a9a4df"
	// legacySignature is Python's base64(hmac(key=body, msg=webhook key)) of the body with the checksum.
	legacySignature = "RUouKXq2+yxUuLPrgBG/Fn6l4a+vRXoMbduz6hsH6kg="
)

func TestLegacyChecksumMatchesIndependentComputation(t *testing.T) {
	params, err := ParseParams([]byte(legacyEncoded))
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodeParams(params); got != legacyEncoded {
		t.Fatalf("re-encoding changed the parameters:\n%s\n%s", got, legacyEncoded)
	}
	if got := Checksum(params, legacyKey); got != legacyChecksum {
		t.Fatalf("Checksum = %s, want %s", got, legacyChecksum)
	}
	withSum := append(params, Param{"checksum", legacyChecksum})
	if !VerifyChecksum(withSum, legacyKey) {
		t.Fatal("checksum does not verify")
	}
	body := legacyEncoded + "&checksum=" + legacyChecksum
	if got := Signature(docExampleKey, []byte(body)); got != legacySignature {
		t.Fatalf("Signature = %s, want %s", got, legacySignature)
	}
}

func TestEncodeParamsLikePHP(t *testing.T) {
	got := EncodeParams([]Param{{"a b", "x+y~z*é/"}, {"k", ""}})
	if want := "a+b=x%2By%7Ez%2A%C3%A9%2F&k="; got != want {
		t.Fatalf("EncodeParams = %s, want %s", got, want)
	}
}

// genuinePostback is a postback as the sandbox sends it: form body with the checksum,
// and the signature header.
func genuinePostback(status int) (http.Header, []byte) {
	body := PostbackBody(Postback{
		TransactionID: "938834bc-769f-44e7-ab25-da9aeaad5346", OrderID: "ord_01J000000001", PaymentType: "cardecom",
		StatusCode: status, Status: StatusName(status), Message: "AUTHORIZED", Amount: "15.90",
		AdditionalTransactionData: "customer_id=123ABC, billing_info=12345678",
	}, legacyKey)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set(HeaderSignature, Signature(docExampleKey, body))
	return h, body
}

func TestParsePostbackVerification(t *testing.T) {
	h, body := genuinePostback(StatusAuthorized)
	noHeader := http.Header{}
	cases := []struct {
		name       string
		header     http.Header
		body       string
		webhookKey string
		sumKey     string
		err        error // nil: accepted
	}{
		{"valid signature header is accepted", h, string(body), docExampleKey, legacyKey, nil},
		{"valid legacy checksum without header is accepted", noHeader, string(body), docExampleKey, legacyKey, nil},
		{"forged signature is refused", hdr(HeaderSignature, docExampleSignature), string(body), docExampleKey, legacyKey, ErrBadSignature},
		{"wrong webhook key is refused", h, string(body), "another-key", legacyKey, ErrBadSignature},
		{"tampered body is refused", h, strings.Replace(string(body), "amount=15.90", "amount=1590.00", 1), docExampleKey, legacyKey, ErrBadSignature},
		{"header in the other operand order is refused", hdr(HeaderSignature, otherOrder(docExampleKey, body)), string(body), docExampleKey, legacyKey, ErrBadSignature},
		{"legacy: wrong incoming key is refused", noHeader, string(body), docExampleKey, "another-key", ErrBadChecksum},
		{"legacy: tampered body is refused", noHeader, strings.Replace(string(body), "status_code=8", "status_code=3", 1), docExampleKey, legacyKey, ErrBadChecksum},
		{"legacy: reordered parameters are refused", noHeader, reorder(string(body)), docExampleKey, legacyKey, ErrBadChecksum},
		{"unsigned postback is refused", noHeader, strings.Split(string(body), "&checksum=")[0], docExampleKey, legacyKey, ErrUnsigned},
		{"no keys verify nothing", h, string(body), "", "", ErrNoWebhookKey},
		{"signed JSON postback without header is refused", noHeader, `{"transaction_id":"x","status_code":8}`, docExampleKey, legacyKey, ErrUnsigned},
		{"signed garbage is malformed", hdr(HeaderSignature, Signature(docExampleKey, []byte("%zz"))), "%zz", docExampleKey, legacyKey, ErrMalformedPostback},
		{"signed postback without transaction id is malformed", hdr(HeaderSignature, Signature(docExampleKey, []byte("status_code=3"))), "status_code=3", docExampleKey, legacyKey, ErrMalformedPostback},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParsePostback(tc.header, []byte(tc.body), tc.webhookKey, tc.sumKey)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if ev.ID != "938834bc-769f-44e7-ab25-da9aeaad5346:8" || ev.Kind != providers.EventAuthorized ||
					ev.OrderReference != "ord_01J000000001" || ev.Amount == nil || ev.Amount.Minor() != 1590 || ev.Amount.Currency() != "EUR" {
					t.Fatalf("event %+v", ev)
				}
				return
			}
			if !errors.Is(err, tc.err) || !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("err = %v, want %v and ErrUnauthenticated", err, tc.err)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Provider != providers.BetterPayment {
				t.Fatalf("err = %v is not a *providers.Error of betterpayment", err)
			}
		})
	}
}

// A replay (Better Payment's retry every 10 minutes, or an attacker's) verifies and
// parses to the same id, which the receiver deduplicates; another status of the same
// transaction is another event.
func TestReplayKeepsTheSameEventID(t *testing.T) {
	h, body := genuinePostback(StatusAuthorized)
	a, err1 := ParsePostback(h, body, docExampleKey, legacyKey)
	b, err2 := ParsePostback(h, body, docExampleKey, legacyKey)
	if err1 != nil || err2 != nil || a.ID != b.ID {
		t.Fatalf("%v %v: %q %q", err1, err2, a.ID, b.ID)
	}
	h2, body2 := genuinePostback(StatusCompleted)
	c, err := ParsePostback(h2, body2, docExampleKey, legacyKey)
	if err != nil || c.ID == a.ID || c.Kind != providers.EventCaptured {
		t.Fatalf("%v: %+v", err, c)
	}
}

func TestStatusCodesToEvents(t *testing.T) {
	cases := map[int]struct {
		kind  providers.EventKind
		fetch bool
	}{
		StatusStarted: {providers.EventPaymentChanged, true}, StatusPending: {providers.EventPaymentChanged, true},
		StatusCompleted: {providers.EventCaptured, false}, StatusError: {providers.EventFailed, false},
		StatusCanceled: {providers.EventCancelled, false}, StatusDeclined: {providers.EventFailed, false},
		StatusRefunded: {providers.EventRefunded, false}, StatusAuthorized: {providers.EventAuthorized, false},
		StatusRegistered: {providers.EventPaymentChanged, true}, StatusDebtCollection: {providers.EventPaymentChanged, true},
		StatusDebtPaid: {providers.EventPaymentChanged, true}, StatusReversed: {providers.EventCancelled, false},
		StatusChargeback: {providers.EventPaymentChanged, true},
	}
	for code, want := range cases {
		ev, err := Postback{TransactionID: "t", StatusCode: code}.Event()
		if err != nil || ev.Kind != want.kind || ev.NeedsFetch != want.fetch {
			t.Errorf("status %d (%s): %+v %v, want %s fetch=%v", code, StatusName(code), ev, err, want.kind, want.fetch)
		}
	}
}

// JSON postbacks (as the documentation displays them) verify by the header, and their
// number amount is read exactly.
func TestJSONPostbackWithHeader(t *testing.T) {
	body := []byte(`{"transaction_id":"d1bf9fdf","payment_type":"wero","status_code":3,"status":"completed","order_id":"12345678","message":"CAPTURE SETTLED","amount":15.90,"checksum":"73a93b8a2d5260f592d98e386c4e5784ee551d1c"}`)
	ev, err := ParsePostback(hdr(HeaderSignature, Signature(docExampleKey, body)), body, docExampleKey, legacyKey)
	if err != nil || ev.Kind != providers.EventCaptured || ev.Amount.Minor() != 1590 || ev.ID != "d1bf9fdf:3" {
		t.Fatalf("%+v %v", ev, err)
	}
}

func hdr(k, v string) http.Header {
	h := http.Header{}
	h.Set(k, v)
	return h
}

func otherOrder(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// reorder swaps the first two parameters, keeping the checksum.
func reorder(body string) string {
	p := strings.Split(body, "&")
	p[0], p[1] = p[1], p[0]
	return strings.Join(p, "&")
}

func FuzzParsePostback(f *testing.F) {
	h, body := genuinePostback(StatusAuthorized)
	f.Add(body, h.Get(HeaderSignature))
	f.Add(body, "")
	f.Add([]byte(docExampleBody), docExampleSignature)
	f.Add([]byte(`{"transaction_id":"x","status_code":3,"amount":1e3}`), "")
	f.Add([]byte("transaction_id=%ZZ&checksum="), "!!")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		header := http.Header{}
		if sig != "" {
			header.Set(HeaderSignature, sig)
		}
		ev, err := ParsePostback(header, body, docExampleKey, legacyKey)
		if err != nil {
			if !errors.Is(err, providers.ErrUnauthenticated) {
				t.Fatalf("refusal must be ErrUnauthenticated: %v", err)
			}
			return
		}
		// Accepted: it must really be signed one way or the other.
		signed := header.Get(HeaderSignature) != "" && VerifySignature(docExampleKey, body, header.Get(HeaderSignature))
		if !signed {
			params, perr := ParseParams(body)
			signed = perr == nil && VerifyChecksum(params, legacyKey)
		}
		if !signed || ev.ID == "" || ev.ProviderReference == "" {
			t.Fatalf("accepted %q (sig %q) as %+v", body, sig, ev)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	f.Add(docExampleKey, []byte(docExampleBody), docExampleSignature)
	f.Add("", []byte{}, "")
	f.Add("k", []byte("x"), "====")
	f.Fuzz(func(t *testing.T, key string, body []byte, sig string) {
		if VerifySignature(key, body, sig) {
			want, _ := base64.StdEncoding.DecodeString(Signature(key, body))
			got, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
			if key == "" || !hmac.Equal(got, want) {
				t.Fatal("verified a signature that is not Signature(key, body)")
			}
		}
		if key != "" && !VerifySignature(key, body, Signature(key, body)) {
			t.Fatal("own signature did not verify")
		}
	})
}

// FuzzParamsRoundTrip: what EncodeParams writes, ParseParams reads back unchanged, and
// a checksum over it verifies.
func FuzzParamsRoundTrip(f *testing.F) {
	f.Add("transaction_id", "d1bf9fdf", "message", "CAPTURE SETTLED")
	f.Add("a b", "x+y~z", "", "")
	f.Add("é", "%", "&", "=")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		in := []Param{{k1, v1}, {k2, v2}}
		out, err := ParseParams([]byte(EncodeParams(in)))
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(in) {
			t.Fatalf("%q → %q", in, out)
		}
		for i := range out {
			if out[i] != in[i] {
				t.Fatalf("%q → %q", in, out)
			}
		}
		if k1 != checksumParam && k2 != checksumParam {
			if !VerifyChecksum(append(out, Param{checksumParam, Checksum(out, legacyKey)}), legacyKey) {
				t.Fatal("checksum over the parameters does not verify")
			}
		}
	})
}
