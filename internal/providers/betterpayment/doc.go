// Package betterpayment is the Better Payment client for card payments, Pay Now, and
// its sandbox.
//
// Real (documented, docs/providers/betterpayment.md):
//   - Basic auth api_key:api_password, JSON bodies, hosts testapi./api.betterpayment.de.
//   - POST /rest/payment (authorise and capture), POST /rest/capture {transaction_id,
//     amount?} partial and repeated up to the authorisation, POST /rest/reverse
//     {transaction_id, amount?} (partial leaves the rest authorised), POST /rest/refund
//     {transaction_id, amount?, comment?} answering the refund object {refund_id,
//     status_code 1 "successful"}.
//   - Answers {transaction_id, status_code, status, order_id, message, amount,
//     error_code (0 = ok), error_message, client_action?, action_data?}; status codes 1
//     started … 13 chargeback; amounts in decimal major units, sent here as strings
//     ("15.90") and read as json.Number (the API answers 15.90), never as float64.
//   - Idempotency-Key or X-Idempotency-Key on POST: the first answer is kept for an
//     hour and repeated.
//   - Postbacks to postback_url, retried until HTTP 200, with the Gateway-Webhook-
//     Signature header (base64 HMAC-SHA256) and, in the legacy scheme, a checksum field
//     (SHA-1 over the other parameters form-encoded in order, plus the incoming key).
//     The signature's operand order follows the documentation's worked example (see
//     Signature): the raw body is the HMAC key, the webhook key the message.
//
// Inferred (the client and the sandbox agree on them):
//   - The product never handles card data, so sessions use the redirect (hosted) flow:
//     POST /rest/authorize (the path is inferred; the documentation names the
//     "Authorize API") without card fields answers status 1 started, client_action
//     "redirect" and the hosted page URL. Authorise-then-capture is chosen over
//     /rest/payment so fulfilment can capture partially and later. The sandbox refuses
//     card fields (error_code 106) and its page is {base}/pay/{transaction id}.
//   - GET /rest/transactions/{id} answers the transaction with currency and
//     authorized_amount, captured_amount, refunded_amount, reversed_amount; without
//     those fields (the real API may not send them) the client derives them from the
//     status. A capture moves the status to 3 completed; a full refund of all that was
//     captured, with nothing left authorised, to 7 refunded; a reversal of everything
//     before any capture to 12 reversed. The uncaptured rest of a partly captured
//     transaction can be reversed (the documentation: reversals act on what is not yet
//     captured).
//   - Error codes and HTTP statuses (CodeXxx): 400/100 invalid, 401/101 credentials,
//     404/102 unknown transaction, 409/103 wrong status, 409/104 amount too high,
//     200/105 acquirer decline. The client classifies by HTTP status first, so the real
//     API's own codes still land in the right class.
//   - Postbacks are form-encoded (as the legacy documentation and the worked example
//     show); a JSON postback is accepted only with the signature header. They carry no
//     currency (EUR is assumed) and report the amount of the operation they announce.
//   - There is no merchant activation API: ActivateMerchant answers ACTIVE.
//
// The decision a reader would otherwise rediscover: postbacks carry no event id, so
// the event id is "<transaction_id>:<status_code>"; retries and replays deduplicate,
// and two partial captures (or refunds) of one transaction share an id, which is
// harmless because captures and refunds are recorded from the API answers. Captures,
// refunds and reversals send our operation id as the idempotency key and are retried
// with backoff on a temporary failure; session creation sends the order id as its key
// but is not retried here.
//
// Sandbox triggers: Decline on the page, or a billing last name containing "DECLINE",
// declines the payment (status 6); a decline fault on operation authorize declines the
// next approval, on capture or refund answers error_code 105. Fault operation names are
// sandboxkit's Op*; reverse is sandboxkit.OpCancel.
package betterpayment
