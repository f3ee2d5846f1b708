/**
 * Client-side checks of decimal text inputs (quantities and money).
 *
 * The UI never turns a quantity or an amount into a JavaScript number: what
 * the user types is checked for its *format* only and sent to the server as
 * the string it is. Whether 1.5 may be fulfilled, or 12.34 refunded, is the
 * server's rule and comes back as a userError beside the field.
 */

const quantityPattern = /^\d+(?:\.\d{1,3})?$/;

/** Removes surrounding space; the text is otherwise sent exactly as typed. */
export function cleanDecimal(text: string): string {
  return text.trim();
}

/** True when every digit of a decimal string is zero ("0", "0.000"). */
export function isZeroDecimal(text: string): boolean {
  return /^[0.]*$/.test(cleanDecimal(text)) && /\d/.test(text);
}

/**
 * The problem with a quantity as typed, or null when it is a well-formed
 * positive quantity with at most three decimals ("2", "1.5", "0.125").
 */
export function quantityProblem(text: string): string | null {
  const value = cleanDecimal(text);
  if (value === '') {
    return 'Enter a quantity';
  }
  if (value.includes(',')) {
    return 'Use a dot for decimals, e.g. 1.5';
  }
  if (!/^\d*\.?\d*$/.test(value) || !/\d/.test(value)) {
    return 'Enter a number, e.g. 2 or 1.5';
  }
  if (!quantityPattern.test(value)) {
    return /\.\d{4,}$/.test(value) ? 'At most 3 decimals' : 'Enter a number, e.g. 2 or 1.5';
  }
  if (isZeroDecimal(value)) {
    return 'Must be more than 0';
  }
  return null;
}

/** The number of decimals a currency has (EUR 2, JPY 0, KWD 3). */
export function currencyDecimals(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * The problem with an amount of money as typed, or null when it is a
 * well-formed amount with no more decimals than the currency has.
 * `allowZero` admits "0" (a fixed fee of nothing).
 */
export function amountProblem(text: string, currency: string, { allowZero = false } = {}): string | null {
  const value = cleanDecimal(text);
  if (value === '') {
    return 'Enter an amount';
  }
  if (value.includes(',')) {
    return 'Use a dot for decimals, e.g. 12.50';
  }
  if (!/^\d+(?:\.\d+)?$/.test(value)) {
    return 'Enter an amount, e.g. 12.50';
  }
  const decimals = value.split('.')[1]?.length ?? 0;
  const allowed = currencyDecimals(currency);
  if (decimals > allowed) {
    return allowed === 0 ? `${currency} has no decimals` : `At most ${allowed} decimals for ${currency}`;
  }
  if (!allowZero && isZeroDecimal(value)) {
    return 'Must be more than 0';
  }
  return null;
}

/**
 * Compares two non-negative decimal strings exactly (no floats): -1, 0 or 1.
 * Used for display decisions only (is anything open?), never to refuse input.
 */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = cleanDecimal(a).replace(/^[+]/, '').split('.');
  const [bi = '0', bf = ''] = cleanDecimal(b).replace(/^[+]/, '').split('.');
  const width = Math.max(af.length, bf.length);
  const x = BigInt((ai || '0') + af.padEnd(width, '0'));
  const y = BigInt((bi || '0') + bf.padEnd(width, '0'));
  return x === y ? 0 : x < y ? -1 : 1;
}

/** A quantity string as thousandths (exact), for display arithmetic only. */
function thousandths(text: string): bigint {
  const [i = '0', f = ''] = cleanDecimal(text).split('.');
  return BigInt((i || '0') + f.padEnd(3, '0').slice(0, 3));
}

function quantityText(value: bigint): string {
  if (value <= 0n) {
    return '0';
  }
  const whole = value / 1000n;
  const frac = (value % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/** a − b for quantities ("2" − "0.5" = "1.5"), never below zero; display only. */
export function subtractQuantity(a: string, b: string): string {
  return quantityText(thousandths(a) - thousandths(b));
}

/** a + b for quantities; display only. */
export function addQuantity(a: string, b: string): string {
  return quantityText(thousandths(a) + thousandths(b));
}

/**
 * A fee percentage as typed ("2.9", "1.25") in basis points (290, 125), or
 * null when it is not a percentage with at most two decimals. Done on the
 * digits, so "0.29" is exactly 29 and never 28.999….
 */
export function percentToBps(text: string): number | null {
  const value = cleanDecimal(text);
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) {
    return null;
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const bps = whole * 100 + fraction;
  return bps <= 10000 ? bps : null;
}

/** Basis points as a percentage text: 290 → "2.9". */
export function bpsToPercent(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = String(bps % 100).padStart(2, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}
