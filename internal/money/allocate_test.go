package money_test

import (
	"math"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
)

func TestPoolTakeAndConsume(t *testing.T) {
	tests := []struct {
		name    string
		unit    money.Money
		ordered string
		total   money.Money // zero value: unit × ordered
		steps   []string
		want    []money.Money
	}{
		{
			name: "three units one by one", unit: eur("9.99"), ordered: "3",
			steps: []string{"1", "1", "1"},
			want:  []money.Money{eur("9.99"), eur("9.99"), eur("9.99")},
		},
		{
			name: "one part takes the whole line", unit: eur("9.99"), ordered: "3",
			steps: []string{"3"},
			want:  []money.Money{eur("29.97")},
		},
		{
			// Running totals: 4.995 → 5.00, then 9.99 − 5.00, then 11.24 − 9.99.
			name: "half units of 9.99 are differences of rounded running totals", unit: eur("9.99"), ordered: "1.125",
			steps: []string{"0.5", "0.5", "0.125"},
			want:  []money.Money{eur("5.00"), eur("4.99"), eur("1.25")},
		},
		{
			name: "a rounded-up part leaves less for the last", unit: eur("0.03"), ordered: "1",
			steps: []string{"0.5", "0.5"}, // 0.015 → 0.02, then what is left
			want:  []money.Money{eur("0.02"), eur("0.01")},
		},
		{
			// Running totals 0.004, 0.008, 0.012, … → 0.00, 0.01, 0.01, 0.02, 0.02, 0.02, 0.03:
			// the cents come as the goods go, not all with the last part.
			name: "tiny parts take their cents as the running total reaches them", unit: eur("0.01"), ordered: "3",
			steps: []string{"0.4", "0.4", "0.4", "0.4", "0.4", "0.4", "0.4", "0.2"},
			want: []money.Money{
				eur("0"), eur("0.01"), eur("0"), eur("0.01"), eur("0"), eur("0"), eur("0.01"), eur("0"),
			},
		},
		{
			// Six rounded halves of a cent would be 0.06 of a 0.03 line; running totals
			// give a cent every other half.
			name: "one cent in half steps", unit: eur("0.01"), ordered: "3",
			steps: []string{"0.5", "0.5", "0.5", "0.5", "0.5", "0.5"},
			want:  []money.Money{eur("0.01"), eur("0"), eur("0.01"), eur("0"), eur("0.01"), eur("0")},
		},
		{
			name: "one yen in half steps", unit: money.New(1, "JPY"), ordered: "2",
			steps: []string{"0.5", "0.5", "0.5", "0.5"},
			want:  []money.Money{money.New(1, "JPY"), money.New(0, "JPY"), money.New(1, "JPY"), money.New(0, "JPY")},
		},
		{
			name: "thousandths of a dinar", unit: money.MustParse("0.001", "KWD"), ordered: "1",
			steps: []string{"0.5", "0.25", "0.25"}, // 0.0005 → 0.001, 0.00025 → 0
			want:  []money.Money{money.MustParse("0.001", "KWD"), money.Zero("KWD"), money.Zero("KWD")},
		},
		{
			name: "a free line", unit: eur("0.00"), ordered: "2",
			steps: []string{"0.5", "1.5"},
			want:  []money.Money{eur("0"), eur("0")},
		},
		{
			name: "a line total lower than unit × quantity (rounded or discounted)", unit: eur("10.00"), ordered: "3",
			total: eur("25.00"),
			steps: []string{"1", "1", "1"},
			want:  []money.Money{eur("10.00"), eur("10.00"), eur("5.00")},
		},
		{
			name: "a line total far below unit × quantity never goes negative", unit: eur("10.00"), ordered: "3",
			total: eur("15.00"),
			steps: []string{"1", "1", "1"},
			want:  []money.Money{eur("10.00"), eur("5.00"), eur("0")},
		},
		{
			name: "a discount line (negative unit price) splits like any other", unit: eur("-5.00"), ordered: "3",
			steps: []string{"1", "1", "1"},
			want:  []money.Money{eur("-5.00"), eur("-5.00"), eur("-5.00")},
		},
		{
			name: "a discount of one cent in half steps", unit: eur("-0.01"), ordered: "2",
			steps: []string{"0.5", "0.5", "0.5", "0.5"},
			want:  []money.Money{eur("-0.01"), eur("0"), eur("-0.01"), eur("0")},
		},
		{
			name: "a discount of 9.99 in eighths", unit: eur("-9.99"), ordered: "1.125",
			steps: []string{"0.5", "0.5", "0.125"},
			want:  []money.Money{eur("-5.00"), eur("-4.99"), eur("-1.25")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ordered := money.MustQuantity(tt.ordered)
			total := tt.total
			if total == (money.Money{}) {
				var err error
				if total, err = tt.unit.Times(ordered); err != nil {
					t.Fatal(err)
				}
			}
			pool := money.Pool{Quantity: ordered, Amount: total, ConsumedAmount: money.Zero(total.Currency())}
			if len(tt.steps) != len(tt.want) {
				t.Fatalf("bad case: %d steps, %d wanted parts", len(tt.steps), len(tt.want))
			}
			for i, s := range tt.steps {
				q := money.MustQuantity(s)
				part, err := pool.Take(tt.unit, q)
				if err != nil {
					t.Fatalf("part %d: Take(%v, %s) of %+v: %v", i+1, tt.unit, s, pool, err)
				}
				if part != tt.want[i] {
					t.Errorf("part %d: Take(%v, %s) = %v, want %v", i+1, tt.unit, s, part, tt.want[i])
				}
				if pool, err = pool.Consume(q, part); err != nil {
					t.Fatalf("part %d: Consume(%s, %v): %v", i+1, s, part, err)
				}
			}
			if pool.Open() != 0 || pool.ConsumedQuantity != ordered {
				t.Errorf("after all parts: open %s, consumed %s of %s", pool.Open(), pool.ConsumedQuantity, ordered)
			}
			if pool.ConsumedAmount != total {
				t.Errorf("parts add up to %v, want the line total %v", pool.ConsumedAmount, total)
			}
		})
	}
}

