package money

import "fmt"

// Pool is something a line can be consumed from in parts: a line's ordered quantity
// and total (consumed by fulfilments and cancellations), or its fulfilled quantity and
// amount (consumed by returns). Consumed says how much of it parts have already taken.
type Pool struct {
	Quantity         Quantity
	Amount           Money
	ConsumedQuantity Quantity
	ConsumedAmount   Money
}

// Open is the quantity not yet consumed.
func (p Pool) Open() Quantity { return p.Quantity - p.ConsumedQuantity }

// Take answers the amount of a part of q taken at unitPrice, as a difference of
// rounded running totals: round_half_up(unitPrice × (consumed + q)) minus what the
// earlier parts took (README "Settlement": line amounts). So every prefix of the pool
// is within half a cent of exact however it was split (0.04 × 5.00 taken in parts of
// 0.001 credits 0.10 for the first 0.02, not 20 × 0.01), and the part that takes the
// last open quantity gets exactly what is left, so the parts add up to the whole to
// the cent. A part is kept between zero and what is left, so it never overshoots the
// pool nor has the opposite sign of it (never negative for a line, never positive for
// a discount line). A zero ConsumedAmount means nothing was taken yet.
func (p Pool) Take(unitPrice Money, q Quantity) (Money, error) {
	if q <= 0 {
		return Money{}, fmt.Errorf("take %s: quantity must be positive", q)
	}
	if q > p.Open() {
		return Money{}, fmt.Errorf("take %s: only %s open", q, p.Open())
	}
	left, err := p.Amount.Sub(p.consumedAmount())
	if err != nil {
		return Money{}, err
	}
	if q == p.Open() {
		return left, nil
	}
	upTo, err := unitPrice.Times(p.ConsumedQuantity + q)
	if err != nil {
		return Money{}, err
	}
	if err := upTo.same(left); err != nil {
		return Money{}, err
	}
	part, err := upTo.Sub(p.consumedAmount())
	if err != nil {
		return Money{}, err
	}
	// Keep the part between zero and what is left, on whichever side of zero the
	// line is (a discount line is negative), so it never overshoots the line and the
	// last part never changes sign.
	lo, hi := min(0, left.minor), max(0, left.minor)
	part.minor = min(max(part.minor, lo), hi)
	return part, nil
}

// consumedAmount is ConsumedAmount, reading the zero Money of a pool nothing has been
// taken from yet as zero in the pool's currency.
func (p Pool) consumedAmount() Money {
	if p.ConsumedAmount == (Money{}) {
		return Zero(p.Amount.currency)
	}
	return p.ConsumedAmount
}

// Consume records a part taken from the pool.
func (p Pool) Consume(q Quantity, amount Money) (Pool, error) {
	a, err := p.consumedAmount().Add(amount)
	if err != nil {
		return p, err
	}
	p.ConsumedQuantity += q
	p.ConsumedAmount = a
	return p, nil
}
