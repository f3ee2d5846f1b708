package settlement

import (
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/settlemententry"
	"github.com/pspbackoffice/backoffice/internal/csvsafe"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// The CSV export of one settlement (GET /exports/settlements/{id}.csv): one row per
// entry with its order reference, product type, dates and its effect split into the
// settlement's four columns (gross, refunds, fee, net), then a TOTAL row whose columns
// are the settlement's own totals. Amounts are decimal strings with the currency's
// decimals; refunds and fees are positive amounts and net is signed, as on the
// settlement.

// SettlementExport is a settlement with its entries and their orders, ready to write.
type SettlementExport struct {
	Settlement *ent.Settlement
	Entries    []*ent.SettlementEntry
}

// Export reads a settlement the principal may see, with its entries and their orders.
func (s *Settlements) Export(ctx context.Context, id string) (*SettlementExport, error) {
	st, err := s.DB.Ent.Settlement.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, ErrSettlementNotFound
	}
	if err != nil {
		return nil, err
	}
	entries, err := s.DB.Ent.SettlementEntry.Query().Where(settlemententry.SettlementID(st.ID)).
		WithOrder(func(q *ent.OrderQuery) { q.Select(order.FieldReference, order.FieldCreatedAt) }).
		All(ctx)
	if err != nil {
		return nil, err
	}
	// Order by order, then credit, refund, fee: a reader follows each order down.
	rank := map[settlemententry.Kind]int{settlemententry.KindORDER: 0, settlemententry.KindFULFILMENT: 0,
		settlemententry.KindREFUND: 1, settlemententry.KindFEE: 2}
	slices.SortStableFunc(entries, func(a, b *ent.SettlementEntry) int {
		if c := strings.Compare(entryReference(a), entryReference(b)); c != 0 {
			return c
		}
		if c := strings.Compare(a.OrderID, b.OrderID); c != 0 {
			return c
		}
		if c := rank[a.Kind] - rank[b.Kind]; c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return &SettlementExport{Settlement: st, Entries: entries}, nil
}

func entryReference(e *ent.SettlementEntry) string {
	if e.Edges.Order != nil {
		return e.Edges.Order.Reference
	}
	return ""
}

// ExportHeader is the CSV's header row.
var ExportHeader = []string{"settlement_id", "settlement_date", "entry_id", "kind", "order_reference", "order_id",
	"fulfilment_id", "refund_id", "product_type", "order_date", "payable_date", "currency", "gross", "refunds", "fee", "net"}

// WriteCSV writes the export.
func (x *SettlementExport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	st := x.Settlement
	amount := func(minor int64) string { return money.New(minor, st.Currency).Amount() }
	if err := cw.Write(ExportHeader); err != nil {
		return err
	}
	for _, e := range x.Entries {
		var gross, refunds, fee int64
		switch e.Kind {
		case settlemententry.KindORDER, settlemententry.KindFULFILMENT:
			gross = e.AmountMinor
		case settlemententry.KindREFUND:
			refunds = -e.AmountMinor
		case settlemententry.KindFEE:
			fee = -e.AmountMinor
		}
		orderDate := ""
		if e.Edges.Order != nil {
			orderDate = string(domain.DateOf(e.Edges.Order.CreatedAt))
		}
		// Text cells are neutralised against formula injection (internal/csvsafe);
		// the four amounts stay numbers.
		row := append(csvsafe.Texts([]string{st.ID, string(st.Date), e.ID, string(e.Kind), entryReference(e), e.OrderID,
			optionalText(e.FulfilmentID), optionalText(e.RefundID), string(e.ProductType), orderDate, string(e.PayableDate),
			e.Currency}), amount(gross), amount(refunds), amount(fee), amount(e.AmountMinor))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	total := []string{st.ID, string(st.Date), "TOTAL", "", "", "", "", "", "", "", "", st.Currency,
		amount(st.GrossMinor), amount(st.RefundsMinor), amount(st.FeesMinor), amount(st.NetMinor)}
	if err := cw.Write(total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func optionalText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
