import { Anchor, Badge, Button, Group, Paper, SegmentedControl, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { EmptyState, PageHeader, QueryError, SkeletonRows, StatusBadge } from '../../components/Page';
import { Pager, useCursorPager } from '../../components/Pager';
import { PlusIcon, SearchIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { MerchantStatus, MerchantWhereInput } from '../../gql/graphql';
import { formatDate } from '../../lib/format';
import { activationStatus, labelOf, merchantStatus, providerLabels, styleOf } from '../../lib/labels';

export const MerchantsQuery = graphql(`
  query Merchants($first: Int!, $after: Cursor, $where: MerchantWhereInput) {
    merchants(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          country
          email
          status
          createdAt
          companies {
            id
            activations {
              id
              provider
              status
            }
          }
          shops {
            id
          }
        }
      }
    }
  }
`);

const pageSize = 25;

export function merchantWhere(q: string, status: string): MerchantWhereInput {
  const where: MerchantWhereInput = {};
  if (q.trim() !== '') {
    where.nameContainsFold = q.trim();
  }
  if (status !== '' && status !== 'ALL') {
    where.status = status as MerchantStatus;
  }
  return where;
}

/** PSP staff: every merchant of the PSP, searchable by name and filtered by status. */
export function MerchantsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? 'ALL';
  const [debouncedQ] = useDebouncedValue(q, 250);
  const where = merchantWhere(debouncedQ, status);
  const pager = useCursorPager(JSON.stringify(where));
  const [result] = useQuery({ query: MerchantsQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = result.data?.merchants;
  const rows = connection?.edges?.flatMap((edge) => (edge?.node ? [edge.node] : [])) ?? [];

  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value === '' || (name === 'status' && value === 'ALL')) {
      next.delete(name);
    } else {
      next.set(name, value);
    }
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="Merchants"
        description="Onboard merchants, follow their activation with the providers, and manage their access."
        actions={
          <Button component={Link} to="/merchants/new" leftSection={<PlusIcon size={16} />}>
            Onboard merchant
          </Button>
        }
      />
      <Paper withBorder radius="md">
        <Group gap="sm" p="sm" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <TextInput
            aria-label="Search merchants by name"
            placeholder="Search by name"
            leftSection={<SearchIcon size={14} />}
            value={q}
            onChange={(event) => set('q', event.currentTarget.value)}
            w={260}
            size="xs"
          />
          <SegmentedControl
            aria-label="Status"
            size="xs"
            value={status}
            onChange={(value) => set('status', value)}
            data={[
              { value: 'ALL', label: 'All' },
              { value: 'ONBOARDING', label: 'Onboarding' },
              { value: 'ACTIVE', label: 'Active' },
              { value: 'SUSPENDED', label: 'Suspended' },
            ]}
          />
        </Group>
        {result.error ? (
          <div style={{ padding: 16 }}>
            <QueryError error={result.error} what="the merchants" />
          </div>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table highlightOnHover verticalSpacing={8} horizontalSpacing="md" fz="sm">
              <Table.Thead bg="var(--mantine-color-gray-0)">
                <Table.Tr>
                  <Table.Th>Merchant</Table.Th>
                  <Table.Th>Country</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Providers</Table.Th>
                  <Table.Th ta="right">Companies</Table.Th>
                  <Table.Th ta="right">Shops</Table.Th>
                  <Table.Th>Since</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.fetching && !connection ? (
                  <SkeletonRows columns={7} />
                ) : rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <EmptyState
                        title={q || status !== 'ALL' ? 'No merchants match' : 'No merchants yet'}
                        description={q || status !== 'ALL' ? 'Try another name or status.' : 'Onboard the first merchant to get started.'}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  rows.map((merchant) => {
                    const activations = (merchant.companies ?? []).flatMap((c) => c.activations ?? []);
                    return (
                      <Table.Tr key={merchant.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(`/merchants/${merchant.id}`)}>
                        <Table.Td>
                          <Anchor component={Link} to={`/merchants/${merchant.id}`} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
                            {merchant.name}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {merchant.email ?? ''}
                          </Text>
                        </Table.Td>
                        <Table.Td>{merchant.country}</Table.Td>
                        <Table.Td>
                          <StatusBadge styles={merchantStatus} value={merchant.status} />
                        </Table.Td>
                        <Table.Td>
                          {activations.length === 0 ? (
                            <Text size="sm" c="dimmed">
                              None yet
                            </Text>
                          ) : (
                            <Group gap={4}>
                              {activations.map((a) => (
                                <Badge
                                  key={a.id}
                                  size="sm"
                                  radius="sm"
                                  variant="dot"
                                  tt="none"
                                  color={styleOf(activationStatus, a.status).color}
                                  title={`${labelOf(providerLabels, a.provider)}: ${styleOf(activationStatus, a.status).label}`}
                                >
                                  {labelOf(providerLabels, a.provider)}
                                </Badge>
                              ))}
                            </Group>
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{merchant.companies?.length ?? 0}</Table.Td>
                        <Table.Td ta="right">{merchant.shops?.length ?? 0}</Table.Td>
                        <Table.Td c="dimmed">{formatDate(merchant.createdAt.slice(0, 10))}</Table.Td>
                      </Table.Tr>
                    );
                  })
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Pager
          page={pager.page}
          pageSize={pageSize}
          totalCount={connection?.totalCount}
          hasNextPage={connection?.pageInfo.hasNextPage ?? false}
          onNext={() => pager.next(connection?.pageInfo.endCursor)}
          onPrevious={pager.previous}
          noun="merchants"
        />
      </Paper>
    </>
  );
}