func TestPoolTakeRefuses(t *testing.T) {
	line := money.Pool{
		Quantity: money.MustQuantity("3"), Amount: eur("29.97"),
		ConsumedQuantity: money.MustQuantity("1"), ConsumedAmount: eur("9.99"),
	}
	tests := []struct {
		name string
		pool money.Pool
		unit money.Money
		q    string
	}{
		{name: "nothing", pool: line, unit: eur("9.99"), q: "0"},
		{name: "a negative quantity", pool: line, unit: eur("9.99"), q: "-1"},
		{name: "more than is open", pool: line, unit: eur("9.99"), q: "2.001"},
		{name: "anything of a fully consumed line", pool: money.Pool{
			Quantity: money.Units(1), Amount: eur("1"), ConsumedQuantity: money.Units(1), ConsumedAmount: eur("1"),
		}, unit: eur("1"), q: "0.001"},
		{name: "a unit price in another currency", pool: line, unit: money.New(999, "JPY"), q: "1"},
		{name: "a part whose price overflows", pool: money.Pool{
			Quantity: money.Units(3), Amount: money.New(math.MaxInt64, "EUR"), ConsumedAmount: money.Zero("EUR"),
		}, unit: money.New(math.MaxInt64, "EUR"), q: "2"},
		{name: "a pool whose consumed amount is in another currency", pool: money.Pool{
			Quantity: money.Units(2), Amount: eur("2"), ConsumedAmount: money.New(0, "JPY"),
		}, unit: eur("1"), q: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if part, err := tt.pool.Take(tt.unit, money.MustQuantity(tt.q)); err == nil {
				t.Errorf("Take(%v, %s) of %+v = %v, want an error", tt.unit, tt.q, tt.pool, part)
			}
		})
	}
}

// A pool for a line nothing has been taken from yet is written with the quantity and
// amount alone; the zero ConsumedAmount is "nothing yet", not an amount without currency.
func TestPoolFreshWithoutConsumedAmount(t *testing.T) {
	pool := money.Pool{Quantity: money.MustQuantity("3"), Amount: eur("29.97")}
	if got := pool.Open(); got != money.Units(3) {
		t.Errorf("Open() = %s, want 3", got)
	}
	part, err := pool.Take(eur("9.99"), money.Units(1))
	if err != nil || part != eur("9.99") {
		t.Fatalf("Take(9.99, 1) = %v, %v; want 9.99 EUR", part, err)
	}
	if pool, err = pool.Consume(money.Units(1), part); err != nil {
		t.Fatalf("Consume: %v", err)
	}
	if pool.ConsumedAmount != eur("9.99") || pool.ConsumedQuantity != money.Units(1) {
		t.Errorf("after one part: %+v", pool)
	}
	all, err := money.Pool{Quantity: money.Units(3), Amount: eur("29.97")}.Take(eur("9.99"), money.Units(3))
	if err != nil || all != eur("29.97") {
		t.Errorf("taking a fresh line whole = %v, %v; want 29.97 EUR", all, err)
	}
}

