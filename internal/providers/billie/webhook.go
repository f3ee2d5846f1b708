package billie

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// WebhookKeyHeader carries the pre-shared key Billie sends with every webhook.
// Inferred: Billie signs nothing and names no header publicly; the PSP gives Billie
// a key at activation and Billie sends it back in this header.
const WebhookKeyHeader = "X-Api-Key"

const maxWebhook = 64 << 10

// ParseWebhook verifies the pre-shared key (constant time, on hashes so not even
// the length leaks) and parses the authorization webhook {order_id, success} or an
// order event {created_at, event, order_id, order_uuid, invoice_uuid?, amount?}.
// Without a configured secret nothing is accepted. The key authenticates the
// sender, not the body: Billie signs nothing, so the state is re-read with
// FetchStatus before money moves on it.
func (c *Client) ParseWebhook(header http.Header, body []byte) (providers.Event, error) {
	return ParseWebhook(c.acct.WebhookSecret, header, body)
}

// ParseWebhook is Client.ParseWebhook for a given secret.
func ParseWebhook(secret string, header http.Header, body []byte) (providers.Event, error) {
	if !keyMatches(secret, header.Get(WebhookKeyHeader)) {
		return providers.Event{}, fail(providers.ErrUnauthenticated, 0, "webhook_key", "missing or wrong "+WebhookKeyHeader)
	}
	bad := func(msg string) (providers.Event, error) {
		return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", msg)
	}
	if len(body) > maxWebhook {
		return bad("body too large")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return bad("body is not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return bad("trailing data after the JSON object")
	}
	if _, ok := fields["event"]; ok {
		return parseOrderEvent(body)
	}
	return parseAuthorization(fields)
}

func keyMatches(secret, got string) bool {
	if secret == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func eventID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(sum[:16])
}

// parseAuthorization reads {order_id, success}; success is "true"/"false" as in the
// documentation's example, or a JSON boolean.
func parseAuthorization(fields map[string]json.RawMessage) (providers.Event, error) {
	var id string
	if err := json.Unmarshal(fields["order_id"], &id); err != nil || id == "" {
		return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", "authorization webhook without order_id")
	}
	var success bool
	raw := fields["success"]
	var s string
	switch {
	case json.Unmarshal(raw, &success) == nil:
	case json.Unmarshal(raw, &s) == nil && (s == "true" || s == "false"):
		success = s == "true"
	default:
		return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", "authorization webhook without a true/false success")
	}
	kind := providers.EventFailed
	if success {
		kind = providers.EventAuthorized
	}
	return providers.Event{ID: eventID("blauth_", id, string(kind)), Kind: kind, ProviderReference: id}, nil
}

// eventKinds maps order events; others only say "something changed".
var eventKinds = map[string]providers.EventKind{
	EventOrderCreated:   providers.EventAuthorized,
	EventOrderDeclined:  providers.EventFailed,
	EventInvoiceCreated: providers.EventCaptured,
	EventOrderCanceled:  providers.EventCancelled,
	"order_cancelled":   providers.EventCancelled,
}

func parseOrderEvent(body []byte) (providers.Event, error) {
	var w OrderWebhook
	if err := json.Unmarshal(body, &w); err != nil {
		return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", "malformed order event: "+err.Error())
	}
	if w.Event == "" || (w.OrderUUID == "" && w.OrderID == "") {
		return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", "order event without event or order")
	}
	ev := providers.Event{Kind: providers.EventPaymentChanged, NeedsFetch: true,
		ProviderReference: w.OrderUUID, OrderReference: w.OrderID}
	if k, ok := eventKinds[w.Event]; ok {
		ev.Kind, ev.NeedsFetch = k, false
	}
	amount := ""
	if w.Amount != nil {
		if err := w.Amount.Check(); err != nil {
			return providers.Event{}, fail(providers.ErrValidation, 0, "webhook_body", "order event amount: "+err.Error())
		}
		g := w.Amount.Gross.Money
		ev.Amount, amount = &g, g.Amount()
	}
	if t, err := time.Parse(time.RFC3339Nano, w.CreatedAt); err == nil {
		ev.OccurredAt = t
	}
	ev.ID = eventID("blevt_", w.Event, w.OrderUUID, w.OrderID, w.InvoiceUUID, w.CreatedAt, amount)
	return ev, nil
}
