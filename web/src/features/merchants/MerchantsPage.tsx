import { Anchor, Badge, Button, Group, SegmentedControl, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { ListPanel, ListTable, SearchInput, nodesOf, useUrlFilters } from '../../components/ListPage';
import { PageHeader, StatusBadge } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
import { PlusIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { MerchantStatus, MerchantWhereInput } from '../../gql/graphql';
import { formatDate } from '../../lib/format';
import { activationStatus, labelOf, merchantStatus, providerLabels, styleOf } from '../../lib/labels';

export const MerchantsQuery = graphql(`
  query Merchants($first: Int!, $after: Cursor, $where: MerchantWhereInput) {
    merchants(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo {
        ...PageInfoFields
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
  const navigate = useNavigate();
  const { values, set, anyFilter } = useUrlFilters({ q: '', status: 'ALL' });
  const [debouncedQ] = useDebouncedValue(values.q, 250);
  const where = merchantWhere(debouncedQ, values.status);
  const pager = useCursorPager(JSON.stringify(where));
  const [result] = useQuery({ query: MerchantsQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = result.data?.merchants;

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
      <ListPanel
        toolbar={
          <>
            <SearchInput label="Search merchants by name" placeholder="Search by name" value={values.q} onChange={(v) => set('q', v)} />
            <SegmentedControl
              aria-label="Status"
              size="xs"
              value={values.status}
              onChange={(value) => set('status', value)}
              data={[
                { value: 'ALL', label: 'All' },
                { value: 'ONBOARDING', label: 'Onboarding' },
                { value: 'ACTIVE', label: 'Active' },
                { value: 'SUSPENDED', label: 'Suspended' },
              ]}
            />
          </>
        }
        error={result.error}
        what="the merchants"
        pager={pager}
        pageSize={pageSize}
        connection={connection}
        noun="merchants"
      >
        <ListTable
          tableProps={{ highlightOnHover: true }}
          columns={[{ label: 'Merchant' }, { label: 'Country' }, { label: 'Status' }, { label: 'Providers' }, { label: 'Companies', ta: 'right' }, { label: 'Shops', ta: 'right' }, { label: 'Since' }]}
          loading={result.fetching && !connection}
          rows={nodesOf(connection)}
          empty={
            anyFilter
              ? { title: 'No merchants match', description: 'Try another name or status.' }
              : { title: 'No merchants yet', description: 'Onboard the first merchant to get started.' }
          }
          row={(merchant) => {
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
          }}
        />
      </ListPanel>
    </>
  );
}
