package settlement

import (
	"slices"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// PayoutCalendar is a company's payout schedule: the days on which it gets a
// settlement. DAILY is every day; WEEKLY is its one weekday; WEEKDAYS its chosen
// weekdays. A schedule stored without weekdays falls back to Monday (WEEKLY) and
// Monday to Friday (WEEKDAYS), so no company is silently never paid.
type PayoutCalendar struct {
	Schedule domain.PayoutSchedule
	Weekdays []domain.Weekday
}

// CalendarOf is a company's payout calendar.
func CalendarOf(c *ent.Company) PayoutCalendar {
	return PayoutCalendar{Schedule: c.PayoutSchedule, Weekdays: c.PayoutWeekdays}
}

// days is the set of weekdays the calendar pays out on.
func (c PayoutCalendar) days() []time.Weekday {
	switch c.Schedule {
	case domain.PayoutWeekly:
		if len(c.Weekdays) == 0 {
			return []time.Weekday{time.Monday}
		}
		return []time.Weekday{c.Weekdays[0].Time()}
	case domain.PayoutWeekdays:
		if len(c.Weekdays) == 0 {
			return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
		}
		out := make([]time.Weekday, 0, len(c.Weekdays))
		for _, w := range c.Weekdays {
			out = append(out, w.Time())
		}
		return out
	}
	// DAILY, and any unknown schedule: every day, so nothing is held back.
	return []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
}

// Includes tells whether a settlement is due on d.
func (c PayoutCalendar) Includes(d domain.Date) bool {
	return slices.Contains(c.days(), d.Weekday())
}

// Next is the first payout day on or after d.
func (c PayoutCalendar) Next(d domain.Date) domain.Date {
	for i := range 7 {
		if day := d.AddDays(i); c.Includes(day) {
			return day
		}
	}
	return d // unreachable: every calendar has at least one weekday
}
