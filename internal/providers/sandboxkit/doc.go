// Package sandboxkit is what every provider sandbox shares, so that no simulator rule
// is written four times: the state Store, fault injection (Faults), background
// notification delivery with retries (Notifier), the hosted payment page, credential
// checks, IDs and small JSON helpers.
//
// A sandbox is an http.Handler in its provider's package (paywerk.NewSandbox, …). It
// speaks the provider's wire format; this package only supplies the machinery.
//
// The decisions a reader would otherwise rediscover:
//
//   - Faults are keyed by account id (Config.AccountID of the credential the request
//     authenticated with, so no credential is kept in state, faults or the attempts
//     log) and by operation name. Sandboxes use the Op*
//     names below for the operations every provider has, so one conformance suite can
//     inject faults into any of them; "" in a fault matches any account or operation.
//     Request faults (latency, timeout, status_5xx, conflict) are applied by
//     Faults.Apply, which writes the provider's own error body through a callback;
//     notification faults (duplicate_webhook, out_of_order, fail_delivery) are applied
//     by the Notifier; decline is taken by the sandbox when the shopper approves.
//   - Notifications are delivered on their own goroutines and retried with growing
//     intervals until a 2xx, like the real providers; a sandbox handler never waits
//     for a delivery. An account's notifications make their first attempts in the
//     order sent, so disorder comes only from an out_of_order fault or a retry, and
//     tests stay deterministic. Tests call Notifier.Wait.
//   - State goes through Store as JSON, so the server can swap the in-memory store for
//     a database-backed one and sandbox payments survive restarts. Read-modify-write
//     is serialised per process with Locks; several server instances sharing one
//     sandbox store are not supported (the sandbox is a demo and test tool).
//   - Every sandbox serves its controls under <BaseURL>/_sandbox/ (faults,
//     notifications). This package does not authenticate them: the server admits
//     only PSP admins (catalog.SandboxConfig.GuardControls) and scopes each request to
//     the admin's own accounts (WithControlScope). Faults are capped per account and
//     in total, and the endpoint refuses a fault without an account.
package sandboxkit
