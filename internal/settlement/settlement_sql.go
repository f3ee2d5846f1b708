package settlement

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// The little dialect the settlement statements need beyond what PostgreSQL and SQLite
// share: placeholders, and the UTC day of a stored instant (a refund's completed_at).
//
// SQLite keeps an instant as the text Go's time.Time.String() writes
// ("2026-11-21 00:30:00.1 +0200 EET"), which SQLite's own date functions cannot read
// and which does not sort across zones, so the day of an instant is asked of a Go
// function registered with the driver (settle_utc_day) rather than of SQLite.

const sqliteUTCDayFunc = "settle_utc_day"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(sqliteUTCDayFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		t, ok := storedInstant(args[0])
		if !ok {
			return nil, nil
		}
		return string(domain.DateOf(t)), nil
	})
}

// storedInstant reads an instant as SQLite hands it to a function.
func storedInstant(v driver.Value) (time.Time, bool) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		return time.Unix(x, 0), true
	default:
		return time.Time{}, false
	}
	if i := strings.Index(s, " m="); i > 0 {
		s = s[:i] // a monotonic clock reading time.String() appends
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999 -0700 MST",
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sqlDialect writes the few dialect-specific pieces of the settlement statements.
type sqlDialect struct{ postgres bool }

// rebind turns ? placeholders into $1, $2, … on PostgreSQL. The statements here have
// no ? inside string literals.
func (d sqlDialect) rebind(q string) string {
	if !d.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// instant is a placeholder for an instant: PostgreSQL cannot infer a parameter's type
// inside a UNION, SQLite must receive the driver's own text unchanged.
func (d sqlDialect) instant() string {
	if d.postgres {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// utcDay is the 'YYYY-MM-DD' UTC day of an instant column, comparable with Date text.
func (d sqlDialect) utcDay(expr string) string {
	if d.postgres {
		return fmt.Sprintf("to_char((%s) AT TIME ZONE 'UTC', 'YYYY-MM-DD')", expr)
	}
	return fmt.Sprintf("%s(%s)", sqliteUTCDayFunc, expr)
}

// tempTable creates the run's scratch table, dropped when the transaction ends
// (PostgreSQL) or explicitly at its end (SQLite, whose DDL is transactional too).
func (d sqlDialect) tempTable(name, columns string) string {
	if d.postgres {
		return fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DROP", name, columns)
	}
	return fmt.Sprintf("CREATE TEMP TABLE %s (%s)", name, columns)
}
