package isolation_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/ent/migrate"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
)

// snapshot is every row of every table, read with plain SQL (no tenant filter):
// table/id → column → value.
type snapshot map[string]map[string]any

// ignoredColumns change in the background (an API key's last use, a session's) and say nothing
// about who changed what.
var ignoredColumns = map[string]bool{"last_used_at": true, "last_seen_at": true}

func (h *harness) snapshot(t *testing.T) snapshot {
	t.Helper()
	out := snapshot{}
	tables := []string{"river_job"}
	for _, tb := range migrate.Tables {
		tables = append(tables, tb.Name)
	}
	for _, table := range tables {
		rows, err := h.db.SQL.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for n := 0; rows.Next(); n++ {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]any{}
			for i, c := range cols {
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
				if !ignoredColumns[c] {
					row[c] = vals[i]
				}
			}
			id := fmt.Sprint(row["id"])
			out[table+"/"+id] = row
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// foreignChanges lists the rows added, changed or removed between two snapshots that
// are not the actor's own: a row is the actor's when its tenant columns are the
// actor's (psp, and merchant, company and shop where the actor has them). New jobs
// may not name another tenant's objects.
func (h *harness) foreignChanges(actor string, before, after snapshot) []string {
	p := h.world.Actors[actor].Principal
	var out []string
	for key, row := range after {
		old, existed := before[key]
		if existed && reflect.DeepEqual(old, row) {
			continue
		}
		if strings.HasPrefix(key, "river_job/") {
			args := fmt.Sprint(row["args"])
			for name, o := range h.world.ByName {
				if !tenanttest.Sees(p, o) && strings.Contains(args, o.ID) {
					out = append(out, key+" names "+name)
				}
			}
			continue
		}
		if !ownsRow(p, key, row) {
			out = append(out, key)
		}
	}
	for key := range before {
		if _, ok := after[key]; !ok && !strings.HasPrefix(key, "river_job/") {
			out = append(out, key+" (deleted)")
		}
	}
	sort.Strings(out)
	return out
}

// ownsRow tells whether a row lies in the principal's own tenant.
func ownsRow(p *auth.Principal, key string, row map[string]any) bool {
	str := func(c string) (string, bool) {
		v, ok := row[c]
		if !ok || v == nil {
			return "", false
		}
		return fmt.Sprint(v), true
	}
	psp, ok := str("psp_id")
	if !ok {
		table := key[:strings.Index(key, "/")]
		switch table {
		case "sandbox_records", "webhook_events":
			return true
		case "psps": // a PSP's own row (updatePsp)
			id, _ := str("id")
			return id == p.PSPID
		case "idempotency_records":
			pr, _ := str("principal")
			return pr == p.Key()
		}
		return false
	}
	if psp != p.PSPID {
		return false
	}
	for col, mine := range map[string]string{"merchant_id": p.MerchantID, "company_id": p.CompanyID, "shop_id": p.ShopID} {
		if v, ok := str(col); ok && mine != "" && v != mine {
			return false
		}
	}
	return true
}
