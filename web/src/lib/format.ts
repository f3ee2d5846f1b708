/**
 * Display formatting for the API's values.
 *
 * Money arrives as a decimal string ("1238.16") and is formatted from that
 * string, never through a JavaScript number: the integer digits are grouped by
 * Intl.NumberFormat as a BigInt (exact at any size) and the decimals are kept
 * exactly as the server sent them. Intl only contributes the locale's symbols,
 * separators and sign/currency placement.
 */

/** The GraphQL `Money` type. `minor` is not needed for display. */
export interface Money {
  amount: string;
  minor?: string | number;
  currency: string;
}

const decimalPattern = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Formats money in the locale (default: the browser's), e.g.
 * `{ amount: "1238.16", currency: "EUR" }` → "€1,238.16" in en-US and
 * "1.238,16 €" in de-DE. An amount that is not a decimal string, or an
 * unknown currency, is shown as "<amount> <currency>" rather than hidden.
 */
export function formatMoney(money: Money, locale?: string): string {
  const fallback = `${money.amount} ${money.currency}`;
  const match = decimalPattern.exec(money.amount.trim());
  if (!match) {
    return fallback;
  }
  const [, sign, integerDigits = '0', fractionDigits = ''] = match;
  const isNegative = sign === '-' && /[1-9]/.test(integerDigits + fractionDigits);

  let formatter: Intl.NumberFormat;
  try {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: money.currency,
      minimumFractionDigits: fractionDigits.length,
      maximumFractionDigits: fractionDigits.length,
    });
  } catch {
    return fallback;
  }

  const integer = BigInt(integerDigits);
  // A BigInt has no negative zero, so "-0.50" formats the number -0 instead
  // (its digits are all zeros, so nothing is lost to floating point).
  const value: number | bigint = isNegative ? (integer === 0n ? -0 : -integer) : integer;
  return formatter
    .formatToParts(value)
    .map((part) => (part.type === 'fraction' ? fractionDigits : part.value))
    .join('');
}

/**
 * Formats a `Quantity` ("1.125", "2", "0.5"). Quantities are shown exactly as
 * the server sends them: no rounding, no padding, no trailing zeros added.
 */
export function formatQuantity(quantity: string): string {
  return quantity;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Formats a GraphQL `Date` ("2026-11-21") as a calendar date. It is a day,
 * not an instant, so it is shown as the same day in every time zone.
 */
export function formatDate(date: string, locale?: string): string {
  const match = datePattern.exec(date);
  if (!match) {
    return date;
  }
  const [, year, month, day] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined) {
    return date;
  }
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  if (instant.getUTCMonth() !== month - 1 || instant.getUTCDate() !== day) {
    return date;
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(instant);
}

/**
 * Formats a GraphQL `Time` (RFC 3339) as date and time in the viewer's time
 * zone, or in `timeZone` (an IANA name) when given.
 */
export function formatDateTime(time: string, locale?: string, timeZone?: string): string {
  const instant = new Date(time);
  if (Number.isNaN(instant.getTime())) {
    return time;
  }
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  if (timeZone !== undefined) {
    options.timeZone = timeZone;
  }
  return new Intl.DateTimeFormat(locale, options).format(instant);
}
