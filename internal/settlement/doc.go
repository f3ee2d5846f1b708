// Package settlement pays merchants (docs/settlement.md): when money becomes payable
// (payable.go, the one rule the run, the overview, the refund preview and the payout
// dates on orders and fulfilments share), fees frozen when earned and taken on an
// order's cumulative credits (settlement_fees.go), the daily runs per company
// (settlement.go, settlement_sources.go), the overview, the CSV export, the life of a
// settlement after the run and the owed-balance e-mails (outbox.go). It knows nothing
// of GraphQL or HTTP; internal/psp calls it, never the other way round.
package settlement
