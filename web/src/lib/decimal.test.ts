import { describe, expect, it } from 'vitest';
import { amountProblem, compareDecimal, currencyDecimals, quantityProblem, subtractQuantity } from './decimal';

describe('quantityProblem', () => {
  it.each([
    ['a whole number', '2'],
    ['a half', '1.5'],
    ['three decimals', '0.125'],
    ['surrounding space', ' 3 '],
  ])('accepts %s', (_name, text) => {
    expect(quantityProblem(text)).toBeNull();
  });

  it.each([
    ['nothing', '', 'Enter a quantity'],
    ['four decimals', '1.1255', 'At most 3 decimals'],
    ['a decimal comma', '1,5', 'Use a dot for decimals, e.g. 1.5'],
    ['zero', '0', 'Must be more than 0'],
    ['zero with decimals', '0.000', 'Must be more than 0'],
    ['a negative number', '-1', 'Enter a number, e.g. 2 or 1.5'],
    ['letters', 'two', 'Enter a number, e.g. 2 or 1.5'],
    ['an exponent', '1e3', 'Enter a number, e.g. 2 or 1.5'],
    ['a lone dot', '.', 'Enter a number, e.g. 2 or 1.5'],
    ['a leading dot (the server wants 0.5)', '.5', 'Enter a number, e.g. 2 or 1.5'],
    ['a trailing dot', '2.', 'Enter a number, e.g. 2 or 1.5'],
    ['two dots', '1.2.3', 'Enter a number, e.g. 2 or 1.5'],
  ])('refuses %s', (_name, text, message) => {
    expect(quantityProblem(text)).toBe(message);
  });
});

describe('amountProblem', () => {
  it.each([
    ['cents in EUR', '12.34', 'EUR'],
    ['whole euros', '12', 'EUR'],
    ['whole yen', '1200', 'JPY'],
    ['three decimals in KWD', '1.125', 'KWD'],
  ])('accepts %s', (_name, text, currency) => {
    expect(amountProblem(text, currency)).toBeNull();
  });

  it.each([
    ['three decimals in EUR', '12.345', 'EUR', 'At most 2 decimals for EUR'],
    ['decimals in JPY', '12.5', 'JPY', 'JPY has no decimals'],
    ['a decimal comma', '12,50', 'EUR', 'Use a dot for decimals, e.g. 12.50'],
    ['a negative amount', '-5', 'EUR', 'Enter an amount, e.g. 12.50'],
    ['zero', '0.00', 'EUR', 'Must be more than 0'],
  ])('refuses %s', (_name, text, currency, message) => {
    expect(amountProblem(text, currency)).toBe(message);
  });

  it('accepts zero where allowed (a fixed fee of nothing)', () => {
    expect(amountProblem('0', 'EUR', { allowZero: true })).toBeNull();
  });

  it('knows the decimals of currencies', () => {
    expect(currencyDecimals('EUR')).toBe(2);
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('nope')).toBe(2);
  });
});

describe('exact decimal arithmetic for display', () => {
  it.each([
    ['2', '0.5', '1.5'],
    ['3', '3', '0'],
    ['1', '2', '0'],
    ['10.125', '0.125', '10'],
    ['0.3', '0.1', '0.2'],
  ])('%s − %s = %s', (a, b, expected) => {
    expect(subtractQuantity(a, b)).toBe(expected);
  });

  it.each([
    ['1.5', '1.50', 0],
    ['0.1', '0.09', 1],
    ['2', '10', -1],
  ])('compares %s with %s', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
  });
});
