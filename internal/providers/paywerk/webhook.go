package paywerk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// maxCallback bounds a callback body; the real one is two short strings.
const maxCallback = 4 << 10

// ErrNotACallback: the body is not exactly Paywerk's callback shape.
var ErrNotACallback = errors.New("not a Paywerk callback: want exactly {paywerkId, orderReference}")

// ParseWebhook accepts Paywerk's callback {paywerkId, orderReference} and nothing
// else. Paywerk signs nothing (docs/providers/paywerk.md "Statuses, callbacks and polling"), so nothing in a callback can be trusted but
// the fact that something may have changed: the event has NeedsFetch set and the
// status counts only once fetched with our API key, which a forger cannot make
// say anything. Anything but the exact shape (unknown fields such as a "status",
// wrong types, trailing data) is refused as ErrUnauthenticated, the server's 401.
//
// The event ID is a hash of the two fields, so retries and duplicates of a callback
// share it. An order changes status once (PENDING → CONFIRMED or FAILED), so one id
// per order loses nothing; status polling (docs/providers/paywerk.md "Statuses, callbacks and polling") covers the rest.
func (c *Client) ParseWebhook(_ http.Header, body []byte) (providers.Event, error) {
	return ParseCallback(body)
}

// ParseCallback is ParseWebhook without a client.
func ParseCallback(body []byte) (providers.Event, error) {
	refuse := func(msg string) (providers.Event, error) {
		return providers.Event{}, &providers.Error{Class: providers.ErrUnauthenticated, Provider: providers.Paywerk,
			Code: "NOT_A_CALLBACK", Message: ErrNotACallback.Error() + ": " + msg}
	}
	if len(body) > maxCallback {
		return refuse("body too large")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var cb struct {
		PaywerkID      *string `json:"paywerkId"`
		OrderReference *string `json:"orderReference"`
	}
	if err := dec.Decode(&cb); err != nil {
		return refuse(err.Error())
	}
	if dec.More() {
		return refuse("trailing data")
	}
	if _, err := dec.Token(); err == nil {
		return refuse("trailing data")
	}
	if cb.PaywerkID == nil || *cb.PaywerkID == "" || cb.OrderReference == nil {
		return refuse("paywerkId and orderReference are required")
	}
	if len(*cb.PaywerkID) > 128 || len(*cb.OrderReference) > 255 {
		return refuse("field too long")
	}
	sum := sha256.Sum256([]byte(*cb.PaywerkID + "\x00" + *cb.OrderReference))
	return providers.Event{
		ID:                "pwcb_" + hex.EncodeToString(sum[:16]),
		Kind:              providers.EventPaymentChanged,
		ProviderReference: *cb.PaywerkID,
		OrderReference:    *cb.OrderReference,
		NeedsFetch:        true,
		Unsigned:          true,
	}, nil
}
