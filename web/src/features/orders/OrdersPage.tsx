import { Anchor, Button, Group, MultiSelect, Paper, Table, Text, TextInput } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { EmptyState, MoneyText, PageHeader, QueryError, SkeletonRows, StatusBadge } from '../../components/Page';
import { Pager, useCursorPager } from '../../components/Pager';
import { SearchIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { OrderFulfilmentStatus, OrderStatus, OrderWhereInput, ProductType, Provider } from '../../gql/graphql';
import { addDays, isDay, startOfDay } from '../../lib/dates';
import { formatDateTime } from '../../lib/format';
import {
  fulfilmentStatus,
  labelOf,
  optionsOf,
  orderStatus,
  productTypeLabels,
  providerLabels,
} from '../../lib/labels';

/**
 * The order list pages by cursor and does not ask for totalCount: counting a PSP's
 * orders reads every one of them (150 ms at 1,000,000 orders, on every page view),
 * while the page itself costs a few milliseconds. The pager shows the rows' positions.
 */
export const OrdersQuery = graphql(`
  query Orders($first: Int!, $after: Cursor, $where: OrderWhereInput) {
    orders(first: $first, after: $after, where: $where, orderBy: { field: CREATED_AT, direction: DESC }) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          reference
          status
          fulfilmentStatus
          provider
          productType
          createdAt
          firstName
          lastName
          email
          amount {
            amount
            minor
            currency
          }
        }
      }
    }
  }
`);

const pageSize = 25;

/** The list filters, kept in the address so a filtered list can be bookmarked and shared. */
export interface OrderFilters {
  q: string;
  status: string[];
  fulfilment: string[];
  provider: string[];
  product: string[];
  from: string | null;
  to: string | null;
}

export function filtersFrom(params: URLSearchParams): OrderFilters {
  const list = (name: string) => (params.get(name) ?? '').split(',').filter((v) => v !== '');
  const day = (name: string) => {
    const value = params.get(name);
    return isDay(value) ? value : null;
  };
  return {
    q: params.get('q') ?? '',
    status: list('status'),
    fulfilment: list('fulfilment'),
    provider: list('provider'),
    product: list('product'),
    from: day('from'),
    to: day('to'),
  };
}

/** The GraphQL filter for the list filters; the created range is in the user's local days. */
export function whereOf(filters: OrderFilters, merchantId?: string): OrderWhereInput {
  const where: OrderWhereInput = {};
  if (merchantId) {
    where.merchantID = merchantId;
  }
  const q = filters.q.trim();
  if (q !== '') {
    where.referenceContainsFold = q;
  }
  if (filters.status.length > 0) {
    where.statusIn = filters.status as OrderStatus[];
  }
  if (filters.fulfilment.length > 0) {
    where.fulfilmentStatusIn = filters.fulfilment as OrderFulfilmentStatus[];
  }
  if (filters.provider.length > 0) {
    where.providerIn = filters.provider as Provider[];
  }
  if (filters.product.length > 0) {
    where.productTypeIn = filters.product as ProductType[];
  }
  if (filters.from) {
    where.createdAtGTE = startOfDay(filters.from);
  }
  if (filters.to) {
    where.createdAtLT = startOfDay(addDays(filters.to, 1));
  }
  return where;
}

/** A table of orders with filters and pages; used by merchants (/orders) and on a merchant's page for PSP staff. */
export function OrdersTable({ merchantId, orderPath = (id) => `/orders/${id}` }: { merchantId?: string; orderPath?: (id: string) => string }) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = filtersFrom(params);
  const [debouncedQ] = useDebouncedValue(filters.q, 250);
  // urql compares variables by value, so a new object each render is fine.
  const where = whereOf({ ...filters, q: debouncedQ }, merchantId);
  const key = JSON.stringify(where);
  const pager = useCursorPager(key);
  const [result] = useQuery({ query: OrdersQuery, variables: { first: pageSize, after: pager.after, where } });

  const set = (name: string, value: string | string[] | null) => {
    const next = new URLSearchParams(params);
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    if (text === '') {
      next.delete(name);
    } else {
      next.set(name, text);
    }
    setParams(next, { replace: true });
  };
  const filterKeys = ['q', 'status', 'fulfilment', 'provider', 'product', 'from', 'to'];
  const anyFilter = [...params.keys()].some((k) => filterKeys.includes(k));
  const clearFilters = () => {
    const next = new URLSearchParams(params);
    filterKeys.forEach((k) => next.delete(k));
    setParams(next, { replace: true });
  };

  const connection = result.data?.orders;
  const rows = connection?.edges?.flatMap((edge) => (edge?.node ? [edge.node] : [])) ?? [];

  return (
    <Paper withBorder radius="md">
      <Group gap="xs" p="sm" wrap="wrap" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <TextInput
          aria-label="Search by reference"
          placeholder="Search by reference"
          leftSection={<SearchIcon size={14} />}
          value={filters.q}
          onChange={(event) => set('q', event.currentTarget.value)}
          w={180}
          size="xs"
        />
        <MultiSelect
          aria-label="Status"
          placeholder={filters.status.length ? undefined : 'Status'}
          data={optionsOf(orderStatus)}
          value={filters.status}
          onChange={(v) => set('status', v)}
          clearable
          size="xs"
          w={120}
        />
        <MultiSelect
          aria-label="Fulfilment"
          placeholder={filters.fulfilment.length ? undefined : 'Fulfilment'}
          data={optionsOf(fulfilmentStatus)}
          value={filters.fulfilment}
          onChange={(v) => set('fulfilment', v)}
          clearable
          size="xs"
          w={140}
        />
        <MultiSelect
          aria-label="Provider"
          placeholder={filters.provider.length ? undefined : 'Provider'}
          data={optionsOf(providerLabels)}
          value={filters.provider}
          onChange={(v) => set('provider', v)}
          clearable
          size="xs"
          w={130}
        />
        <MultiSelect
          aria-label="Product type"
          placeholder={filters.product.length ? undefined : 'Product type'}
          data={optionsOf(productTypeLabels)}
          value={filters.product}
          onChange={(v) => set('product', v)}
          clearable
          size="xs"
          w={140}
        />
        <DatePickerInput
          type="range"
          aria-label="Created between"
          placeholder="Created between"
          value={[filters.from, filters.to]}
          onChange={([from, to]) => {
            const next = new URLSearchParams(params);
            for (const [name, value] of [
              ['from', from],
              ['to', to],
            ] as const) {
              if (value) {
                next.set(name, String(value).slice(0, 10));
              } else {
                next.delete(name);
              }
            }
            setParams(next, { replace: true });
          }}
          allowSingleDateInRange
          clearable
          valueFormat="D MMM YYYY"
          size="xs"
          w={190}
        />
        {anyFilter && (
          <Button variant="subtle" size="xs" color="gray" onClick={clearFilters}>
            Clear filters
          </Button>
        )}
      </Group>
      {result.error ? (
        <div style={{ padding: 16 }}>
          <QueryError error={result.error} what="the orders" />
        </div>
      ) : (
        <Table.ScrollContainer minWidth={860}>
          <Table highlightOnHover verticalSpacing={8} horizontalSpacing="sm" fz="sm">
            <Table.Thead bg="var(--mantine-color-gray-0)">
              <Table.Tr>
                <Table.Th>Reference</Table.Th>
                <Table.Th>Customer</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Payment</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Fulfilment</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.fetching && !connection ? (
                <SkeletonRows columns={7} />
              ) : rows.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <EmptyState
                      title={anyFilter ? 'No orders match these filters' : 'No orders yet'}
                      description={
                        anyFilter
                          ? 'Try fewer filters or another date range.'
                          : 'Orders appear here as soon as your shop creates them through the API.'
                      }
                    />
                  </Table.Td>
                </Table.Tr>
              ) : (
                rows.map((order) => {
                  const customer = [order.firstName, order.lastName].filter(Boolean).join(' ');
                  return (
                    <Table.Tr key={order.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(orderPath(order.id))}>
                      <Table.Td>
                        <Anchor component={Link} to={orderPath(order.id)} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
                          {order.reference}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" truncate maw={200}>
                          {customer || order.email || '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                        {formatDateTime(order.createdAt)}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" lh={1.3}>
                          {labelOf(providerLabels, order.provider)}
                        </Text>
                        <Text size="xs" c="dimmed" lh={1.3}>
                          {order.productType ? labelOf(productTypeLabels, order.productType) : 'Not chosen yet'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge styles={orderStatus} value={order.status} />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge styles={fulfilmentStatus} value={order.fulfilmentStatus} />
                      </Table.Td>
                      <Table.Td ta="right">
                        <MoneyText value={order.amount} fw={500} />
                      </Table.Td>
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
        totalCount={undefined}
        shown={rows.length}
        hasNextPage={connection?.pageInfo.hasNextPage ?? false}
        onNext={() => pager.next(connection?.pageInfo.endCursor)}
        onPrevious={pager.previous}
        noun="orders"
      />
    </Paper>
  );
}

export function OrdersPage() {
  return (
    <>
      <PageHeader title="Orders" description="Every order of your shops, newest first. Open one to fulfil or refund it." />
      <OrdersTable />
    </>
  );
}
