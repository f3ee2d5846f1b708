package psp_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestOrderSearchFindsEveryKindOfKey gives an order of merchant A1 a shopper and a
// provider reference, and the same shopper to an order of PSP B and of merchant A2;
// then searches by each kind of key, in other letter cases and as a prefix, as
// principals of each tenant: each finds its own tenant's order only.
func TestOrderSearchFindsEveryKindOfKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		w := tenanttest.Build(t, d.Ent, auth.NewKeyHasher([]byte("search test pepper")), auth.EnvTest)
		sys := auth.System(context.Background())
		shopper := func(name, providerRef, email string) *ent.Order {
			return d.Ent.Order.UpdateOneID(w.ByName[name].ID).SetProviderReference(providerRef).SetEmail(email).
				SetFirstName("Anna").SetLastName("Kowalski-Berg").SaveX(sys)
		}
		a1 := shopper("order A1/a/a", "PW-Ref-7781", "Anna.Kowalski@Example.com")
		a2 := shopper("order A2/a/a", "PW-Ref-7782", "anna.kowalski@example.com")
		b1 := shopper("order B1/a/a", "PW-Ref-7783", "ANNA.KOWALSKI@example.com")
		find := func(actor, search string) []string {
			t.Helper()
			match, err := psp.OrderSearch(search)
			if err != nil {
				t.Fatalf("%q: %v", search, err)
			}
			ids, err := d.Ent.Order.Query().Where(match).IDs(auth.With(context.Background(), w.Actors[actor].Principal))
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		// Keys only this order has: every other principal finds nothing.
		only := []string{a1.ID, strings.ToLower(a1.ID[:len(a1.ID)-3]), // the order id, whole and a prefix
			a1.Reference, strings.ToUpper(a1.Reference), // the reference
			"PW-REF-7781", "pw-ref-7781"} // the provider reference
		// The shopper the three orders share: each principal finds its tenant's.
		shared := []string{"pw-ref-778", // a provider reference prefix
			"anna.kowalski@", " ANNA.KOW ", // the shopper's email
			"anna", "KOWALSKI-B", "anna kowalski", "Anna  Kowalski-Berg"} // names: first, last, full
		sees := map[string][]string{"staffA": {a1.ID, a2.ID}, "adminA1": {a1.ID}, "keyA1": {a1.ID},
			"adminA2": {a2.ID}, "staffB": {b1.ID}}
		for _, search := range append(only, shared...) {
			for actor, want := range sees {
				if slices.Contains(only, search) {
					want = slices.DeleteFunc(slices.Clone(want), func(id string) bool { return id != a1.ID })
				}
				got := find(actor, search)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s searching %q found %v, want %v", actor, search, got, want)
				}
			}
		}
		// Wildcards are letters like any other; a name that is not there finds nothing.
		for _, search := range []string{"%", "_", "anna%", "a_na", "zelda", "anna berg"} {
			if got := find("staffA", search); len(got) > 0 {
				t.Errorf("%q found %v", search, got)
			}
		}
	})
}

// TestOrderSearchBounds: a search has at most 100 characters; blank is no search.
func TestOrderSearchBounds(t *testing.T) {
	if _, err := psp.OrderSearch(strings.Repeat("ä", psp.MaxSearchLength)); err != nil {
		t.Errorf("100 characters: %v", err)
	}
	_, err := psp.OrderSearch(strings.Repeat("a", psp.MaxSearchLength+1))
	r, ok := domain.AsRefusal(err)
	if !errors.Is(err, psp.ErrInvalidSearch) || !ok || r.Problems[0].Code != domain.CodeValidation ||
		!slices.Equal(r.Problems[0].Field, []string{"search"}) {
		t.Errorf("101 characters: %v", err)
	}
	if p, err := psp.OrderSearch(" \t "); p != nil || err != nil {
		t.Errorf("a blank search: %v %v", p, err)
	}
}

// TestOrderSearchUsesTheIndexesOnSQLite asks SQLite how it would run the search's
// WHERE clause: every branch through a search index (a MULTI-INDEX OR), no scan of
// orders. (PostgreSQL's plans are checked on a seeded data set in internal/bench.)
func TestOrderSearchUsesTheIndexesOnSQLite(t *testing.T) {
	d := testdb.SQLite(t)
	match, err := psp.OrderSearch("Anna Kow")
	if err != nil {
		t.Fatal(err)
	}
	sel := sql.Dialect(dialect.SQLite).Select("id").From(sql.Table("orders"))
	match(sel)
	query, args := sel.Query()
	rows, err := d.SQL.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "SCAN orders") || strings.Count(text, "USING INDEX order_search_") < len(db.OrderSearchColumns) {
		t.Errorf("the search does not use the search indexes:\n%s", text)
	}
}
