import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../../test/renderUi';
import { firstOpenStep } from './Checklist';
import { CompanyForm, companyFieldTranslator, companyInputOf, companyValuesOf, initialCompanyValues } from './CompanyForm';

describe('company input', () => {
  it('sends one weekday for a weekly payout, the enabled fees only, and percentages as basis points', () => {
    const values = { ...initialCompanyValues('EE'), legalName: ' Lumi OÜ ', iban: 'ee38 2200 2210 2014 5685', weeklyDay: 'TUESDAY' };
    const input = companyInputOf(values);
    expect(input).toMatchObject({
      legalName: 'Lumi OÜ',
      country: 'EE',
      iban: 'EE382200221020145685',
      payoutSchedule: 'WEEKLY',
      payoutWeekdays: ['TUESDAY'],
      registrationNumber: null,
      payNowDelayDays: 2,
      payLaterDelayDays: 7,
      fees: [
        { productType: 'PAY_NOW_CARD', percentBps: 140, fixed: '0.25' },
        { productType: 'INVOICE', percentBps: 290, fixed: '0.35' },
      ],
    });
  });

  it('sends no weekdays for a daily payout and the chosen ones, in week order, for weekdays', () => {
    expect(companyInputOf({ ...initialCompanyValues(), payoutSchedule: 'DAILY' }).payoutWeekdays).toBeNull();
    expect(companyInputOf({ ...initialCompanyValues(), payoutSchedule: 'WEEKDAYS', payoutWeekdays: ['FRIDAY', 'MONDAY'] }).payoutWeekdays).toEqual([
      'MONDAY',
      'FRIDAY',
    ]);
  });

  it('maps the server’s fee index to the row of the enabled fee', () => {
    const values = initialCompanyValues();
    values.fees = values.fees.map((f) => ({ ...f, enabled: f.productType !== 'PAY_NOW_CARD' }));
    const translate = companyFieldTranslator(values);
    // Sent fees: [INVOICE (row 1), SLICE (row 2)].
    expect(translate(['fees', '1', 'fixed'])).toBe('fees.2.fixed');
    expect(translate(['fees', '0', 'percentBps'])).toBe('fees.1.percent');
    expect(translate(['iban'])).toBe('iban');
    expect(translate(['payoutWeekdays'])).toBe('weeklyDay');
    expect(translate(['merchantId'])).toBeUndefined();
  });
});

describe('correcting a company', () => {
  it('fills the form from the company and sends the same data back', () => {
    const company = {
      legalName: 'Bergmann Bürobedarf GmbH',
      country: 'DE',
      registrationNumber: 'HRB 123456',
      vatID: null,
      iban: 'DE89370400440532013000',
      payoutSchedule: 'WEEKDAYS',
      payoutWeekdays: ['MONDAY', 'THURSDAY'],
      payNowDelayDays: 2,
      payLaterDelayDays: 7,
      fees: [{ productType: 'INVOICE', percentBps: 290, fixed: { amount: '0.35' } }],
    };
    const values = companyValuesOf(company);
    expect(values.iban).toBe('DE89 3704 0044 0532 0130 00');
    expect(values.fees.map((f) => [f.productType, f.enabled, f.percent])).toEqual([
      ['PAY_NOW_CARD', false, '1.4'],
      ['INVOICE', true, '2.9'],
      ['SLICE', false, '3.9'],
    ]);
    expect(companyInputOf(values)).toEqual({
      legalName: 'Bergmann Bürobedarf GmbH',
      country: 'DE',
      registrationNumber: 'HRB 123456',
      vatId: null,
      iban: 'DE89370400440532013000',
      financeEmail: null,
      payoutSchedule: 'WEEKDAYS',
      payoutWeekdays: ['MONDAY', 'THURSDAY'],
      payNowDelayDays: 2,
      payLaterDelayDays: 7,
      fees: [{ productType: 'INVOICE', percentBps: 290, fixed: '0.35' }],
    });
  });
});

describe('company form', () => {
  it('checks the IBAN before sending, then shows the server’s refusal beside its field', async () => {
    const onSubmit = vi.fn(async () => [{ code: 'VALIDATION', field: ['input', 'registrationNumber'], message: 'Already used by another company' }]);
    renderUi(<CompanyForm defaultCountry="EE" onSubmit={onSubmit} />);
    const user = userEvent.setup();
    const fill = async (field: HTMLElement, text: string) => {
      await user.clear(field);
      await user.click(field);
      await user.paste(text);
    };
    await fill(screen.getByLabelText(/Legal name/), 'Lumi OÜ');
    await fill(screen.getByLabelText(/IBAN/), 'EE38 2200 2210 2014 5686');
    await user.click(screen.getByRole('button', { name: 'Add company' }));
    expect(await screen.findByText('This IBAN has a typo: its check digits do not match')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    await fill(screen.getByLabelText(/IBAN/), 'EE38 2200 2210 2014 5685');
    await fill(screen.getByLabelText('Registration number'), '14412345');
    await user.click(screen.getByRole('button', { name: 'Add company' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(await screen.findByText('Already used by another company')).toBeInTheDocument();
    expect(screen.getByLabelText('Registration number')).toHaveAttribute('aria-invalid', 'true');
  });

  it('refuses a fixed fee with more decimals than the currency has', async () => {
    const onSubmit = vi.fn(async () => []);
    renderUi(<CompanyForm defaultCountry="EE" onSubmit={onSubmit} />);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Legal name/));
    await user.paste('Lumi OÜ');
    await user.click(screen.getByLabelText(/IBAN/));
    await user.paste('EE382200221020145685');
    const fixed = screen.getByLabelText('Fixed fee for Invoice');
    await user.clear(fixed);
    await user.paste('0.355');
    await user.click(screen.getByRole('button', { name: 'Add company' }));
    expect(await screen.findByText('At most 2 decimals for EUR')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe('the wizard opens at the first open step of the checklist', () => {
  const item = (key: string, done: boolean, blocking = true) => ({ key, done, blocking, message: key, companyId: null, provider: null });
  it.each([
    ['no company yet', [item('add_company', false), item('add_shop', false)], 1],
    ['a company without a shop', [item('add_company', true), item('add_shop', false), item('activation', false)], 2],
    ['only activation missing', [item('add_company', true), item('add_shop', true), item('activation_rejected', false)], 3],
    ['advice only', [item('add_company', true), item('fee_plan', false, false)], 4],
    ['everything done', [item('add_company', true)], 4],
  ])('%s → step %d', (_name, checklist, step) => {
    expect(firstOpenStep(checklist)).toBe(step);
  });
});
