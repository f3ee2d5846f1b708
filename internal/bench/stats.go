package bench

import (
	"fmt"
	"slices"
	"time"
)

// Sample is a set of timings of one measurement.
type Sample []time.Duration

// Quantile answers the q-quantile (0.5 = median) by the nearest-rank method.
func (s Sample) Quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	i := int(q*float64(len(c))+0.999999) - 1
	return c[min(max(i, 0), len(c)-1)]
}

// P50 and P99 are the median and the 99th percentile.
func (s Sample) P50() time.Duration { return s.Quantile(0.50) }
func (s Sample) P99() time.Duration { return s.Quantile(0.99) }

// ms formats a duration in milliseconds with two decimals ("12.34 ms").
func ms(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// ratio formats a/b ("1.8×"), or "–" when b is zero.
func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}
