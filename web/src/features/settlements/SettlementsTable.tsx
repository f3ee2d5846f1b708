import { Anchor, Button, Group, Select, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { CombinedError } from 'urql';
import { ListPanel, nodesOf, type ConnectionLike } from '../../components/ListPage';
import { EmptyState, MoneyText, SkeletonRows, StatusBadge } from '../../components/Page';
import type { useCursorPager } from '../../components/Pager';
import { DownloadIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { SettlementRowFragment } from '../../gql/graphql';
import { dayOfTime } from '../../lib/dates';
import { formatDate } from '../../lib/format';
import { settlementStatus } from '../../lib/labels';

graphql(`
  fragment SettlementRow on Settlement {
    id
    date
    status
    merchantID
    paymentReference
    paidAt
    exportUrl
    company {
      id
      legalName
    }
    gross {
      ...MoneyFields
    }
    refunds {
      ...MoneyFields
    }
    fees {
      ...MoneyFields
    }
    net {
      ...MoneyFields
    }
  }
`);

/** The CSV export of a settlement with its entries (docs/api.md "HTTP routes": GET /exports/settlements/{id}.csv). */
export function csvPath(settlementId: string): string {
  return `/exports/settlements/${encodeURIComponent(settlementId)}.csv`;
}

export function CsvLink({ settlementId, href, variant = 'subtle' }: { settlementId: string; href?: string; variant?: 'subtle' | 'default' }) {
  return (
    <Button
      component="a"
      href={href ?? csvPath(settlementId)}
      download
      size="xs"
      variant={variant}
      color={variant === 'subtle' ? 'gray' : undefined}
      leftSection={<DownloadIcon size={14} />}
      onClick={(event: React.MouseEvent) => event.stopPropagation()}
      aria-label={`Download settlement ${settlementId} as CSV`}
    >
      CSV
    </Button>
  );
}

/** Settlements with their amounts; a row opens the settlement's entries. */
export function SettlementsTable({
  rows,
  loading,
  showCompany,
  empty,
  action,
}: {
  rows: readonly SettlementRowFragment[];
  loading: boolean;
  showCompany: boolean;
  empty: { title: string; description?: string };
  action?: (row: SettlementRowFragment) => ReactNode;
}) {
  const navigate = useNavigate();
  const columns = showCompany ? 8 : 7;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table highlightOnHover verticalSpacing={8} horizontalSpacing="sm" fz="sm">
        <Table.Thead bg="var(--mantine-color-gray-0)">
          <Table.Tr>
            <Table.Th>Date</Table.Th>
            {showCompany && <Table.Th>Company</Table.Th>}
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Gross</Table.Th>
            <Table.Th ta="right">Refunds</Table.Th>
            <Table.Th ta="right">Fees</Table.Th>
            <Table.Th ta="right">Net payout</Table.Th>
            <Table.Th ta="right" aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {loading ? (
            <SkeletonRows columns={columns} rows={4} />
          ) : rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <EmptyState title={empty.title} description={empty.description} />
              </Table.Td>
            </Table.Tr>
          ) : (
            rows.map((s) => (
              <Table.Tr key={s.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(`/settlements/${s.id}`)}>
                <Table.Td>
                  <Anchor component={Link} to={`/settlements/${s.id}`} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
                    {formatDate(s.date)}
                  </Anchor>
                </Table.Td>
                {showCompany && (
                  <Table.Td>
                    <Text size="sm" truncate maw={200} title={s.company.legalName}>
                      {s.company.legalName}
                    </Text>
                  </Table.Td>
                )}
                <Table.Td>
                  <StatusBadge styles={settlementStatus} value={s.status} />
                  {s.paidAt && (
                    <Text size="xs" c="dimmed" mt={2}>
                      on {formatDate(dayOfTime(s.paidAt))}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <MoneyText value={s.gross} />
                </Table.Td>
                <Table.Td ta="right">
                  <MoneyText value={s.refunds} />
                </Table.Td>
                <Table.Td ta="right">
                  <MoneyText value={s.fees} />
                </Table.Td>
                <Table.Td ta="right">
                  <MoneyText value={s.net} fw={600} c={s.net.amount.startsWith('-') ? 'orange.8' : undefined} />
                </Table.Td>
                <Table.Td ta="right" onClick={(e) => e.stopPropagation()}>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    {action?.(s)}
                    <CsvLink settlementId={s.id} href={s.exportUrl} />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The settlement statuses a list can be narrowed to. */
const statusOptions = [
  { value: 'PENDING', label: 'Pending payout' },
  { value: 'PAID', label: 'Paid' },
  { value: 'MERCHANT_OWES', label: 'Merchant owes' },
  { value: 'SETTLED', label: 'Settled' },
];

/** "All settlements": the list with its status filter and pages, for PSP staff and for a merchant. */
export function SettlementsPanel({
  status,
  onStatus,
  error,
  fetching,
  connection,
  pager,
  pageSize,
  ...table
}: {
  status: string | null;
  onStatus: (status: string | null) => void;
  error: CombinedError | undefined;
  fetching: boolean;
  connection: ConnectionLike<SettlementRowFragment> | null | undefined;
  pager: ReturnType<typeof useCursorPager>;
  pageSize: number;
  showCompany: boolean;
  empty: { title: string; description?: string };
  action?: (row: SettlementRowFragment) => ReactNode;
}) {
  return (
    <ListPanel
      toolbar={
        <>
          <Text fw={600}>All settlements</Text>
          <Select aria-label="Status" placeholder="Any status" data={statusOptions} value={status} onChange={onStatus} clearable size="xs" w={180} />
        </>
      }
      toolbarProps={{ px: 'md', py: 'sm', p: undefined }}
      error={error}
      what="the settlements"
      pager={pager}
      pageSize={pageSize}
      connection={connection}
      noun="settlements"
    >
      <SettlementsTable rows={nodesOf(connection)} loading={fetching && !connection} {...table} />
    </ListPanel>
  );
}
