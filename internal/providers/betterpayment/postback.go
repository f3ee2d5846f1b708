package betterpayment

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Signature is the current postback signature, sent in the Gateway-Webhook-Signature
// header: base64 (standard, padded) of an HMAC-SHA256 over the raw body and the
// webhook key.
//
// The documentation writes it base64(hmac_sha256(raw_body, webhook_key)), which leaves
// open which operand is the HMAC key. Its worked example settles it: for the body
// "id=123&name=John%20Doe" and the webhook key "c54b7f22bc69f87b731c" the expected
// signature "5Wc1Uxqje5HVcFA7fcxonkl2QdKBq7BQtt3i7bPpaeA=" is produced with the raw
// body as the HMAC key and the webhook key as the message (the other order gives
// "bsixvztdAkDkFFcfrKTSHfv0lv+Mu7BQCg6IZKwBSBQ="). This function follows the example;
// postback_test.go holds it verbatim.
func Signature(webhookKey string, rawBody []byte) string {
	m := hmac.New(sha256.New, rawBody)
	m.Write([]byte(webhookKey))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySignature tells whether header is Signature(webhookKey, rawBody), compared in
// constant time. An empty key verifies nothing.
func VerifySignature(webhookKey string, rawBody []byte, header string) bool {
	if webhookKey == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	want, _ := base64.StdEncoding.DecodeString(Signature(webhookKey, rawBody))
	return hmac.Equal(got, want)
}

// Param is one form parameter, kept in the order it was received.
type Param struct{ Key, Value string }

// ParseParams decodes a form body into its parameters in the order received
// ('+' and %XX decoded). A malformed escape is an error.
func ParseParams(body []byte) ([]Param, error) {
	var out []Param
	for part := range strings.SplitSeq(string(body), "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		out = append(out, Param{Key: key, Value: val})
	}
	return out, nil
}

// EncodeParams form-encodes parameters in their order the way PHP's http_build_query
// does (what the legacy checksum was computed over): letters, digits and "-_." stay,
// a space becomes '+', every other byte %XX with upper-case hex.
func EncodeParams(params []Param) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		phpURLEncode(&b, p.Key)
		b.WriteByte('=')
		phpURLEncode(&b, p.Value)
	}
	return b.String()
}

func phpURLEncode(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
}

// checksumParam is the legacy checksum's own parameter, left out of what it covers.
const checksumParam = "checksum"

// Checksum is the legacy postback checksum: the parameters without "checksum",
// form-encoded in the order received, with the incoming key appended, SHA-1,
// lowercase hex.
func Checksum(params []Param, incomingKey string) string {
	kept := make([]Param, 0, len(params))
	for _, p := range params {
		if p.Key != checksumParam {
			kept = append(kept, p)
		}
	}
	sum := sha1.Sum([]byte(EncodeParams(kept) + incomingKey))
	return hex.EncodeToString(sum[:])
}

