package domain

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Date is a calendar day, "2026-11-21", with no time zone: settlement and payout
// dates are days, and a day must not shift when a server's zone does. Its string form
// sorts chronologically, so storage compares dates as text.
type Date string

const dateLayout = "2006-01-02"

// ParseDate reads "2026-11-21".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date(t.Format(dateLayout)), nil
}

// DateOf is the UTC calendar day of an instant.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(dateLayout)) }

// Today is the current UTC day.
func Today() Date { return DateOf(time.Now()) }

// Time is midnight UTC of the day.
func (d Date) Time() time.Time {
	t, _ := time.Parse(dateLayout, string(d))
	return t
}

// AddDays is the day n days later (or earlier for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

func (d Date) String() string         { return string(d) }
func (d Date) Before(o Date) bool     { return d < o }
func (d Date) After(o Date) bool      { return d > o }
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }
func (d *Date) UnmarshalGQL(v any) (err error) {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("Date must be a string")
	}
	*d, err = ParseDate(s)
	return err
}

// Weekday is a day of the week for payout schedules.
type Weekday string

var weekdayValues = []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}

func (Weekday) Values() []string           { return weekdayValues }
func (w Weekday) MarshalGQL(out io.Writer) { writeQuoted(out, string(w)) }
func (w *Weekday) UnmarshalGQL(v any) (err error) {
	*w, err = unmarshalEnum[Weekday](v, weekdayValues, "Weekday")
	return err
}

// Time is the time package's weekday.
func (w Weekday) Time() time.Weekday {
	for i, v := range weekdayValues {
		if v == string(w) {
			return time.Weekday((i + 1) % 7)
		}
	}
	return -1
}

// Address is a postal address.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country"`
}
