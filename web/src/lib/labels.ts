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

export const orderStatus: Styles = {
  PENDING: { label: 'Pending', color: 'yellow' },
  CONFIRMED: { label: 'Confirmed', color: 'green' },
  FAILED: { label: 'Failed', color: 'red' },
  CANCELLED: { label: 'Cancelled', color: 'gray' },
};

export const fulfilmentStatus: Styles = {
  UNFULFILLED: { label: 'Unfulfilled', color: 'gray' },
  PARTIALLY_FULFILLED: { label: 'Partially fulfilled', color: 'blue' },
  FULFILLED: { label: 'Fulfilled', color: 'teal' },
};

export const operationStatus: Styles = {
  PENDING: { label: 'Pending', color: 'yellow' },
  SUCCEEDED: { label: 'Succeeded', color: 'green' },
  FAILED: { label: 'Failed', color: 'red' },
};

export const activationStatus: Styles = {
  PENDING: { label: 'Pending', color: 'yellow' },
  ACTIVE: { label: 'Active', color: 'green' },
  REJECTED: { label: 'Rejected', color: 'red' },
};

export const settlementStatus: Styles = {
  PENDING: { label: 'Pending payout', color: 'blue' },
  PAID: { label: 'Paid', color: 'green' },
  MERCHANT_OWES: { label: 'Merchant owes', color: 'orange' },
  SETTLED: { label: 'Settled', color: 'teal' },
};

export const merchantStatus: Styles = {
  ONBOARDING: { label: 'Onboarding', color: 'blue' },
  ACTIVE: { label: 'Active', color: 'green' },
  SUSPENDED: { label: 'Suspended', color: 'red' },
};

export const refundType: Styles = {
  RETURN: { label: 'Return', color: 'grape' },
  CANCEL: { label: 'Cancel', color: 'gray' },
  AUTO: { label: 'Automatic', color: 'indigo' },
};

export const entryKind: Styles = {
  ORDER: { label: 'Order', color: 'blue' },
  FULFILMENT: { label: 'Fulfilment', color: 'teal' },
  REFUND: { label: 'Refund', color: 'grape' },
  FEE: { label: 'Fee', color: 'gray' },
  OWED: { label: 'Owed earlier', color: 'orange' },
};

export const actorType: Styles = {
  USER: { label: 'User', color: 'indigo' },
  API_KEY: { label: 'API key', color: 'cyan' },
  SYSTEM: { label: 'System', color: 'gray' },
};

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
