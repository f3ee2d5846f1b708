import { Grid, Group, Paper, Select, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { EmptyState, LoadingBlock, MoneyText, PageHeader, QueryError, Section, Stat } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
import { graphql } from '../../gql';
import type { SettlementStatus, SettlementWhereInput } from '../../gql/graphql';
import { addDays, today } from '../../lib/dates';
import { formatDate, formatMoney } from '../../lib/format';
import { useMyMerchant } from '../../lib/viewer';
import { scheduleText } from '../../shared/CompanyCard';
import { SettlementOverviewQuery } from './mutations';
import { PayoutsChart, chartPoints } from './PayoutsChart';
import { SettlementsPanel } from './SettlementsTable';

export const SettlementsListQuery = graphql(`
  query SettlementsList($first: Int!, $after: Cursor, $where: SettlementWhereInput) {
    settlements(first: $first, after: $after, where: $where, orderBy: { field: DATE, direction: DESC }) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          ...SettlementRow
        }
      }
    }
  }
`);

const pageSize = 20;
const ranges = [
  { value: '30', label: '30 days', grouping: 'day' },
  { value: '90', label: '90 days', grouping: 'week' },
  { value: '365', label: '12 months', grouping: 'month' },
] as const;

/** Merchants: payouts over time, what is payable next, and every settlement with its entries and CSV. */
export function MerchantSettlementsPage() {
  const { merchant, fetching, error } = useMyMerchant();
  const companies = merchant?.companies ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const company = companies.find((c) => c.id === chosen) ?? companies[0];
  const [range, setRange] = useState<(typeof ranges)[number]['value']>('90');
  const [status, setStatus] = useState<string | null>(null);

  const to = today();
  const from = addDays(to, -Number(range) + 1);
  const [overview] = useQuery({ query: SettlementOverviewQuery, variables: { companyId: company?.id ?? '', from, to }, pause: !company });
  const listWhere: SettlementWhereInput = { companyID: company?.id ?? '' };
  if (status) {
    listWhere.status = status as SettlementStatus;
  }
  const pager = useCursorPager(JSON.stringify(listWhere));
  const [list] = useQuery({ query: SettlementsListQuery, variables: { first: pageSize, after: pager.after, where: listWhere }, pause: !company });

  if (error) {
    return (
      <>
        <PageHeader title="Settlements" />
        <QueryError error={error} what="your companies" />
      </>
    );
  }
  if (fetching && !merchant) {
    return <LoadingBlock label="Loading settlements" />;
  }
  if (!company) {
    return (
      <>
        <PageHeader title="Settlements" />
        <Section>
          <EmptyState title="No company yet" description="Settlements start once your PSP has set up your company." />
        </Section>
      </>
    );
  }

  const grouping = ranges.find((r) => r.value === range)?.grouping ?? 'week';
  const data = overview.data?.settlementOverview;
  const periods = data ? (grouping === 'day' ? data.daily : grouping === 'week' ? data.weekly : data.monthly) : [];
  const points = chartPoints(periods, grouping);
  const next = data?.upcoming[0];
  const connection = list.data?.settlements;

  return (
    <>
      <PageHeader
        title="Settlements"
        description={`${company.legalName} · payouts ${scheduleText(company).toLowerCase()} · pay now after ${company.payNowDelayDays} days, pay later ${company.payLaterDelayDays} days after fulfilment`}
        actions={
          companies.length > 1 ? (
            <Select
              aria-label="Company"
              data={companies.map((c) => ({ value: c.id, label: c.legalName }))}
              value={company.id}
              onChange={setChosen}
              allowDeselect={false}
              w={260}
            />
          ) : undefined
        }
      />
      <Stack gap="md">
        {overview.error && <QueryError error={overview.error} what="the overview" />}
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <Stat
              label="Next payout"
              value={next ? formatMoney(next.net) : '—'}
              hint={next ? `on ${formatDate(next.date)} · ${next.items} item${next.items === 1 ? '' : 's'}` : 'Nothing scheduled'}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4 }}>
            <Stat label="Available" value={data ? formatMoney(data.availableBalance) : '—'} hint="Payable, not settled yet" />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4 }}>
            <Stat label="Pending" value={data ? formatMoney(data.pendingBalance) : '—'} hint="Earned, payable later" />
          </Grid.Col>
        </Grid>
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Paper withBorder radius="md" p="md" h="100%">
              <Group justify="space-between" mb="md" align="flex-start">
                <div>
                  <Text fw={600}>Payouts over time</Text>
                  <Text size="xs" c="dimmed">
                    Net of settlements per {grouping}
                    {data ? ` · ${formatMoney(data.total.net)} in this period` : ''}
                  </Text>
                </div>
                <SegmentedControl size="xs" data={ranges.map(({ value, label }) => ({ value, label }))} value={range} onChange={(v) => setRange(v as typeof range)} aria-label="Period" />
              </Group>
              {overview.fetching && !data ? (
                <LoadingBlock label="Loading payouts" />
              ) : points.length === 0 ? (
                <EmptyState title="No settlements in this period" />
              ) : (
                <PayoutsChart points={points} currency={company.currency} />
              )}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Section title="Upcoming payouts" description="Projected from what is not settled yet" padded={false}>
              {!data ? (
                <Text size="sm" c="dimmed" p="md">
                  {overview.fetching ? 'Loading…' : '—'}
                </Text>
              ) : data.upcoming.length === 0 ? (
                <EmptyState title="Nothing upcoming" description="New orders appear here once they become payable." />
              ) : (
                <Table fz="sm" verticalSpacing={8} horizontalSpacing="md">
                  <Table.Tbody>
                    {data.upcoming.slice(0, 6).map((u) => (
                      <Table.Tr key={u.date}>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {formatDate(u.date)}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {u.items} item{u.items === 1 ? '' : 's'} · fees {formatMoney(u.fees)}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <MoneyText value={u.net} fw={600} c={u.net.amount.startsWith('-') ? 'orange.8' : undefined} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Section>
          </Grid.Col>
        </Grid>
        <SettlementsPanel
            status={status}
            onStatus={setStatus}
            error={list.error}
            fetching={list.fetching}
            connection={connection}
            pager={pager}
            pageSize={pageSize}
            showCompany={false}
            empty={{ title: 'No settlements yet', description: 'Your first settlement appears after your first payable order.' }}
        />
      </Stack>
    </>
  );
}
