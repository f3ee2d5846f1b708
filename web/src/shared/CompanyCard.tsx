import { Grid, Group, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { DetailList, IdText, MoneyText, Section, StatusBadge } from '../components/Page';
import { formatDate, formatDateTime } from '../lib/format';
import { activationStatus, labelOf, productTypeLabels, providerLabels, scheduleLabels, weekdayLabel } from '../lib/labels';
import type { CompanyDetail } from './merchantDetail';

/** 290 basis points → "2.9 %". */
export function percentOfBps(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = String(Math.abs(bps % 100)).padStart(2, '0').replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''} %`;
}

export function scheduleText(company: Pick<CompanyDetail, 'payoutSchedule' | 'payoutWeekdays'>): string {
  const days = company.payoutWeekdays.map(weekdayLabel).join(', ');
  switch (company.payoutSchedule) {
    case 'DAILY':
      return 'Daily';
    case 'WEEKLY':
      return days ? `Weekly on ${days}` : 'Weekly';
    case 'WEEKDAYS':
      return days ? `On ${days}` : 'On chosen weekdays';
    default:
      return labelOf(scheduleLabels, company.payoutSchedule);
  }
}

export function CompanyCard({ company, actions }: { company: CompanyDetail; actions?: ReactNode }) {
  return (
    <Section title={company.legalName} description={`${company.country} · ${company.currency}`} actions={actions}>
      <Grid gutter="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <DetailList
            items={[
              { label: 'Registration', value: company.registrationNumber || '—' },
              { label: 'VAT id', value: company.vatID || '—' },
              { label: 'IBAN', value: <Text span ff="monospace" size="sm">{company.iban}</Text> },
              { label: 'Finance e-mail', value: company.financeEmail || '—' },
              { label: 'Payouts', value: scheduleText(company) },
              { label: 'Delays', value: `Pay now ${company.payNowDelayDays} days · pay later ${company.payLaterDelayDays} days` },
            ]}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
            Fees
          </Text>
          {(company.fees ?? []).length === 0 ? (
            <Text size="sm" c="dimmed">
              No fees
            </Text>
          ) : (
            <Table fz="sm" verticalSpacing={4} withRowBorders={false}>
              <Table.Tbody>
                {(company.fees ?? []).map((fee) => (
                  <Table.Tr key={fee.id}>
                    <Table.Td pl={0}>{labelOf(productTypeLabels, fee.productType)}</Table.Td>
                    <Table.Td ta="right">{percentOfBps(fee.percentBps)}</Table.Td>
                    <Table.Td ta="right" pr={0}>
                      + <MoneyText value={fee.fixed} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {(company.feePlanHistory ?? []).length > 0 && (
            <>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mt="md" mb={6}>
                Fee plan history
              </Text>
              <Table fz="sm" verticalSpacing={4} withRowBorders={false} aria-label="Fee plan history">
                <Table.Tbody>
                  {(company.feePlanHistory ?? []).map((v) => (
                    <Table.Tr key={v.version}>
                      <Table.Td pl={0}>
                        v{v.version} from {formatDateTime(v.effectiveAt)}
                      </Table.Td>
                      <Table.Td pr={0}>
                        {v.fees.length === 0
                          ? 'No fees'
                          : v.fees.map((f) => (
                              <Text key={f.productType} size="sm">
                                {labelOf(productTypeLabels, f.productType)} {percentOfBps(f.percentBps)} + <MoneyText value={f.fixed} />
                              </Text>
                            ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed" mt={4}>
                A credit is charged by the version in force when it was earned.
              </Text>
            </>
          )}
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mt="md" mb={6}>
            Providers
          </Text>
          <ActivationList company={company} />
        </Grid.Col>
      </Grid>
    </Section>
  );
}

export function ActivationList({ company }: { company: CompanyDetail }) {
  const activations = company.activations ?? [];
  if (activations.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not activated with any provider yet
      </Text>
    );
  }
  return (
    <Stack gap={6}>
      {activations.map((a) => (
        <Group key={a.id} justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text size="sm" fw={500}>
              {labelOf(providerLabels, a.provider)}
            </Text>
            <StatusBadge styles={activationStatus} value={a.status} size="xs" />
          </Group>
          <Text size="xs" c="dimmed">
            {a.externalMerchantId ? (
              <>
                Merchant ID <IdText>{a.externalMerchantId}</IdText>
              </>
            ) : (
              (a.reason ?? (a.activatedAt ? `since ${formatDate(a.activatedAt.slice(0, 10))}` : ''))
            )}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
