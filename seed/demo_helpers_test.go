package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
	"github.com/pspbackoffice/backoffice/seed"
)

// demoDay is the day the demo tests load the demo data set as of.
var demoDay = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)

// eachDemo loads the demo data set as of now on each test database (in parallel with
// the other tests) and runs fn as auth.System.
func eachDemo(t *testing.T, now time.Time, fn func(t *testing.T, ctx context.Context, d *db.DB)) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.System(context.Background())
		if _, err := seed.LoadDemo(ctx, d.Ent, now); err != nil {
			t.Fatal(err)
		}
		fn(t, ctx, d)
	})
}
