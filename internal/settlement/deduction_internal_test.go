package settlement

import (
	"context"
	"fmt"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestDeductionSQLMatchesDeduction holds the run's refund deduction (deductionSQL,
// settlement_sources.go) to Deduction, the rule in Go that the refund preview shows,
// for every provider and product type.
func TestDeductionSQLMatchesDeduction(t *testing.T) {
	t.Parallel()
	const ret, cancel = 30_00, 12_34
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for _, p := range domain.Provider("").Values() {
			for _, pt := range domain.ProductType("").Values() {
				t.Run(p+"/"+pt, func(t *testing.T) {
					q := fmt.Sprintf("SELECT %s FROM (SELECT CAST(%d AS BIGINT) AS r, CAST(%d AS BIGINT) AS c, '%s' AS p, '%s' AS t) x",
						deductionSQL("x.r", "x.c", "x.p", "x.t"), ret, cancel, p, pt)
					var got int64
					settleMust(t, d.SQL.QueryRowContext(context.Background(), q).Scan(&got))
					typ := domain.ProductType(pt)
					want, _, err := Deduction(domain.Provider(p), &typ, money.New(ret, "EUR"), money.New(cancel, "EUR"))
					settleMust(t, err)
					if got != want.Minor() {
						t.Errorf("SQL deducts %d of RETURN %d + CANCEL %d, Deduction says %d", got, ret, cancel, want.Minor())
					}
				})
			}
		}
	})
}
