/**
 * Words and colours for the API's enums, in one place so that every screen
 * names a status the same way. Unknown values (an enum value the server added
 * after this UI was built) are shown as they come, in grey.
 */

export interface EnumStyle {
  label: string;
  color: string;
}

type Styles = Readonly<Record<string, EnumStyle>>;

/** One enum's table, written as [value, label, colour] rows. */
function styles(rows: readonly (readonly [value: string, label: string, color: string])[]): Styles {
  return Object.fromEntries(rows.map(([value, label, color]) => [value, { label, color }]));
}

export const orderStatus = styles([
  ['PENDING', 'Pending', 'yellow'],
  ['CONFIRMED', 'Confirmed', 'green'],
  ['FAILED', 'Failed', 'red'],
  ['CANCELLED', 'Cancelled', 'gray'],
]);

export const fulfilmentStatus = styles([
  ['UNFULFILLED', 'Unfulfilled', 'gray'],
  ['PARTIALLY_FULFILLED', 'Partially fulfilled', 'blue'],
  ['FULFILLED', 'Fulfilled', 'teal'],
]);

export const operationStatus = styles([
  ['PENDING', 'Pending', 'yellow'],
  ['SUCCEEDED', 'Succeeded', 'green'],
  ['FAILED', 'Failed', 'red'],
]);

export const activationStatus = styles([
  ['PENDING', 'Pending', 'yellow'],
  ['ACTIVE', 'Active', 'green'],
  ['REJECTED', 'Rejected', 'red'],
]);

export const settlementStatus = styles([
  ['PENDING', 'Pending payout', 'blue'],
  ['PAID', 'Paid', 'green'],
  ['MERCHANT_OWES', 'Merchant owes', 'orange'],
  ['SETTLED', 'Settled', 'teal'],
]);

export const merchantStatus = styles([
  ['ONBOARDING', 'Onboarding', 'blue'],
  ['ACTIVE', 'Active', 'green'],
  ['SUSPENDED', 'Suspended', 'red'],
]);

export const refundType = styles([
  ['RETURN', 'Return', 'grape'],
  ['CANCEL', 'Cancel', 'gray'],
  ['AUTO', 'Automatic', 'indigo'],
]);

export const entryKind = styles([
  ['ORDER', 'Order', 'blue'],
  ['FULFILMENT', 'Fulfilment', 'teal'],
  ['REFUND', 'Refund', 'grape'],
  ['FEE', 'Fee', 'gray'],
  ['OWED', 'Owed earlier', 'orange'],
]);

export const actorType = styles([
  ['USER', 'User', 'indigo'],
  ['API_KEY', 'API key', 'cyan'],
  ['SYSTEM', 'System', 'gray'],
]);

export const providerLabels: Readonly<Record<string, string>> = {
  BILLIE: 'Billie',
  PAYWERK: 'Paywerk',
  BILLWERK: 'Billwerk+',
  BETTERPAYMENT: 'Better Payment',
};

export const productTypeLabels: Readonly<Record<string, string>> = {
  PAY_NOW_CARD: 'Card (pay now)',
  INVOICE: 'Invoice',
  SLICE: 'Instalments',
};

export const scheduleLabels: Readonly<Record<string, string>> = {
  DAILY: 'Daily',
  WEEKLY: 'Weekly',
  WEEKDAYS: 'On chosen weekdays',
};

export const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

export const roleOptions = [
  { value: 'MERCHANT_ADMIN', label: 'Merchant admin' },
  { value: 'MERCHANT_OPERATOR', label: 'Merchant operator' },
  { value: 'MERCHANT_VIEWER', label: 'Merchant viewer' },
] as const;

export function styleOf(styles: Styles, value: string): EnumStyle {
  return styles[value] ?? { label: value, color: 'gray' };
}

export function labelOf(labels: Readonly<Record<string, string>>, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  return labels[value] ?? value;
}

/** "MONDAY" → "Monday". */
export function weekdayLabel(day: string): string {
  return day.charAt(0) + day.slice(1).toLowerCase();
}

/** The options of a Select or MultiSelect for an enum. */
export function optionsOf(styles: Styles | Readonly<Record<string, string>>): { value: string; label: string }[] {
  return Object.entries(styles).map(([value, style]) => ({
    value,
    label: typeof style === 'string' ? style : style.label,
  }));
}
