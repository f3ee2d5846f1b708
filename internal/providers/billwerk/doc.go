// Package billwerk is the Billwerk+ Payments (Reepay) client for card payments, Pay Now,
// and its sandbox.
//
// Real (documented, docs/providers/billwerk.md):
//   - Basic auth with the private key as user and an empty password; test or live is
//     decided by the key.
//   - Two hosts: the checkout API (https://checkout-api.reepay.com) creates the charge
//     session POST /v1/session/charge {order:{handle, amount | order_lines, currency,
//     customer}, accept_url, cancel_url} → {id, url}; the core API
//     (https://api.reepay.com) has GET /v1/charge/{handle}, POST …/settle {key?, amount? |
//     order_lines?}, POST …/cancel and POST /v1/refund {invoice, key?, amount? |
//     note_lines?, text?}, and GET /v1/account.
//   - Order lines: ordertext, amount per unit in minor units, integer quantity, vat as a
//     fraction, amount_incl_vat (default true). Amounts are integers in minor units.
//   - Charge states created, pending, authorized, settled, failed, cancelled; several
//     settles up to the authorised amount; an acquirer decline of a settle or refund is
//     HTTP 200 with error_state (hard_declined, processing_error) and, for the first
//     settle, the charge failed.
//   - Errors {code, error, message, path, timestamp, http_status, http_reason,
//     request_id}, state errors as HTTP 400 with the codes 11, 29, 31 (404), 65, 79, 82,
//     102, 105, 109, 130, 132 (CodeXxx); classes are decided by the code.
//   - Webhooks {id, event_id, event_type, timestamp, signature, invoice, transaction,
//     customer} to one URL set in the administration, retried until 2xx; signature =
//     lowercase hex HMAC-SHA256(webhook secret, timestamp + id), timestamp as sent.
//   - The accept/cancel redirect carries the invoice handle (and session id, customer)
//     as query parameters.
//
// Inferred (the client and the sandbox agree on them):
//   - The sandbox serves both hosts under one base URL: {base}/checkout/v1/… and
//     {base}/api/v1/…; the payment window is {base}/pay/{session id}. New derives both
//     from Account.BaseURL (an empty one, or the live core host, means the live hosts);
//     WithBaseURLs sets them explicitly.
//   - A charge exists in state created as soon as its session does, so a fresh
//     session's status can be fetched; a new session for the same handle is allowed
//     while the charge is unpaid (created, pending, failed) with the same amount,
//     otherwise 11/105/79/29.
//   - Reepay's cancel releases everything still authorised. Releasing only part of it
//     is an inferred extension: cancel with {key, amount} lowers the charge's amount and
//     authorised amount. The client sends it only where partial cancel is enabled
//     (WithPartialCancel; default on for a sandbox, off for the live hosts, where a
//     partial cancel makes no call and the uncaptured part lapses unsettled). A cancel
//     of a partly settled charge releases the rest and keeps the settled part.
//   - The generic 5xx error uses code 1 and a malformed request HTTP 422 with code 2.
//
// The decision a reader would otherwise rediscover: the webhook signature covers only
// timestamp + id, not the invoice or event type, so a webhook is never trusted for
// state. ParseWebhook answers EventPaymentChanged with NeedsFetch and the webhook id as
// the event id (Reepay keeps it across retries, so duplicates deduplicate); the status
// comes from FetchStatus. Only settle and refund carry an idempotency key (our
// operation id), so only they are retried on a temporary failure.
//
// Sandbox triggers: Decline on the page, or a customer last name containing "DECLINE",
// fails the charge; a decline fault on operation authorize fails the next approval, on
// capture the next settle, on refund the next refund (HTTP 200 with error_state).
// Fault operation names are sandboxkit's Op*.
package billwerk
