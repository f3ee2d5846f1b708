import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatMoney, formatQuantity } from './format';

const nbsp = '\u00a0';

describe('formatMoney', () => {
  it.each([
    ['groups the integer part and keeps the cents', { amount: '1238.16', minor: 123816, currency: 'EUR' }, 'en-US', '€1,238.16'],
    ['uses the locale’s separators and symbol placement', { amount: '1238.16', minor: '123816', currency: 'EUR' }, 'de-DE', `1.238,16${nbsp}€`],
    ['keeps trailing zeros as given', { amount: '10.50', minor: 1050, currency: 'EUR' }, 'en-US', '€10.50'],
    ['shows zero', { amount: '0.00', minor: 0, currency: 'EUR' }, 'en-US', '€0.00'],
    ['shows a negative amount', { amount: '-1238.16', minor: -123816, currency: 'EUR' }, 'en-US', '-€1,238.16'],
    ['shows a negative amount below one', { amount: '-0.50', minor: -50, currency: 'EUR' }, 'en-US', '-€0.50'],
    ['drops the sign of a negative zero', { amount: '-0.00', minor: 0, currency: 'EUR' }, 'en-US', '€0.00'],
    ['formats a currency without decimals', { amount: '1238', minor: 1238, currency: 'JPY' }, 'en-US', '¥1,238'],
    ['formats a currency with three decimals', { amount: '12.345', minor: 12345, currency: 'KWD' }, 'en-US', `KWD${nbsp}12.345`],
  ])('%s', (_name, money, locale, expected) => {
    expect(formatMoney(money, locale)).toBe(expected);
  });

  // The glyphs (group separators, currency placement, spaces) come from the
  // runtime's locale data, which changes between ICU versions; so for other
  // locales compare with Intl's own rendering of a small, float-exact value.
  it.each([
    ['de-CH', 'CHF', '1238.25', 1238.25],
    ['fr-FR', 'EUR', '-98765.5', -98765.5],
    ['en-IN', 'INR', '12345678.75', 12345678.75],
    ['sv-SE', 'SEK', '1000000.00', 1000000],
  ])('renders %s %s like Intl does', (locale, currency, amount, value) => {
    const decimals = amount.split('.')[1]?.length ?? 0;
    const expected = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(value);
    expect(formatMoney({ amount, currency }, locale)).toBe(expected);
  });

  it('keeps every digit of amounts beyond float precision', () => {
    // 2^53 + 1 and a fraction no binary float can hold.
    const money = { amount: '9007199254740993.07', minor: '900719925474099307', currency: 'EUR' };
    expect(formatMoney(money, 'en-US')).toBe('€9,007,199,254,740,993.07');
    // 0.1 + 0.2 style drift cannot happen: the decimals are copied as given.
    expect(formatMoney({ amount: '0.30', currency: 'EUR' }, 'en-US')).toBe('€0.30');
  });

  it('shows malformed input rather than hiding it', () => {
    expect(formatMoney({ amount: '12,50', currency: 'EUR' }, 'en-US')).toBe('12,50 EUR');
    expect(formatMoney({ amount: '1e3', currency: 'EUR' }, 'en-US')).toBe('1e3 EUR');
    expect(formatMoney({ amount: '10.00', currency: 'not-a-currency' }, 'en-US')).toBe('10.00 not-a-currency');
  });
});

describe('formatQuantity', () => {
  it.each(['1.125', '2', '0.5', '10.000'])('shows %s as given', (quantity) => {
    expect(formatQuantity(quantity)).toBe(quantity);
  });
});

describe('formatDate', () => {
  it('formats a calendar date', () => {
    expect(formatDate('2026-11-21', 'en-US')).toBe('Nov 21, 2026');
    expect(formatDate('2026-11-21', 'de-DE')).toBe('21.11.2026');
  });

  it('shows the same day whatever the time zone', () => {
    // The date is formatted in UTC, so no zone west of UTC moves it to the 20th.
    expect(formatDate('2026-01-01', 'en-US')).toBe('Jan 1, 2026');
  });

  it('returns input that is not a valid date unchanged', () => {
    expect(formatDate('2026-02-30', 'en-US')).toBe('2026-02-30');
    expect(formatDate('yesterday', 'en-US')).toBe('yesterday');
  });
});

describe('formatDateTime', () => {
  it('formats an RFC 3339 time in the given zone', () => {
    // ICU versions differ in the space before AM/PM; compare words only.
    expect(formatDateTime('2026-11-21T13:05:00Z', 'en-US', 'UTC').replace(/\s/g, ' ')).toBe('Nov 21, 2026, 1:05 PM');
    expect(formatDateTime('2026-11-21T13:05:00Z', 'de-DE', 'Europe/Berlin')).toBe('21.11.2026, 14:05');
  });

  it('returns input that is not a time unchanged', () => {
    expect(formatDateTime('soon', 'en-US')).toBe('soon');
  });
});
