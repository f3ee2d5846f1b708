import { Grid, Group, Paper, Select, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { EmptyState, LoadingBlock, PageHeader, QueryError, Section, Stat } from '../../components/Page';
import { Pager, useCursorPager } from '../../components/Pager';
import { graphql } from '../../gql';
import type { SettlementStatus, SettlementWhereInput } from '../../gql/graphql';
import { addDays, today } from '../../lib/dates';
import { formatMoney } from '../../lib/format';
import { scheduleText } from '../merchants/MerchantPage';
import { useMyMerchant } from '../../lib/viewer';
import { PayoutsChart, chartPoints } from './PayoutsChart';
import { SettlementsTable } from './SettlementsTable';

export const SettlementsListQuery = graphql(`
  query SettlementsList($first: Int!, $after: Cursor, $where: SettlementWhereInput) {
    settlements(first: $first, after: $after, where: $where, orderBy: { field: DATE, direction: DESC }) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...SettlementRow
        }
      }
    }
  }
`);

export const PayoutHistoryQuery = graphql(`
  query PayoutHistory($where: SettlementWhereInput) {
    settlements(first: 100, where: $where, orderBy: { field: DATE, direction: DESC }) {
      edges {
        node {
          id
          date
          status
          net {
            ...MoneyFields
          }
        }
      }
    }
  }
`);

const pageSize = 20;
const ranges = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '12 months' },
];

/** Merchants: payouts over time, what is payable next, and every settlement with its entries and CSV. */
export function MerchantSettlementsPage() {
  const { merchant, fetching, error } = useMyMerchant();
  const companies = merchant?.companies ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const company = companies.find((c) => c.id === chosen) ?? companies[0];
  const [range, setRange] = useState('90');
  const [status, setStatus] = useState<string | null>(null);

  const historyWhere: SettlementWhereInput = { companyID: company?.id ?? '', dateGTE: addDays(today(), -Number(range)) };
  const [history] = useQuery({ query: PayoutHistoryQuery, variables: { where: historyWhere }, pause: !company });
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

  const historyRows = history.data?.settlements.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];
  const points = chartPoints(historyRows);
  const connection = list.data?.settlements;
  const rows = connection?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];
  const last = historyRows[0];

  return (
    <>
      <PageHeader
        title="Settlements"
        description={`${company.legalName} · payouts ${scheduleText(company).toLowerCase()} · ${company.payNowDelayDays} days after confirmation (pay now), ${company.payLaterDelayDays} days after fulfilment (pay later)`}
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
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Paper withBorder radius="md" p="md" h="100%">
              <Group justify="space-between" mb="md">
                <div>
                  <Text fw={600}>Payouts over time</Text>
                  <Text size="xs" c="dimmed">
                    Net amount of each settlement
                  </Text>
                </div>
                <SegmentedControl size="xs" data={ranges} value={range} onChange={setRange} aria-label="Period" />
              </Group>
              {history.fetching && !history.data ? (
                <LoadingBlock label="Loading payouts" />
              ) : points.length === 0 ? (
                <EmptyState title="No settlements in this period" />
              ) : (
                <PayoutsChart points={points} currency={company.currency} />
              )}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Stack gap="md" h="100%">
              <Stat
                label="Last settlement"
                value={last ? formatMoney(last.net) : '—'}
                hint={last ? `on ${last.date}` : 'No settlement yet'}
              />
              <UpcomingPayouts companyId={company.id} />
            </Stack>
          </Grid.Col>
        </Grid>
        <Paper withBorder radius="md">
          <Group justify="space-between" px="md" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
            <Text fw={600}>All settlements</Text>
            <Select
              aria-label="Status"
              placeholder="Any status"
              data={[
                { value: 'PENDING', label: 'Pending payout' },
                { value: 'PAID', label: 'Paid' },
                { value: 'MERCHANT_OWES', label: 'Merchant owes' },
                { value: 'SETTLED', label: 'Settled' },
              ]}
              value={status}
              onChange={setStatus}
              clearable
              size="xs"
              w={180}
            />
          </Group>
          {list.error ? (
            <div style={{ padding: 16 }}>
              <QueryError error={list.error} what="the settlements" />
            </div>
          ) : (
            <SettlementsTable
              rows={rows}
              loading={list.fetching && !connection}
              showCompany={false}
              empty={{ title: 'No settlements yet', description: 'Your first settlement appears after your first payable order.' }}
            />
          )}
          <Pager
            page={pager.page}
            pageSize={pageSize}
            totalCount={connection?.totalCount}
            hasNextPage={connection?.pageInfo.hasNextPage ?? false}
            onNext={() => pager.next(connection?.pageInfo.endCursor)}
            onPrevious={pager.previous}
            noun="settlements"
          />
        </Paper>
      </Stack>
    </>
  );
}

/** What is payable next and when (settlementOverview); shown once the API offers it. */
function UpcomingPayouts(_props: { companyId: string }) {
  return null;
}
