import { describe, expect, it } from 'vitest';
import { fieldsNamed, formPathOf, mapUserErrors } from './userErrors';

describe('formPathOf', () => {
  it.each([
    ['drops the input argument', ['input', 'items', '0', 'quantity'], 'items.0.quantity'],
    ['keeps a path without it', ['iban'], 'iban'],
    ['has no path for the input itself', ['input'], undefined],
    ['has no path without a field', null, undefined],
    ['has no path for an empty field', [], undefined],
  ])('%s', (_name, field, expected) => {
    expect(formPathOf(field)).toBe(expected);
  });
});

describe('mapUserErrors', () => {
  const translate = fieldsNamed(['name', 'iban', 'billingAddress.country', 'fees']);

  it('puts each error beside its field', () => {
    const mapped = mapUserErrors(
      [
        { code: 'VALIDATION', field: ['input', 'iban'], message: 'IBAN checksum is wrong' },
        { code: 'VALIDATION', field: ['input', 'name'], message: 'Name is required' },
      ],
      translate,
    );
    expect(mapped.fields).toEqual({ iban: 'IBAN checksum is wrong', name: 'Name is required' });
    expect(mapped.general).toEqual([]);
  });

  it('lands a nested path on the nearest field the form has', () => {
    const mapped = mapUserErrors([{ code: 'VALIDATION', field: ['input', 'fees', '2', 'fixed'], message: 'Too many decimals' }], translate);
    expect(mapped.fields).toEqual({ fees: 'Too many decimals' });
  });

  it('keeps an exact nested field', () => {
    const mapped = mapUserErrors([{ code: 'VALIDATION', field: ['input', 'billingAddress', 'country'], message: 'Unknown country' }], translate);
    expect(mapped.fields).toEqual({ 'billingAddress.country': 'Unknown country' });
  });

  it('returns errors without a field, or with a field the form lacks, as general messages', () => {
    const mapped = mapUserErrors(
      [
        { code: 'CONFLICT', field: null, message: 'Already exists' },
        { code: 'NOT_FOUND', field: ['input', 'merchantId'], message: 'No such merchant' },
      ],
      translate,
    );
    expect(mapped.fields).toEqual({});
    expect(mapped.general).toEqual(['Already exists', 'No such merchant']);
  });

  it('joins two errors on one field', () => {
    const mapped = mapUserErrors(
      [
        { code: 'VALIDATION', field: ['input', 'iban'], message: 'Too short' },
        { code: 'VALIDATION', field: ['input', 'iban'], message: 'Wrong country' },
      ],
      translate,
    );
    expect(mapped.fields['iban']).toBe('Too short; Wrong country');
  });

  it('lets a form translate list indexes to its own rows', () => {
    // The form sent rows 1 and 3 of its table as items 0 and 1.
    const rows = [1, 3];
    const mapped = mapUserErrors(
      [{ code: 'QUANTITY_EXCEEDS_REMAINING', field: ['input', 'items', '1', 'quantity'], message: 'Only 2 open' }],
      (path) => (path[0] === 'items' ? `items.${rows[Number(path[1])]}.quantity` : undefined),
    );
    expect(mapped.fields).toEqual({ 'items.3.quantity': 'Only 2 open' });
  });
});
