import { describe, expect, it } from 'vitest';
import { audienceOf, homeFor, isRole, navigationFor, type Role } from './roles';

describe('roles', () => {
  it.each<[Role, string[], string]>([
    ['PSP_ADMIN', ['Merchants', 'Orders', 'Settlement runs', 'Reconciliation', 'Users', 'Audit log'], '/merchants'],
    ['PSP_OPERATOR', ['Merchants', 'Orders', 'Settlement runs', 'Reconciliation', 'Users', 'Audit log'], '/merchants'],
    ['MERCHANT_ADMIN', ['Orders', 'Settlements', 'API keys', 'Team'], '/orders'],
    ['MERCHANT_OPERATOR', ['Orders', 'Settlements', 'API keys', 'Team'], '/orders'],
    ['MERCHANT_VIEWER', ['Orders', 'Settlements', 'API keys', 'Team'], '/orders'],
  ])('%s sees %j and lands on %s', (role, labels, home) => {
    expect(navigationFor(role).map((entry) => entry.label)).toEqual(labels);
    expect(homeFor(role)).toBe(home);
    expect(navigationFor(role).map((entry) => entry.to)).toContain(home);
  });

  it('tells PSP staff from merchant users', () => {
    expect(audienceOf('PSP_OPERATOR')).toBe('psp');
    expect(audienceOf('MERCHANT_VIEWER')).toBe('merchant');
  });

  it('accepts only known roles', () => {
    expect(isRole('PSP_ADMIN')).toBe(true);
    expect(isRole('ADMIN')).toBe(false);
    expect(isRole('toString')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
