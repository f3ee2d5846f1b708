/**
 * Roles and what each one sees. PSP staff run the backoffice for all
 * merchants; merchant users see their own merchant only. The navigation and
 * the landing page follow from which of the two audiences a role belongs to.
 */

export const pspRoles = ['PSP_ADMIN', 'PSP_OPERATOR'] as const;
export const merchantRoles = ['MERCHANT_ADMIN', 'MERCHANT_OPERATOR', 'MERCHANT_VIEWER'] as const;

export type PspRole = (typeof pspRoles)[number];
export type MerchantRole = (typeof merchantRoles)[number];
export type Role = PspRole | MerchantRole;

/** Who a screen is for: the PSP's staff or a merchant's users. */
export type Audience = 'psp' | 'merchant';

export interface NavEntry {
  label: string;
  to: string;
}

export const navigation: Readonly<Record<Audience, readonly NavEntry[]>> = {
  psp: [
    { label: 'Merchants', to: '/merchants' },
    { label: 'Orders', to: '/orders' },
    { label: 'Settlement runs', to: '/settlements' },
    { label: 'Reconciliation', to: '/reconciliation' },
    { label: 'Users', to: '/users' },
    { label: 'Audit log', to: '/audit' },
  ],
  merchant: [
    { label: 'Orders', to: '/orders' },
    { label: 'Settlements', to: '/settlements' },
    { label: 'API keys', to: '/api-keys' },
    { label: 'Team', to: '/team' },
  ],
};

const roleLabels: Readonly<Record<Role, string>> = {
  PSP_ADMIN: 'PSP admin',
  PSP_OPERATOR: 'PSP operator',
  MERCHANT_ADMIN: 'Merchant admin',
  MERCHANT_OPERATOR: 'Merchant operator',
  MERCHANT_VIEWER: 'Merchant viewer',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(roleLabels, value);
}

export function audienceOf(role: Role): Audience {
  return (pspRoles as readonly string[]).includes(role) ? 'psp' : 'merchant';
}

export function navigationFor(role: Role): readonly NavEntry[] {
  return navigation[audienceOf(role)];
}

/** Where a user lands after signing in: the first entry of their navigation. */
export function homeFor(role: Role): string {
  return audienceOf(role) === 'psp' ? '/merchants' : '/orders';
}

export function roleLabel(role: Role): string {
  return roleLabels[role];
}
