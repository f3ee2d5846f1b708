// Package paywerk is the Paywerk merchant API client (consumer BNPL and Pay Now, EUR,
// Estonia) and its sandbox, following its documentation to the letter (docs/providers/paywerk.md).
//
// Real (documented, docs/providers/paywerk.md): Bearer API key bound to one company + shop; POST /orders with
// lang (en|et), shopper, E.164 phone, billingAddress.country, amount equal to the
// sum of the items, EUR only, success/failed/callback URLs, unique reference,
// items, displayedProductTypes → {paywerkId, isComplete}; the same reference
// updates a pending order until the shopper has continued, then 409; no items →
// one summarising item; statuses PENDING, CONFIRMED, FAILED; GET /orders/{id} and
// /orders/{id}/status; the callback {paywerkId, orderReference} with no status and
// no signature; fulfil by sku + quantity (fractional allowed) and fulfil-all;
// refund [{sku, refundType RETURN|CANCEL|AUTO, quantity?}] with the AUTO rules, and
// refund-all; INVOICE and SLICE only for 100–2000 EUR; GET
// /payment-schedule/{productType}?amount=&shopperCountryCode= and by productId;
// SLICE in 3 parts with the remainder cent on the first; GET /health without a key.
//
// Inferred (no public source; the client and sandbox agree on them):
//   - Error bodies are {"code","message","details":[{"sku"|"field","code","message"}]}
//     with 400 for a malformed request, 401 without a valid key, 404 for an unknown
//     (or another shop's) order, 409 for a refusal that depends on the order's state
//     (not CONFIRMED, quantity beyond what is open, partial AUTO, reference taken).
//   - Address fields street/city/postalCode/country; item fields sku, name,
//     quantity, unitPrice, vatRate (percent string), totalAmount.
//   - Order details carry productType, fulfilledAmount, cancelledAmount,
//     returnedAmount, shopperContinued, failureReason and per item the fulfilled,
//     cancelled and returned quantities; fulfil and refund answer
//     {id, paywerkId, amount, items[{sku, refundType, quantity, amount}]}.
//   - The hosted page is <BaseURL>/checkout/{paywerkId} (the real one comes from
//     the shop.js widget); a part of a line is priced as a difference of rounded
//     running totals and the part that takes a line's last open quantity takes
//     exactly what is left, as in the domain (money.Pool), so provider and product
//     agree to the cent.
//   - isComplete is true when the request carries everything the shopper would
//     otherwise type (names, email, phone, full billing address).
//   - The page's form POST takes productType; without one it uses the only
//     choosable product, else it asks again (422).
//   - Merchant activation has no API (merchants onboard through Swedbank):
//     ActivateMerchant checks the key and the documentation's "Estonian merchants only".
//   - Paywerk takes no idempotency key: after an uncertain fulfil or refund, fetch
//     the order (its per-item quantities) before retrying.
//
// Reconciling after a lost answer (internal/psp reconcile_unkeyed.go): Paywerk has
// no idempotency key and no way to look up one fulfil or refund call, and a repeat is
// a second operation. So an uncertain call is never simply sent again. The backoffice
// stamps each call with a send sequence before it goes out; after a lost answer it
// reads the order's per-item fulfilled, cancelled and returned quantities, takes away
// what answered calls account for, and finds the set of unanswered calls that makes
// up the rest exactly, item by item, preferring earlier-sent calls (Paywerk applies
// calls in the order they arrive). Those are recorded as applied; the others are
// sent again. Quantities, not amounts: amounts of two different calls can add up to
// the same total (and Paywerk computes them itself), quantities per sku tell a
// 0.5-unit capture from a 1-unit one. Paywerk's answer to a call carries the amounts
// it computed; those are what the backoffice records.
//
// The decision a reader would otherwise rediscover: a callback proves nothing, as
// Paywerk signs nothing. ParseWebhook accepts only the exact callback shape, marks
// NeedsFetch, and the status is trusted only after FetchStatus with our API key.
//
// Sandbox triggers: a shopper last name containing "DECLINE" makes the risk
// decision negative (FAILED, failureReason risk_decision); a decline fault on
// operation "authorize" does the same once; opening the page marks the order
// continued. Fault operation names: sandboxkit's Op* plus fulfil_all, refund_all and
// payment_schedule.
package paywerk
