import { describe, expect, it } from 'vitest';
import { formatIban, ibanProblem } from './iban';
import { bpsToPercent, percentToBps } from './decimal';

describe('ibanProblem', () => {
  it.each(['DE89370400440532013000', 'de89 3704 0044 0532 0130 00', 'EE382200221020145685', 'GB29 NWBK 6016 1331 9268 19'])('accepts %s', (iban) => {
    expect(ibanProblem(iban)).toBeNull();
  });

  it.each([
    ['nothing', '', 'Enter the IBAN'],
    ['a wrong check digit', 'DE89370400440532013001', 'This IBAN has a typo: its check digits do not match'],
    ['no country code', '89370400440532013000', 'An IBAN starts with the country code and two check digits, e.g. DE89 3704 0044 0532 0130 00'],
    ['too short', 'DE8937', 'An IBAN starts with the country code and two check digits, e.g. DE89 3704 0044 0532 0130 00'],
  ])('refuses %s', (_name, iban, message) => {
    expect(ibanProblem(iban)).toBe(message);
  });

  it('groups an IBAN in fours for reading', () => {
    expect(formatIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
  });
});

describe('fee percentages', () => {
  it.each([
    ['2.9', 290],
    ['0.29', 29],
    ['1.25', 125],
    ['3', 300],
    ['100', 10000],
    ['0', 0],
  ])('%s %% is %d basis points, exactly', (text, bps) => {
    expect(percentToBps(text)).toBe(bps);
    expect(percentToBps(bpsToPercent(bps))).toBe(bps);
  });

  it.each(['2.925', '101', '-1', '2,9', 'abc', ''])('refuses %j', (text) => {
    expect(percentToBps(text)).toBeNull();
  });
});