func TestPoolConsumeRefusesAnotherCurrency(t *testing.T) {
	pool := money.Pool{Quantity: money.Units(1), Amount: eur("1"), ConsumedAmount: money.Zero("EUR")}
	got, err := pool.Consume(money.Units(1), money.New(1, "JPY"))
	if err == nil {
		t.Fatalf("Consume of a yen part into a euro pool = %+v, want an error", got)
	}
	if got != pool {
		t.Errorf("a refused Consume changed the pool: %+v", got)
	}
}

// TestPoolReturnsOfFulfilledParts: a line is fulfilled in parts, then what was fulfilled
// is returned in other parts; the returns add up to what was fulfilled.
func TestPoolReturnsOfFulfilledParts(t *testing.T) {
	unit := eur("9.99")
	line := money.Pool{Quantity: money.MustQuantity("1.125"), Amount: eur("11.24")}
	fulfilled := money.Pool{Amount: money.Zero("EUR")}
	for _, s := range []string{"0.5", "0.5"} {
		q := money.MustQuantity(s)
		part, err := line.Take(unit, q)
		if err != nil {
			t.Fatal(err)
		}
		if line, err = line.Consume(q, part); err != nil {
			t.Fatal(err)
		}
		fulfilled.Quantity += q
		if fulfilled.Amount, err = money.Sum("EUR", fulfilled.Amount, part); err != nil {
			t.Fatal(err)
		}
	}
	if fulfilled.Amount != eur("9.99") {
		t.Fatalf("fulfilled %v, want 9.99 EUR (5.00 + 4.99)", fulfilled.Amount)
	}
	var returned []money.Money
	for _, s := range []string{"0.333", "0.333", "0.334"} {
		q := money.MustQuantity(s)
		part, err := fulfilled.Take(unit, q)
		if err != nil {
			t.Fatal(err)
		}
		if fulfilled, err = fulfilled.Consume(q, part); err != nil {
			t.Fatal(err)
		}
		returned = append(returned, part)
	}
	want := []money.Money{eur("3.33"), eur("3.32"), eur("3.34")} // 3.32667 → 3.33, 6.65334 → 6.65, then the rest
	for i := range want {
		if returned[i] != want[i] {
			t.Errorf("return %d = %v, want %v", i+1, returned[i], want[i])
		}
	}
}

// partSize reads one part size from a fuzz byte: the top two bits choose thousandths,
// half units, whole units or a share of what is open; the size is kept within [1, open].
func partSize(b byte, open money.Quantity) money.Quantity {
	v := money.Quantity(b&63) + 1
	var q money.Quantity
	switch b >> 6 {
	case 0:
		q = v
	case 1:
		q = v * 500
	case 2:
		q = v * money.QuantityScale
	default:
		q = open * v / 64
	}
	return min(max(q, 1), open)
}

