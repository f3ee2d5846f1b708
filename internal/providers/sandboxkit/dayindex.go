package sandboxkit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DayIndex lists the documents of one kind an account made on a day, in the order
// made, in chunks of ChunkSize ids: a sandbox's listing endpoint reads one chunk per
// page, so a day of 100,000 documents costs one small read per page rather than a
// scan of the store (docs/reconciliation.md). Adding is O(1): the day's count and
// its last chunk, under one lock.
type DayIndex struct {
	Store     Store
	Kind      string // the index's own store kind
	ChunkSize int    // ids per chunk (and per listing page); 0: 100
	locks     Locks
}

func (x *DayIndex) chunk() int {
	if x.ChunkSize <= 0 {
		return 100
	}
	return x.ChunkSize
}

func dayKey(account string, day time.Time) string {
	return account + "/" + day.UTC().Format(time.DateOnly)
}

// Add records that account made document id at t.
func (x *DayIndex) Add(ctx context.Context, account string, t time.Time, id string) error {
	key := dayKey(account, t)
	unlock := x.locks.Lock(x.Kind, key)
	defer unlock()
	var n int
	if _, err := x.Store.Get(ctx, x.Kind, key, &n); err != nil {
		return err
	}
	ck := key + "/" + strconv.Itoa(n/x.chunk())
	var ids []string
	if _, err := x.Store.Get(ctx, x.Kind, ck, &ids); err != nil {
		return err
	}
	if err := x.Store.Put(ctx, x.Kind, ck, append(ids, id)); err != nil {
		return err
	}
	return x.Store.Put(ctx, x.Kind, key, n+1)
}

// Page answers the ids of one page of the account's documents made in the days
// from (inclusive) to to (exclusive), UTC, and the next page's token ("" after the
// last). A token is "<day>/<chunk>"; "" starts at from.
func (x *DayIndex) Page(ctx context.Context, account string, from, to time.Time, token string) ([]string, string, error) {
	day, chunk := from.UTC().Truncate(24*time.Hour), 0
	if token != "" {
		d, c, ok := strings.Cut(token, "/")
		t, err := time.Parse(time.DateOnly, d)
		n, err2 := strconv.Atoi(c)
		if !ok || err != nil || err2 != nil || n < 0 {
			return nil, "", fmt.Errorf("bad page token %q", token)
		}
		day, chunk = t, n
	}
	for ; day.Before(to); day, chunk = day.Add(24*time.Hour), 0 {
		var ids []string
		found, err := x.Store.Get(ctx, x.Kind, dayKey(account, day)+"/"+strconv.Itoa(chunk), &ids)
		if err != nil {
			return nil, "", err
		}
		if !found {
			continue
		}
		next := day.Format(time.DateOnly) + "/" + strconv.Itoa(chunk+1)
		if len(ids) < x.chunk() {
			next = ""
			if nd := day.Add(24 * time.Hour); nd.Before(to) {
				next = nd.Format(time.DateOnly) + "/0"
			}
		}
		return ids, next, nil
	}
	return nil, "", nil
}
