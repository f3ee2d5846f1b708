package billwerk

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Sign is Reepay's webhook signature: lowercase hex of HMAC-SHA256 keyed with the
// webhook secret over timestamp + id, with the timestamp exactly as sent.
func Sign(secret, timestamp, id string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature tells whether signature is Sign(secret, timestamp, id), compared in
// constant time. An empty secret verifies nothing.
func VerifySignature(secret, timestamp, id, signature string) bool {
	if secret == "" {
		return false
	}
	got, err := hex.DecodeString(strings.ToLower(signature))
	if err != nil {
		return false
	}
	want, _ := hex.DecodeString(Sign(secret, timestamp, id))
	return hmac.Equal(got, want)
}

// maxWebhookBytes bounds what ParseWebhook reads; Reepay's webhooks are a few hundred bytes.
const maxWebhookBytes = 64 << 10

// ParseWebhook verifies a Reepay webhook body with the webhook secret and turns it into
// the product's Event.
//
// The signature covers only timestamp + id, not the rest of the body, so nothing else in
// the body is trusted: the event only says which charge to fetch (NeedsFetch), and the
// webhook id, which Reepay keeps across retries of one webhook, is the deduplication id.
func ParseWebhook(secret string, body []byte) (providers.Event, error) {
	if secret == "" {
		return providers.Event{}, webhookErr(ErrNoWebhookSecret, "cannot verify a webhook without a secret")
	}
	if len(body) > maxWebhookBytes {
		return providers.Event{}, webhookErr(ErrMalformedWebhook, "body too large")
	}
	var w Webhook
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return providers.Event{}, webhookErr(ErrMalformedWebhook, "body is not JSON")
	}
	if w.ID == "" || w.Timestamp == "" || w.Signature == "" {
		return providers.Event{}, webhookErr(ErrMalformedWebhook, "id, timestamp or signature missing")
	}
	if !VerifySignature(secret, w.Timestamp, w.ID, w.Signature) {
		return providers.Event{}, webhookErr(ErrBadSignature, "signature mismatch")
	}
	ev := providers.Event{
		ID:                w.ID,
		Kind:              providers.EventPaymentChanged,
		ProviderReference: w.Invoice,
		OrderReference:    w.Invoice,
		NeedsFetch:        w.Invoice != "",
	}
	if t, err := time.Parse(time.RFC3339Nano, w.Timestamp); err == nil {
		ev.OccurredAt = t.UTC()
	}
	return ev, nil
}

// Timestamp formats a time the way Reepay writes webhook timestamps (ISO-8601, UTC, milliseconds).
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
