// Package billie is the Billie PSP API client (B2B invoice, "pay later", EUR) and
// its sandbox, after docs/providers/billie.md.
//
// Real (documented, docs/providers/billie.md): HTTP Basic auth with the PSP's credentials
// (username = PSP_ID + random string); the PSP activates each merchant and Billie
// answers a merchant ID that every later session, capture and refund carries; the
// payment page flow (session → hpp_url, 48 h) with accept and decline URLs; the
// authorization webhook {order_id, success} after the page ("true"/"false" as in
// the documentation; a JSON boolean is accepted too); order states pre_waiting, waiting,
// authorized, created, declined, partially_shipped, shipped, complete, canceled
// (cancelled is read too); decline reasons; capture = invoice {orders,
// external_code, amount, line_items[{external_id, quantity}]}; refund = credit note
// against an invoice, partial, never above it; cancel of an order; amounts
// {net, gross, tax} in decimal major units; integer line quantities; errors
// {"errors":[{title, code, source}]} with 400, 401, 403, 409, 422, 500; order
// events {created_at, event, order_id, order_uuid, invoice_uuid?, amount?}; Billie
// signs nothing and sends a pre-shared key instead.
//
// Inferred (the PSP endpoints are named in Billie's docs, their paths and bodies
// are not public), relative to the API root (the sandbox mount, or
// https://paella.billie.io/api/v2 live):
//   - POST /psp/merchants {external_id, legal_name, country, …} →
//     {merchant_id, status active|pending|rejected, reason}; GET /psp/merchants/{id}.
//   - POST /psp/hpp-checkout-sessions: the direct API's hpp session plus
//     merchant_id → {session_id, hpp_url, expires_at, order_uuid}; order_uuid is the
//     payment's reference. The same order_id renews the session until the buyer paid.
//   - GET /psp/orders/{uuid}; POST /psp/invoices; POST /psp/invoices/{uuid}/credit-notes;
//     each write carries merchant_id in the body; the same external_code again is
//     answered with what was created (safe retries), with another amount it is 409.
//   - POST /psp/orders/{uuid}/cancel: without amount cancels all that is not
//     invoiced (204, the real call); with {amount, line_items, external_code} it
//     cancels that part only (Billie's "update order details").
//   - The order answer's line_items carry shipped/cancelled/returned quantities and
//     invoices carry their credit notes; amount is what the debtor owes now,
//     unshipped_amount what can still be invoiced.
//   - The webhook key travels in the X-Api-Key header; the URL and key are
//     configured per PSP (SandboxConfig.Webhook), not per session: Billie's
//     session has no webhook URL, so SessionRequest.NotifyURL is not sent.
//   - Capture on a pending order, over-capture, over-credit and over-cancel are 409.
//
// Decisions a reader would otherwise rediscover: Billie lines take integer
// quantities, so a fractional order line is left out of the session's line_items
// (the amount covers it) and any capture or refund touching it goes by amount.
// The backoffice decides every call once, before the first attempt, and the client
// sends what it was given (CaptureRequest.Tax, RefundRequest.Tax and CreditTo):
// Billie answers a repeated invoice or credit note number only when the amount is
// the same, and a credit note number is unique per invoice, so a retry that split
// the tax again against the order's new state (409 invoice_already_exists) or chose
// the invoice again (a second credit note on another invoice) would go wrong. The
// backoffice splits tax from the lines' VAT rates (providers.TaxOf: net + tax =
// gross, never negative), and a credit by amount in the credited invoice's ratio,
// the last piece taking its exact rest; it picks the invoice under the order's lock.
// Without those fields (other callers) the client still splits from the lines'
// VAT, else in the tax ratio of what it draws from, and plans credits from a fresh
// order read, newest invoice first.
//
// Sandbox triggers: legal name containing "REJECT" → activation rejected;
// "PENDING" → pending (sessions then answer 409); debtor company name containing
// "DECLINE" → the page's approval is declined with risk_policy. Fault operation
// names are sandboxkit's Op*; the fault account is the Basic-auth user.
package billie
