package money

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFormatFixedMatchesThePlainDefinition checks the hand-rolled formatting against
// the obvious one (zero-padded digits, a point before the last scale of them, a sign).
func TestFormatFixedMatchesThePlainDefinition(t *testing.T) {
	plain := func(v int64, scale int) string {
		u := uint64(v)
		if v < 0 {
			u = uint64(-v)
		}
		digits := fmt.Sprintf("%0*d", scale+1, u)
		out := digits
		if scale > 0 {
			out = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
		}
		if v < 0 {
			out = "-" + out
		}
		return out
	}
	values := []int64{0, 1, -1, 5, -5, 10, 99, 100, -100, 123456, -123456, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		values = append(values, rng.Int64()>>rng.IntN(63), -(rng.Int64() >> rng.IntN(63)))
	}
	for _, v := range values {
		for scale := range 7 {
			if got, want := formatFixed(v, scale), plain(v, scale); got != want {
				t.Fatalf("formatFixed(%d, %d) = %q, want %q", v, scale, got, want)
			}
		}
	}
}

func BenchmarkFormatFixed(b *testing.B) {
	for b.Loop() {
		_ = formatFixed(123816, 2)
	}
}