// VerifyChecksum tells whether the parameters' checksum matches, compared in constant
// time. An empty key or a missing checksum verifies nothing.
func VerifyChecksum(params []Param, incomingKey string) bool {
	if incomingKey == "" {
		return false
	}
	got := ""
	n := 0
	for _, p := range params {
		if p.Key == checksumParam {
			got, n = p.Value, n+1
		}
	}
	if n != 1 {
		return false
	}
	want := Checksum(params, incomingKey)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// Postback is what a postback says about a transaction.
type Postback struct {
	TransactionID             string
	OrderID                   string
	PaymentType               string
	StatusCode                int
	Status                    string
	Message                   string
	Amount                    string // decimal major units as sent ("15.90")
	Currency                  string // not sent by Better Payment; EUR then
	AdditionalTransactionData string
}

// maxPostbackBytes bounds what is read of a postback.
const maxPostbackBytes = 64 << 10

// ParsePostback verifies a postback and turns it into the product's Event.
//
// Verification: when the Gateway-Webhook-Signature header is present it must match
// (the current scheme, keyed with webhookKey); otherwise the legacy checksum field
// must match (keyed with checksumKey, the "incoming" key). The body is form-encoded as
// Better Payment posts it; a JSON body is accepted only with the header signature,
// because the legacy checksum is defined over form parameters.
//
// Postbacks carry no event id, so Event.ID is "<transaction_id>:<status_code>": a
// retried or replayed postback for the same status is the same event; two partial
// captures (or refunds) of one transaction share a status and therefore an id, which
// is harmless because captures and refunds are recorded from the API answers, and the
// postback only confirms them.
func ParsePostback(header http.Header, body []byte, webhookKey, checksumKey string) (providers.Event, error) {
	if webhookKey == "" && checksumKey == "" {
		return providers.Event{}, postbackErr(ErrNoWebhookKey, "cannot verify a postback without a key")
	}
	if len(body) > maxPostbackBytes {
		return providers.Event{}, postbackErr(ErrMalformedPostback, "body too large")
	}
	isJSON := len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '{'
	sig := header.Get(HeaderSignature)
	var params []Param
	if !isJSON {
		var err error
		if params, err = ParseParams(body); err != nil {
			return providers.Event{}, postbackErr(ErrMalformedPostback, "body is not form-encoded")
		}
	}
	switch {
	case sig != "":
		if !VerifySignature(webhookKey, body, sig) {
			return providers.Event{}, postbackErr(ErrBadSignature, "signature mismatch")
		}
	case isJSON:
		return providers.Event{}, postbackErr(ErrUnsigned, "a JSON postback needs the signature header")
	case hasParam(params, checksumParam):
		if !VerifyChecksum(params, checksumKey) {
			return providers.Event{}, postbackErr(ErrBadChecksum, "checksum mismatch")
		}
	default:
		return providers.Event{}, postbackErr(ErrUnsigned, "neither signature header nor checksum")
	}
	var p Postback
	var err error
	if isJSON {
		p, err = postbackFromJSON(body)
	} else {
		p, err = postbackFromParams(params)
	}
	if err != nil {
		return providers.Event{}, postbackErr(ErrMalformedPostback, err.Error())
	}
	return p.Event()
}

func hasParam(params []Param, key string) bool {
	for _, p := range params {
		if p.Key == key {
			return true
		}
	}
	return false
}

func postbackFromParams(params []Param) (Postback, error) {
	var p Postback
	code := ""
	fields := map[string]*string{"transaction_id": &p.TransactionID, "order_id": &p.OrderID, "payment_type": &p.PaymentType,
		"status_code": &code, "status": &p.Status, "message": &p.Message, "amount": &p.Amount, "currency": &p.Currency,
		"additional_transaction_data": &p.AdditionalTransactionData}
	for _, x := range params {
		if f, ok := fields[x.Key]; ok {
			*f = x.Value
		}
	}
	return p.withCode(code)
}

func postbackFromJSON(body []byte) (Postback, error) {
	var j struct {
		TransactionID             string      `json:"transaction_id"`
		OrderID                   string      `json:"order_id"`
		PaymentType               string      `json:"payment_type"`
		StatusCode                json.Number `json:"status_code"`
		Status                    string      `json:"status"`
		Message                   *string     `json:"message"`
		Amount                    json.Number `json:"amount"`
		Currency                  string      `json:"currency"`
		AdditionalTransactionData *string     `json:"additional_transaction_data"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return Postback{}, err
	}
	p := Postback{TransactionID: j.TransactionID, OrderID: j.OrderID, PaymentType: j.PaymentType,
		Status: j.Status, Amount: string(j.Amount), Currency: j.Currency}
	if j.Message != nil {
		p.Message = *j.Message
	}
	if j.AdditionalTransactionData != nil {
		p.AdditionalTransactionData = *j.AdditionalTransactionData
	}
	return p.withCode(string(j.StatusCode))
}

func (p Postback) withCode(code string) (Postback, error) {
	if p.TransactionID == "" {
		return p, errMissing("transaction_id")
	}
	n, err := strconv.Atoi(code)
	if err != nil || n < 1 || n > 99 {
		return p, errMissing("status_code")
	}
	p.StatusCode = n
	return p, nil
}

type errMissing string

func (e errMissing) Error() string { return "postback has no valid " + string(e) }

// Event translates a verified postback: the status code says what happened.
func (p Postback) Event() (providers.Event, error) {
	ev := providers.Event{
		ID:                p.TransactionID + ":" + strconv.Itoa(p.StatusCode),
		ProviderReference: p.TransactionID,
		OrderReference:    p.OrderID,
	}
	switch p.StatusCode {
	case StatusAuthorized:
		ev.Kind = providers.EventAuthorized
	case StatusCompleted:
		ev.Kind = providers.EventCaptured
	case StatusRefunded:
		ev.Kind = providers.EventRefunded
	case StatusCanceled, StatusReversed:
		ev.Kind = providers.EventCancelled
	case StatusError, StatusDeclined:
		ev.Kind = providers.EventFailed
	default: // started, pending, registered, debt collection, chargeback: read the status
		ev.Kind, ev.NeedsFetch = providers.EventPaymentChanged, true
	}
	if p.Amount != "" {
		cur := p.Currency
		if cur == "" {
			cur = Currency
		}
		m, err := money.Parse(p.Amount, cur)
		if err != nil {
			return providers.Event{}, postbackErr(ErrMalformedPostback, "amount: "+err.Error())
		}
		ev.Amount = &m
	}
	return ev, nil
}
