package sandboxkit

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestDayIndexPages: a listing walks the days of its range in order, a chunk a page,
// only the account's documents, every one once, and ends with an empty token.
func TestDayIndexPages(t *testing.T) {
	ctx := context.Background()
	x := &DayIndex{Store: NewMemoryStore(), Kind: "test_day", ChunkSize: 3}
	day1 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	var want []string
	for i := range 7 { // 7 on day 1: pages of 3, 3, 1
		id := fmt.Sprintf("a1-%d", i)
		want = append(want, id)
		if err := x.Add(ctx, "acct", day1, id); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 { // exactly one full chunk on day 2
		id := fmt.Sprintf("a2-%d", i)
		want = append(want, id)
		if err := x.Add(ctx, "acct", day2, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Add(ctx, "other", day1, "b1"); err != nil {
		t.Fatal(err)
	}
	var got []string
	token, pages := "", 0
	for {
		ids, next, err := x.Page(ctx, "acct", day1.Truncate(24*time.Hour), day2.Truncate(24*time.Hour).Add(24*time.Hour), token)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids...)
		pages++
		if next == "" || pages > 10 {
			break
		}
		token = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	if _, _, err := x.Page(ctx, "acct", day1, day2, "not-a-token"); err == nil {
		t.Error("a malformed token was accepted")
	}
}
