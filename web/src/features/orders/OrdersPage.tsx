import { Anchor, Button, MultiSelect, Table, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { audienceOf } from '../../auth/roles';
import { ListPanel, ListTable, SearchInput, nodesOf, useUrlFilters } from '../../components/ListPage';
import { MoneyText, PageHeader, StatusBadge } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
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
 * The search box is the server's search (a prefix of the id, reference, provider
 * reference, shopper email or name; docs/api.md "Search"), served by indexes.
 */
export const OrdersQuery = graphql(`
  query Orders($first: Int!, $after: Cursor, $where: OrderWhereInput, $search: String) {
    orders(first: $first, after: $after, where: $where, search: $search, orderBy: { field: CREATED_AT, direction: DESC }) {
      pageInfo {
        ...PageInfoFields
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
          merchant {
            id
            name
          }
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

/** The search box as the orders(search:) argument; null when blank. */
export function searchOf(filters: OrderFilters): string | null {
  const q = filters.q.trim();
  return q === '' ? null : q;
}

/** The GraphQL filter for the list filters (the search box is searchOf); the created range is in the user's local days. */
export function whereOf(filters: OrderFilters, merchantId?: string): OrderWhereInput {
  const where: OrderWhereInput = {};
  if (merchantId) {
    where.merchantID = merchantId;
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

/** The list filters' names in the address, all absent by default. */
const filterDefaults = { q: '', status: '', fulfilment: '', provider: '', product: '', from: '', to: '' };

/** Where a row of the list opens: the merchant's own order page, or for PSP staff the order under its merchant. */
type OrderPath = (order: { id: string; merchant: { id: string } }) => string;

const merchantOrderPath: OrderPath = (order) => `/orders/${order.id}`;
const pspOrderPath: OrderPath = (order) => `/merchants/${order.merchant.id}/orders/${order.id}`;

/**
 * A table of orders with filters and pages; used by merchants (/orders), by PSP staff
 * across their merchants (/orders, with a merchant column) and on a merchant's page.
 */
export function OrdersTable({
  merchantId,
  orderPath = merchantOrderPath,
  showMerchant = false,
}: {
  merchantId?: string;
  orderPath?: OrderPath;
  showMerchant?: boolean;
}) {
  const navigate = useNavigate();
  const { params, set, update, anyFilter, clear } = useUrlFilters(filterDefaults);
  const filters = filtersFrom(params);
  const [debouncedQ] = useDebouncedValue(filters.q, 250);
  // urql compares variables by value, so a new object each render is fine.
  const where = whereOf(filters, merchantId);
  const search = searchOf({ ...filters, q: debouncedQ });
  const pager = useCursorPager(JSON.stringify([where, search]));
  const [result] = useQuery({ query: OrdersQuery, variables: { first: pageSize, after: pager.after, where, search } });
  const connection = result.data?.orders;
  const rows = nodesOf(connection);

  return (
    <ListPanel
      toolbar={
        <>
          <SearchInput
            label="Search orders"
            placeholder="Id, reference, email or name"
            value={filters.q}
            onChange={(v) => set('q', v)}
            w={220}
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
            onChange={([from, to]) => update({ from: from ? String(from).slice(0, 10) : null, to: to ? String(to).slice(0, 10) : null })}
            allowSingleDateInRange
            clearable
            valueFormat="D MMM YYYY"
            size="xs"
            w={190}
          />
          {anyFilter && (
            <Button variant="subtle" size="xs" color="gray" onClick={clear}>
              Clear filters
            </Button>
          )}
        </>
      }
      toolbarProps={{ gap: 'xs', wrap: 'wrap', justify: 'flex-start' }}
      error={result.error}
      what="the orders"
      pager={pager}
      pageSize={pageSize}
      connection={connection}
      counted={false}
      shown={rows.length}
      noun="orders"
    >
      <ListTable
        minWidth={860}
        tableProps={{ highlightOnHover: true, horizontalSpacing: 'sm' }}
        columns={[
          { label: 'Reference' },
          ...(showMerchant ? [{ label: 'Merchant' }] : []),
          { label: 'Customer' },
          { label: 'Created' },
          { label: 'Payment' },
          { label: 'Status' },
          { label: 'Fulfilment' },
          { label: 'Amount', ta: 'right' },
        ]}
        loading={result.fetching && !connection}
        rows={rows}
        empty={
          anyFilter
            ? { title: 'No orders match these filters', description: 'Try fewer filters or another date range.' }
            : { title: 'No orders yet', description: 'Orders appear here as soon as your shop creates them through the API.' }
        }
        row={(order) => {
          const customer = [order.firstName, order.lastName].filter(Boolean).join(' ');
          return (
            <Table.Tr key={order.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(orderPath(order))}>
              <Table.Td>
                <Anchor component={Link} to={orderPath(order)} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
                  {order.reference}
                </Anchor>
              </Table.Td>
              {showMerchant && (
                <Table.Td>
                  <Text size="sm" truncate maw={180}>
                    {order.merchant.name}
                  </Text>
                </Table.Td>
              )}
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
        }}
      />
    </ListPanel>
  );
}

/** /orders: a merchant's orders, or for PSP staff the orders of all their merchants. */
export function OrdersPage() {
  const { user } = useAuth();
  if (user && audienceOf(user.role) === 'psp') {
    return (
      <>
        <PageHeader
          title="Orders"
          description="The orders of all your merchants, newest first. Search by order id, reference, provider reference, shopper email or name."
        />
        <OrdersTable showMerchant orderPath={pspOrderPath} />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Orders" description="Every order of your shops, newest first. Open one to fulfil or refund it." />
      <OrdersTable />
    </>
  );
}
