package psp

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent/predicate"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// MaxSearchLength bounds orders(search:) in characters (docs/input-bounds.md).
const MaxSearchLength = 100

// OrderSearch is the rule of orders(search:) (docs/api.md "Search"): an order matches
// when its id, reference, provider reference, shopper email, first name or last name
// starts with the search, ignoring case, or when the search is "first last…" and the
// first name is the first word and the last name starts with the rest. Blank is no
// search (nil). What the principal may see is the privacy policy's, as for every read.
//
// Each column is compared as a range over lower(column) — lower(c) >= s AND lower(c) <
// s + U+10FFFF — which is exactly "starts with s" in byte order and is served by the
// column's search index (internal/db, search_indexes.go) with the search bound as a
// parameter, so a prepared statement's generic plan uses the index too (a LIKE
// pattern in a parameter would not). PostgreSQL compares with the text_pattern_ops
// operators (~>=~, ~<~: byte order whatever the collation); SQLite's default collation
// is byte order already. SQLite's lower() folds ASCII letters only.
func OrderSearch(search string) (predicate.Order, error) {
	s := strings.ToLower(strings.Join(strings.Fields(search), " "))
	if s == "" {
		return nil, nil
	}
	if n := utf8.RuneCountInString(s); n > MaxSearchLength {
		return nil, domain.RefuseErr(ErrInvalidSearch, domain.Field("search"),
			"the search has "+strconv.Itoa(n)+" characters; at most "+strconv.Itoa(MaxSearchLength)+" are allowed")
	}
	return func(sel *sql.Selector) {
		var matches []*sql.Predicate
		for _, c := range db.OrderSearchColumns {
			matches = append(matches, lowerHasPrefix(sel.C(c), s))
		}
		if first, rest, ok := strings.Cut(s, " "); ok {
			matches = append(matches, sql.And(lowerCompare(sel.C("first_name"), "=", "=", first), lowerHasPrefix(sel.C("last_name"), rest)))
		}
		sel.Where(sql.Or(matches...))
	}, nil
}

// lowerHasPrefix is lower(column) starts with prefix, as an index range.
func lowerHasPrefix(column, prefix string) *sql.Predicate {
	return sql.And(lowerCompare(column, ">=", "~>=~", prefix), lowerCompare(column, "<", "~<~", prefix+"\U0010FFFF"))
}

// lowerCompare is lower(column) <op> value, with PostgreSQL's text_pattern_ops operator.
func lowerCompare(column, op, pgOp, value string) *sql.Predicate {
	return sql.P(func(b *sql.Builder) {
		o := op
		if b.Dialect() == dialect.Postgres {
			o = pgOp
		}
		b.WriteString("lower(" + column + ") " + o + " ").Arg(value)
	})
}