func sign(v int64) int64 {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// takeAll consumes pool in parts sized by steps (the whole rest once steps run out),
// checking each part against the allocation rule, and answers the parts with their sizes.
func takeAll(t *testing.T, name string, pool money.Pool, unit money.Money, steps []byte) ([]money.Quantity, []money.Money) {
	t.Helper()
	total := pool.Amount
	var sizes []money.Quantity
	var parts []money.Money
	for i := 0; pool.Open() > 0; i++ {
		q := pool.Open()
		if i < len(steps) {
			q = partSize(steps[i], pool.Open())
		}
		last := q == pool.Open()
		taken, err := money.Sum(total.Currency(), parts...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		left, err := total.Sub(taken)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		part, err := pool.Take(unit, q)
		if err != nil {
			t.Fatalf("%s part %d: Take(%v, %s) of %+v: %v", name, i+1, unit, q, pool, err)
		}
		if part.Currency() != total.Currency() {
			t.Fatalf("%s part %d: %v is not in %s", name, i+1, part, total.Currency())
		}
		if s := sign(part.Minor()); s != 0 && s != sign(total.Minor()) {
			t.Fatalf("%s part %d: %v has the opposite sign of the whole %v", name, i+1, part, total)
		}
		if abs(part.Minor()) > abs(left.Minor()) {
			t.Fatalf("%s part %d: %v is more than the %v left", name, i+1, part, left)
		}
		if last && part != left {
			t.Fatalf("%s part %d: the last part is %v, want exactly the %v left", name, i+1, part, left)
		}
		// The running-total rule: round_half_up(unit × quantity so far) − what was taken so far.
		if upTo, _ := unit.Times(pool.ConsumedQuantity + q); !last {
			want, _ := upTo.Sub(taken)
			if sign(want.Minor()) != -sign(total.Minor()) && abs(want.Minor()) <= abs(left.Minor()) && part != want {
				t.Fatalf("%s part %d: %v × %s after %s = %v, want the running-total difference %v", name, i+1, unit, q, pool.ConsumedQuantity, part, want)
			}
		}
		if pool, err = pool.Consume(q, part); err != nil {
			t.Fatalf("%s part %d: Consume(%s, %v): %v", name, i+1, q, part, err)
		}
		sizes = append(sizes, q)
		parts = append(parts, part)
	}
	if pool.ConsumedQuantity != pool.Quantity {
		t.Fatalf("%s: consumed %s of %s", name, pool.ConsumedQuantity, pool.Quantity)
	}
	if len(parts) > 0 && pool.ConsumedAmount != total {
		t.Fatalf("%s: parts add up to %v, want %v", name, pool.ConsumedAmount, total)
	}
	if sum, err := money.Sum(total.Currency(), parts...); err != nil || sum != total {
		t.Fatalf("%s: Sum of the parts = %v, %v; want %v", name, sum, err, total)
	}
	if part, err := pool.Take(unit, 1); err == nil {
		t.Fatalf("%s: Take from a consumed pool = %v, want an error", name, part)
	}
	return sizes, parts
}

// FuzzSplitAddsUp splits a line (unit price × ordered quantity) into fulfilment and
// cancellation parts of fuzzed sizes, then returns the fulfilled quantity in parts of
// other sizes. Every part lies between zero and what was left, and the parts add up
// exactly to the line, and the returns exactly to what was fulfilled.
func FuzzSplitAddsUp(f *testing.F) {
	f.Add(int64(1), int64(3000), []byte{0x40, 0x40, 0x40, 0x40, 0x40, 0x40}) // 0.01 × 3 in halves
	f.Add(int64(1), int64(3000), []byte{0x03, 0x03, 0x03, 0x03})             // 0.01 × 3 in 0.004 steps
	f.Add(int64(999), int64(1125), []byte{0x40, 0x40})                       // 9.99 × 1.125 in halves
	f.Add(int64(3), int64(1000), []byte{0x40, 0x40})                         // 0.03 × 1 in halves
	f.Add(int64(999), int64(3000), []byte{0x80, 0x80, 0x80})                 // 9.99 × 3 one by one
	f.Add(int64(0), int64(2000), []byte{0x40})                               // a free line
	f.Add(int64(-500), int64(3000), []byte{0x80, 0x80})                      // a discount line
	f.Add(int64(-1), int64(2000), []byte{0x40, 0x40, 0x40})                  // a one-cent discount in halves
	f.Add(int64(1_000_000_000), int64(1_000_000), []byte{0xff, 0x00, 0x7f, 0xbf, 0xc0, 0x01})
	f.Add(int64(123457), int64(999_999), []byte{0xe0, 0xe0, 0xe0, 0x01, 0xe0})
	f.Add(int64(1), int64(1), []byte{})
	f.Fuzz(func(t *testing.T, unitMinor, orderedMilli int64, steps []byte) {
		unit := money.New(unitMinor%1_000_000_001, "EUR")          // −10 000 000.00 … 10 000 000.00
		ordered := money.Quantity(abs(orderedMilli%1_000_000) + 1) // 0.001 … 1000
		total, err := unit.Times(ordered)
		if err != nil {
			t.Fatalf("%v × %s: %v", unit, ordered, err)
		}

		line := money.Pool{Quantity: ordered, Amount: total, ConsumedAmount: money.Zero("EUR")}
		sizes, parts := takeAll(t, "line", line, unit, steps)

		// Every prefix of the line is within half a minor unit of exact: money does not
		// drift inside a line however it is split.
		var sumMinor int64
		var sumQ money.Quantity
		for i := range parts {
			sumMinor += parts[i].Minor()
			sumQ += sizes[i]
			exact := unit.Minor() * sumQ.Milli() // ≤ 10^16, in thousandths of a minor unit
			if drift := abs(sumMinor*money.QuantityScale - exact); drift > money.QuantityScale/2 {
				t.Fatalf("line prefix %d: %d for %s at %v drifts %d‰ of a cent", i+1, sumMinor, sumQ, unit, drift)
			}
		}

		// Odd parts were fulfilled, even ones cancelled; return what was fulfilled.
		fulfilled := money.Pool{Amount: money.Zero("EUR")}
		for i := 0; i < len(parts); i += 2 {
			fulfilled.Quantity += sizes[i]
			if fulfilled.Amount, err = fulfilled.Amount.Add(parts[i]); err != nil {
				t.Fatal(err)
			}
		}
		reversed := make([]byte, len(steps))
		for i, b := range steps {
			reversed[len(steps)-1-i] = b
		}
		takeAll(t, "returns", fulfilled, unit, reversed)
	})
}
