package settlement

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestFeeSQLMatchesBasisPoints holds the database's fee arithmetic (cumulativeFeeSQL,
// used by the settlement run and the overview) to CumulativeFee, the rule in Go, case
// by case.
func TestFeeSQLMatchesBasisPoints(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		before int64
		amount int64
		bps    int64
		fixed  int64
		first  bool
	}{
		{"nothing costs nothing", 0, 0, 140, 0, false},
		{"exactly half a cent rounds up", 0, 10_00, 5, 0, false},
		{"just under half a cent rounds down", 0, 9_99, 5, 0, false},
		{"one and a half cents round up", 0, 30_00, 5, 0, false},
		{"a typical card fee with its fixed part", 0, 123_45, 140, 25, true},
		{"a later part carries no fixed part", 0, 123_45, 140, 25, false},
		{"the whole amount", 0, 77_77, 10000, 0, false},
		{"a large amount does not overflow", 0, 900_000_000_000_00, 390, 35, true},
		{"odd amounts at an odd rate", 0, 1_234_567, 333, 7, true},
		{"a later part: the difference of the rounded cumulative fees", 20_00, 30, 290, 35, false},
		{"a part whose own fee would round away", 5_70, 30, 175, 0, false},
		{"the largest order at 100 %", 0, 1_000_000_000, 10000, 0, true},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				first := "1 = 0"
				if tc.first {
					first = "1 = 1"
				}
				expr := cumulativeFeeSQL(fmt.Sprintf("CAST(%d AS BIGINT)", tc.before), fmt.Sprintf("CAST(%d AS BIGINT)", tc.amount),
					fmt.Sprint(tc.bps), fmt.Sprint(tc.fixed), first)
				var got int64
				settleMust(t, d.SQL.QueryRowContext(context.Background(), "SELECT "+expr).Scan(&got))
				want, err := CumulativeFee(money.New(tc.before, "EUR"), money.New(tc.amount, "EUR"), tc.bps, money.New(tc.fixed, "EUR"), tc.first)
				settleMust(t, err)
				if got != want.Minor() {
					t.Errorf("SQL fee of %d at %d bps + %d = %d, CumulativeFee says %d", tc.amount, tc.bps, tc.fixed, got, want.Minor())
				}
			})
		}
	})
}

// TestDailyRunSchedule: the periodic job fires once a day at 00:30 UTC.
func TestDailyRunSchedule(t *testing.T) {
	s := jobs.DailyAt{Hour: SettlementRunHour, Minute: SettlementRunMinute}
	cases := []struct{ name, now, next string }{
		{"before the time fires the same day", "2026-03-20T00:10:00Z", "2026-03-20T00:30:00Z"},
		{"at the time fires the next day", "2026-03-20T00:30:00Z", "2026-03-21T00:30:00Z"},
		{"later in the day fires the next day", "2026-03-20T13:00:00Z", "2026-03-21T00:30:00Z"},
		{"another zone is read as UTC", "2026-03-20T01:00:00+02:00", "2026-03-20T00:30:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now, _ := time.Parse(time.RFC3339, tc.now)
			want, _ := time.Parse(time.RFC3339, tc.next)
			if got := s.Next(now); !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tc.now, got, want)
			}
		})
	}
}

func settleMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
