/**
 * Calendar days as the API's `Date` strings ("2026-11-21") and their
 * conversion to instants for `Time` filters. Days are the user's local days:
 * "orders created on the 21st" means from local midnight to local midnight.
 */

/** Today as "YYYY-MM-DD" in the user's time zone. */
export function today(now: Date = new Date()): string {
  return dayOf(now);
}

export function dayOf(instant: Date): string {
  const y = instant.getFullYear();
  const m = String(instant.getMonth() + 1).padStart(2, '0');
  const d = String(instant.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** The day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return dayOf(new Date(y, m - 1, d + days));
}

/** Local midnight at the start of `day`, as RFC 3339 for a `Time` filter. */
export function startOfDay(day: string): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d).toISOString();
}

/** True for a well-formed "YYYY-MM-DD". */
export function isDay(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** The local calendar day of an RFC 3339 time. */
export function dayOfTime(time: string): string {
  const instant = new Date(time);
  return Number.isNaN(instant.getTime()) ? time.slice(0, 10) : dayOf(instant);
}
