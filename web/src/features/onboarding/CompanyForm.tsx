import { Checkbox, Chip, Grid, Group, NumberInput, Paper, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { countryOptions } from '../../lib/countries';
import { amountProblem, bpsToPercent, percentToBps } from '../../lib/decimal';
import { compactIban, formatIban, ibanProblem } from '../../lib/iban';
import { productTypeLabels, weekdayLabel, weekdays } from '../../lib/labels';
import { useGuardedSubmit } from '../../lib/guardedSubmit';
import { mapUserErrors, type UserErrorLike } from '../../lib/userErrors';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';

const productTypes = ['PAY_NOW_CARD', 'INVOICE', 'SLICE'] as const;

export interface FeeValues {
  productType: (typeof productTypes)[number];
  enabled: boolean;
  percent: string;
  fixed: string;
}

export interface CompanyValues {
  legalName: string;
  country: string;
  registrationNumber: string;
  vatId: string;
  iban: string;
  financeEmail: string;
  payoutSchedule: 'DAILY' | 'WEEKLY' | 'WEEKDAYS';
  weeklyDay: string;
  payoutWeekdays: string[];
  payNowDelayDays: number | string;
  payLaterDelayDays: number | string;
  fees: FeeValues[];
}

/** AddCompanyInput without merchantId, as the API names it (docs/api.md). */
export interface CompanyInputDraft {
  legalName: string;
  country: string;
  registrationNumber: string | null;
  vatId: string | null;
  iban: string;
  /** null leaves a stored one alone on update. */
  financeEmail: string | null;
  payoutSchedule: 'DAILY' | 'WEEKLY' | 'WEEKDAYS';
  payoutWeekdays: string[] | null;
  payNowDelayDays: number;
  payLaterDelayDays: number;
  fees: { productType: string; percentBps: number; fixed: string }[];
}

export function initialCompanyValues(country = ''): CompanyValues {
  return {
    legalName: '',
    country,
    registrationNumber: '',
    vatId: '',
    iban: '',
    financeEmail: '',
    payoutSchedule: 'WEEKLY',
    weeklyDay: 'FRIDAY',
    payoutWeekdays: ['MONDAY', 'THURSDAY'],
    payNowDelayDays: 2,
    payLaterDelayDays: 7,
    fees: [
      { productType: 'PAY_NOW_CARD', enabled: true, percent: '1.4', fixed: '0.25' },
      { productType: 'INVOICE', enabled: true, percent: '2.9', fixed: '0.35' },
      { productType: 'SLICE', enabled: false, percent: '3.9', fixed: '0.35' },
    ],
  };
}

/** The form's values for an existing company (to correct it, e.g. after a rejected activation). */
export function companyValuesOf(company: {
  legalName: string;
  country: string;
  registrationNumber?: string | null;
  vatID?: string | null;
  iban: string;
  financeEmail?: string | null;
  payoutSchedule: string;
  payoutWeekdays: readonly string[];
  payNowDelayDays: number;
  payLaterDelayDays: number;
  fees?: readonly { productType: string; percentBps: number; fixed: { amount: string } }[] | null;
}): CompanyValues {
  const defaults = initialCompanyValues(company.country);
  const schedule = (['DAILY', 'WEEKLY', 'WEEKDAYS'] as const).find((s) => s === company.payoutSchedule) ?? 'DAILY';
  return {
    ...defaults,
    legalName: company.legalName,
    registrationNumber: company.registrationNumber ?? '',
    vatId: company.vatID ?? '',
    iban: formatIban(company.iban),
    financeEmail: company.financeEmail ?? '',
    payoutSchedule: schedule,
    weeklyDay: company.payoutWeekdays[0] ?? defaults.weeklyDay,
    payoutWeekdays: schedule === 'WEEKDAYS' ? [...company.payoutWeekdays] : defaults.payoutWeekdays,
    payNowDelayDays: company.payNowDelayDays,
    payLaterDelayDays: company.payLaterDelayDays,
    fees: defaults.fees.map((fee) => {
      const existing = company.fees?.find((f) => f.productType === fee.productType);
      return existing ? { ...fee, enabled: true, percent: bpsToPercent(existing.percentBps), fixed: existing.fixed.amount } : { ...fee, enabled: false };
    }),
  };
}

/** The mutation input for the form's values (validated first). */
export function companyInputOf(values: CompanyValues): CompanyInputDraft {
  const weekdaysOf = (): string[] | null => {
    switch (values.payoutSchedule) {
      case 'WEEKLY':
        return [values.weeklyDay];
      case 'WEEKDAYS':
        return weekdays.filter((d) => values.payoutWeekdays.includes(d));
      default:
        return null;
    }
  };
  return {
    legalName: values.legalName.trim(),
    country: values.country,
    registrationNumber: values.registrationNumber.trim() || null,
    vatId: values.vatId.trim() || null,
    iban: compactIban(values.iban),
    financeEmail: values.financeEmail.trim() || null,
    payoutSchedule: values.payoutSchedule,
    payoutWeekdays: weekdaysOf(),
    payNowDelayDays: Number(values.payNowDelayDays),
    payLaterDelayDays: Number(values.payLaterDelayDays),
    fees: values.fees
      .filter((f) => f.enabled)
      .map((f) => ({ productType: f.productType, percentBps: percentToBps(f.percent) ?? 0, fixed: f.fixed.trim() })),
  };
}

const delayProblem = (value: number | string) =>
  value === '' || !Number.isInteger(Number(value)) || Number(value) < 0 || Number(value) > 365 ? 'Days between 0 and 365' : null;

/**
 * Where a server field of AddCompanyInput lands in this form. Fees are sent
 * for the enabled product types only, so ["fees", "1", "fixed"] is the second
 * *enabled* fee row.
 */
export function companyFieldTranslator(values: CompanyValues) {
  const enabledRows = values.fees.flatMap((f, row) => (f.enabled ? [row] : []));
  const simple = ['legalName', 'country', 'registrationNumber', 'vatId', 'iban', 'financeEmail', 'payoutSchedule', 'payNowDelayDays', 'payLaterDelayDays'];
  return (path: readonly string[]): string | undefined => {
    const [head, index, leaf] = path;
    if (head === undefined) {
      return undefined;
    }
    if (simple.includes(head)) {
      return head;
    }
    if (head === 'payoutWeekdays') {
      return values.payoutSchedule === 'WEEKLY' ? 'weeklyDay' : 'payoutWeekdays';
    }
    if (head === 'fees' && index !== undefined) {
      const row = enabledRows[Number(index)];
      if (row === undefined) {
        return undefined;
      }
      return `fees.${row}.${leaf === 'percentBps' ? 'percent' : leaf === 'fixed' ? 'fixed' : 'percent'}`;
    }
    return undefined;
  };
}

/**
 * A company (legal entity) of a merchant: registration, IBAN, payout schedule
 * and delays, and fees per product type. `onSubmit` runs addCompany and
 * answers its userErrors, which are shown beside the fields.
 */
export function CompanyForm({
  defaultCountry,
  initial,
  currency = 'EUR',
  onSubmit,
  onCancel,
  submitLabel = 'Add company',
}: {
  defaultCountry?: string;
  /** Values of an existing company, when the form corrects it. */
  initial?: CompanyValues;
  currency?: string;
  onSubmit: (input: CompanyInputDraft) => Promise<readonly UserErrorLike[]>;
  onCancel?: () => void;
  submitLabel?: string;
}) {
  const { general, setGeneral, submitting, guard } = useGuardedSubmit();
  const form = useForm<CompanyValues>({
    mode: 'controlled',
    initialValues: initial ?? initialCompanyValues(defaultCountry),
    validate: {
      legalName: isNotEmpty('Enter the legal name'),
      country: isNotEmpty('Choose the country'),
      iban: ibanProblem,
      payoutWeekdays: (value, values) => (values.payoutSchedule === 'WEEKDAYS' && value.length === 0 ? 'Choose at least one weekday' : null),
      payNowDelayDays: delayProblem,
      payLaterDelayDays: delayProblem,
      fees: {
        percent: (value, values, path) => {
          const row = Number(path.split('.')[1]);
          if (!values.fees[row]?.enabled) {
            return null;
          }
          return percentToBps(value) === null ? 'A percentage with at most 2 decimals, e.g. 2.9' : null;
        },
        fixed: (value, values, path) => {
          const row = Number(path.split('.')[1]);
          return values.fees[row]?.enabled ? amountProblem(value, currency, { allowZero: true }) : null;
        },
      },
    },
  });

  const submit = (values: CompanyValues) =>
    guard(async () => {
    const errors = await onSubmit(companyInputOf(values));
    if (errors.length > 0) {
      const mapped = mapUserErrors(errors, companyFieldTranslator(values));
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
    } else if (!initial) {
      form.reset();
    }
    });

  const schedule = form.values.payoutSchedule;
  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
      <Stack gap="lg">
        <RefusalAlert title={initial ? 'The company was not saved' : 'The company was not added'} messages={general} />
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <TextInput label="Legal name" placeholder="Bergmann Bürobedarf GmbH" withAsterisk {...form.getInputProps('legalName')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Select label="Country" data={countryOptions()} searchable withAsterisk {...form.getInputProps('country')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <TextInput label="Registration number" placeholder="HRB 123456" {...form.getInputProps('registrationNumber')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <TextInput label="VAT id" placeholder="DE123456789" {...form.getInputProps('vatId')} />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput
              label="IBAN"
              description="Payouts are transferred to this account"
              placeholder="DE89 3704 0044 0532 0130 00"
              withAsterisk
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              autoComplete="off"
              {...form.getInputProps('iban')}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput
              label="Finance e-mail"
              description="Where owed settlement balances are e-mailed; the merchant's e-mail when empty"
              placeholder="finance@example.com"
              type="email"
              {...form.getInputProps('financeEmail')}
            />
          </Grid.Col>
        </Grid>

        <Paper withBorder radius="md" p="md" bg="var(--mantine-color-gray-0)">
          <Stack gap="sm">
            <Text fw={600} size="sm">
              Payouts
            </Text>
            <SegmentedControl
              aria-label="Payout schedule"
              data={[
                { value: 'DAILY', label: 'Daily' },
                { value: 'WEEKLY', label: 'Weekly' },
                { value: 'WEEKDAYS', label: 'Chosen weekdays' },
              ]}
              w="fit-content"
              {...form.getInputProps('payoutSchedule')}
            />
            {schedule === 'WEEKLY' && (
              <Select
                label="Payout day"
                data={weekdays.map((d) => ({ value: d, label: weekdayLabel(d) }))}
                allowDeselect={false}
                w={220}
                {...form.getInputProps('weeklyDay')}
              />
            )}
            {schedule === 'WEEKDAYS' && (
              <div>
                <Text size="sm" fw={500} mb={6} id="payout-weekdays-label">
                  Payout days
                </Text>
                <Chip.Group multiple value={form.values.payoutWeekdays} onChange={(v) => form.setFieldValue('payoutWeekdays', v)}>
                  <Group gap={6} role="group" aria-labelledby="payout-weekdays-label">
                    {weekdays.map((d) => (
                      <Chip key={d} value={d} size="sm" variant="outline">
                        {weekdayLabel(d).slice(0, 3)}
                      </Chip>
                    ))}
                  </Group>
                </Chip.Group>
                {form.errors['payoutWeekdays'] && (
                  <Text size="xs" c="red" mt={4}>
                    {form.errors['payoutWeekdays']}
                  </Text>
                )}
              </div>
            )}
            <Group grow align="flex-start">
              <NumberInput
                label="Pay-now delay (days)"
                description="Card payments are paid out this many days after confirmation"
                min={0}
                max={365}
                allowDecimal={false}
                allowNegative={false}
                {...form.getInputProps('payNowDelayDays')}
              />
              <NumberInput
                label="Pay-later delay (days)"
                description="Invoice and instalment parts are paid out this many days after fulfilment"
                min={0}
                max={365}
                allowDecimal={false}
                allowNegative={false}
                {...form.getInputProps('payLaterDelayDays')}
              />
            </Group>
          </Stack>
        </Paper>

        <div>
          <Text fw={600} size="sm" mb={4}>
            Fees
          </Text>
          <Text size="xs" c="dimmed" mb="xs">
            A percentage of the order amount plus a fixed amount per order, for each product type the company sells. Fees are not given back on refunds.
          </Text>
          <Table withTableBorder verticalSpacing={6} fz="sm">
            <Table.Thead bg="var(--mantine-color-gray-0)">
              <Table.Tr>
                <Table.Th>Product type</Table.Th>
                <Table.Th w={170}>Percent</Table.Th>
                <Table.Th w={190}>Fixed ({currency})</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {form.values.fees.map((fee, row) => (
                <Table.Tr key={fee.productType}>
                  <Table.Td>
                    <Checkbox
                      label={productTypeLabels[fee.productType]}
                      {...form.getInputProps(`fees.${row}.enabled`, { type: 'checkbox' })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Percent fee for ${productTypeLabels[fee.productType]}`}
                      rightSection={<Text size="xs" c="dimmed">%</Text>}
                      inputMode="decimal"
                      size="xs"
                      disabled={!fee.enabled}
                      {...form.getInputProps(`fees.${row}.percent`)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Fixed fee for ${productTypeLabels[fee.productType]}`}
                      inputMode="decimal"
                      size="xs"
                      disabled={!fee.enabled}
                      {...form.getInputProps(`fees.${row}.fixed`)}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>

        <FormActions submitting={submitting} submitLabel={submitLabel} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
