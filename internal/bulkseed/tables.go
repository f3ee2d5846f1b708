package bulkseed

import (
	"fmt"
	"slices"

	"entgo.io/ent/dialect/sql/schema"

	"github.com/pspbackoffice/backoffice/ent/migrate"
)

// table is one table the seed writes in bulk, with the columns its rows carry, in order.
type table struct {
	name string
	cols []string
	spec *schema.Table
}

// The bulk tables, in foreign-key order. Every row of a batch is written parent first.
var (
	ordersTable = table{name: "orders", spec: migrate.OrdersTable, cols: []string{
		"id", "created_at", "updated_at", "psp_id", "merchant_id", "company_id", "shop_id",
		"provider", "product_type", "reference", "status", "fulfilment_status", "currency",
		"initial_amount_minor", "amount_minor", "fulfilled_amount_minor", "refunded_amount_minor",
		"provider_reference", "payment_url", "lang", "first_name", "last_name", "email", "phone",
		"shopper_company_name", "billing_address", "delivery_address", "success_url", "failed_url",
		"callback_url", "shopper_continued", "session_version", "confirmed_at", "payout_date",
	}}
	itemsTable = table{name: "order_items", spec: migrate.OrderItemsTable, cols: []string{
		"id", "created_at", "updated_at", "order_id", "position", "sku", "name", "quantity", "currency",
		"unit_price_minor", "vat_rate_bps", "total_minor", "fulfilled_quantity", "cancelled_quantity",
		"returned_quantity", "fulfilled_amount_minor", "cancelled_amount_minor", "returned_amount_minor",
	}}
	fulfilmentsTable = table{name: "fulfilments", spec: migrate.FulfilmentsTable, cols: []string{
		"id", "created_at", "updated_at", "order_id", "company_id", "status", "currency", "amount_minor", "payout_date",
		"provider_operation_id", "failure_reason", "attempts", "completed_at",
	}}
	fulfilmentLinesTable = table{name: "fulfilment_lines", spec: migrate.FulfilmentLinesTable, cols: []string{
		"id", "created_at", "updated_at", "fulfilment_id", "order_item_id", "quantity", "currency", "amount_minor",
	}}
	refundsTable = table{name: "refunds", spec: migrate.RefundsTable, cols: []string{
		"id", "created_at", "updated_at", "order_id", "company_id", "status", "currency", "amount_minor",
		"return_amount_minor", "cancel_amount_minor", "reason", "provider_operation_id", "failure_reason",
		"attempts", "completed_at",
	}}
	refundLinesTable = table{name: "refund_lines", spec: migrate.RefundLinesTable, cols: []string{
		"id", "created_at", "updated_at", "refund_id", "order_item_id", "refund_type", "quantity", "currency", "amount_minor",
	}}
	bulkTables = []table{ordersTable, itemsTable, fulfilmentsTable, fulfilmentLinesTable, refundsTable, refundLinesTable}
)

// checkSchema compares the bulk tables with the schema ent migrates to, so a column
// added by someone else fails the seed with a clear message instead of a constraint
// error halfway through a million rows: every column written must exist, and every
// NOT NULL column without a database default must be written.
func checkSchema(tables []table) error {
	for _, t := range tables {
		have := map[string]*schema.Column{}
		for _, c := range t.spec.Columns {
			have[c.Name] = c
		}
		for _, c := range t.cols {
			if have[c] == nil {
				return fmt.Errorf("bulkseed: %s.%s is no longer in ent/migrate/schema.go: update internal/bulkseed", t.name, c)
			}
		}
		for _, c := range t.spec.Columns {
			if !c.Nullable && c.Default == nil && !slices.Contains(t.cols, c.Name) {
				return fmt.Errorf("bulkseed: %s.%s is NOT NULL without a default and the seed does not write it: update internal/bulkseed", t.name, c.Name)
			}
		}
	}
	return nil
}

// checkEnum refuses a value an enum column does not list (a renamed status).
func checkEnum(t table, col string, values ...string) error {
	for _, c := range t.spec.Columns {
		if c.Name != col {
			continue
		}
		for _, v := range values {
			if len(c.Enums) > 0 && !slices.Contains(c.Enums, v) {
				return fmt.Errorf("bulkseed: %s.%s has no value %q any more: update internal/bulkseed", t.name, col, v)
			}
		}
		return nil
	}
	return fmt.Errorf("bulkseed: %s.%s is missing", t.name, col)
}
