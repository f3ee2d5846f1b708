// Package settlement pays merchants: the daily runs per company, fees, the overview,
// the CSV export and the life of a settlement after the run. It knows nothing of
// GraphQL or HTTP; internal/psp calls it (refund previews), never the other way round.
package settlement
