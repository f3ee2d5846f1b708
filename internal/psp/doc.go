// Package psp holds the PSP's money operations: orders and their payment at the
// provider, fulfilments and refunds (settlement is internal/settlement). It knows neither GraphQL nor HTTP;
// resolvers and handlers translate and delegate, and expected refusals come back as
// *domain.Refusal with a code and the input field.
//
// Orders (orders.go, order_input.go) follow Paywerk's order request (docs/providers/paywerk.md "Orders") for
// every provider: one validation, then one provider session. The decisions a reader
// would otherwise rediscover:
//
//   - A provider call is never made inside a database transaction. createOrder
//     inserts (or updates) the order PENDING and commits, calls CreateSession, then
//     stores provider_reference and payment_url in a second transaction. When the
//     provider fails, the order stays PENDING without a paymentUrl and the answer is a
//     PROVIDER_ERROR userError beside the order; sending the same reference again
//     retries (it is an update of an untouched order). No order is marked FAILED for
//     a call that may not have reached the provider. An idempotencyKey covers the
//     order's write (internal/idempotency); its replay answers the order as it is
//     now, creating the session if the first attempt could not.
//   - The same reference updates a PENDING order the shopper has not continued with
//     (items, amounts, shopper, a new session); once the shopper continued (we saw it,
//     or the provider says so when asked before the update), it is a CONFLICT. Every
//     session gets a fresh provider-side id, <order id>-<n> after the first, because
//     card providers refuse a changed amount under an old charge handle; the reference
//     sent to every provider is our order id, unique per PSP account, because several
//     shops may share one PSP account and their own references may collide.
//   - Payment results come from three sources that all end in applyStatus: webhooks
//     (stored once in WebhookEvent, acknowledged at once, worked by a River job
//     inserted in the same transaction), status polling (a River job per session on
//     Paywerk's schedule), and the status check before an update. A notification is
//     only ever a reason to ask: the status is fetched from the provider with our
//     credentials, so a forged or replayed notification cannot move an order, and
//     applyStatus moves an order forward only (PENDING → CONFIRMED, FAILED or
//     CANCELLED), so duplicates and out-of-order deliveries change nothing.
//   - Every status change, fulfilment and refund outcome is an event recorded in the
//     transaction that made it (internal/events, docs/events.md): merchants hear of it
//     through their callbackUrl and webhook endpoints, with per-order sequence numbers.
//     callbacks.go only records an order's status event and drains callback jobs queued
//     before events existed.
package psp
