import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { graphqlRoute, jsonResponse, stubServer } from '../../test/server';
import { filtersFrom, searchOf, whereOf } from './OrdersPage';

const merchantAdmin = { id: 'usr_3', email: 'owner@kaskkivi.ee', role: 'MERCHANT_ADMIN', name: '' };

describe('order filters', () => {
  it('turns the address’s filters into the GraphQL filter', () => {
    const filters = filtersFrom(new URLSearchParams('q=kas-1&status=CONFIRMED,PENDING&fulfilment=PARTIALLY_FULFILLED&provider=PAYWERK&product=INVOICE&from=2026-11-01&to=2026-11-21'));
    const where = whereOf(filters);
    expect(searchOf(filters)).toBe('kas-1');
    expect(where).toMatchObject({
      statusIn: ['CONFIRMED', 'PENDING'],
      fulfilmentStatusIn: ['PARTIALLY_FULFILLED'],
      providerIn: ['PAYWERK'],
      productTypeIn: ['INVOICE'],
    });
    // The range covers whole local days: from the 1st's midnight to the 22nd's.
    expect(new Date(where.createdAtGTE as string).getDate()).toBe(1);
    expect(new Date(where.createdAtLT as string).getDate()).toBe(22);
  });

  it('ignores malformed days and empty lists', () => {
    expect(whereOf(filtersFrom(new URLSearchParams('from=yesterday&status=')))).toEqual({});
    expect(searchOf(filtersFrom(new URLSearchParams('q=%20%20')))).toBeNull();
  });

  it('scopes to a merchant when PSP staff look at one', () => {
    expect(whereOf(filtersFrom(new URLSearchParams()), 'mer_1')).toEqual({ merchantID: 'mer_1' });
  });
});

function graphqlServer(orders: unknown, user: typeof merchantAdmin = merchantAdmin) {
  return stubServer({
    'GET /auth/me': () => jsonResponse(200, user),
    'POST /graphql': graphqlRoute({
      Orders: { orders },
      MyMerchant: { viewer: { __typename: 'Viewer', id: 'usr_3', merchantId: 'mer_1' } },
      MerchantCompanies: { node: { __typename: 'Merchant', id: 'mer_1', name: 'Kask & Kivi', status: 'ACTIVE', companies: [], shops: [] } },
    }),
  });
}

const order = (n: number, overrides: Record<string, unknown> = {}) => ({
  __typename: 'Order',
  id: `ord_${n}`,
  reference: `KAS-${n}`,
  status: 'CONFIRMED',
  fulfilmentStatus: 'PARTIALLY_FULFILLED',
  provider: 'PAYWERK',
  productType: 'PAY_NOW_CARD',
  createdAt: '2026-11-21T10:00:00Z',
  firstName: 'Mari',
  lastName: 'Tamm',
  email: 'mari@example.ee',
  merchant: { __typename: 'Merchant', id: 'mer_1', name: 'Kask & Kivi' },
  amount: { __typename: 'Money', amount: '1238.16', minor: 123816, currency: 'EUR' },
  ...overrides,
});

describe('orders page', () => {
  it('lists orders with their status badges and amounts from the decimal string', async () => {
    graphqlServer({
        __typename: 'OrderConnection',
        pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'c2' },
        edges: [
          { __typename: 'OrderEdge', node: order(1) },
          { __typename: 'OrderEdge', node: order(2, { status: 'FAILED', fulfilmentStatus: 'UNFULFILLED', firstName: null, lastName: null }) },
        ],
    });
    renderApp('/orders');
    const link = await screen.findByRole('link', { name: 'KAS-1' });
    const row = link.closest('tr');
    expect(row).not.toBeNull();
    const cells = within(row as HTMLElement);
    expect(cells.getByText('Confirmed')).toBeInTheDocument();
    expect(cells.getByText('Partially fulfilled')).toBeInTheDocument();
    expect(cells.getByText('Paywerk')).toBeInTheDocument();
    expect(cells.getByText('Card (pay now)')).toBeInTheDocument();
    expect(cells.getByText(/1,238\.16/)).toBeInTheDocument();
    const failed = within(screen.getByRole('link', { name: 'KAS-2' }).closest('tr') as HTMLElement);
    expect(failed.getByText('Failed')).toBeInTheDocument();
    expect(failed.getByText('mari@example.ee')).toBeInTheDocument();
    expect(screen.getByText('Orders 1–2')).toBeInTheDocument();
  });

  it('sends the filters of the address and offers to clear them when nothing matches', async () => {
    const requests = graphqlServer({ __typename: 'OrderConnection', pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null }, edges: [] });
    renderApp('/orders?status=CANCELLED&q=zzz');
    expect(await screen.findByText('No orders match these filters')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeInTheDocument();
    const sent = requests
      .filter((r) => r.path === '/graphql')
      .map((r) => r.body as { operationName?: string; variables: { where?: unknown; search?: unknown } });
    const orders = sent.find((b) => b.operationName === 'Orders');
    expect(orders?.variables.where).toEqual({ statusIn: ['CANCELLED'] });
    expect(orders?.variables.search).toBe('zzz');
  });

  it('shows PSP staff every merchant’s orders with a merchant column, each opening under its merchant', async () => {
    const requests = graphqlServer(
      {
        __typename: 'OrderConnection',
        pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'c1' },
        edges: [{ __typename: 'OrderEdge', node: order(7, { merchant: { __typename: 'Merchant', id: 'mer_9', name: 'Bergmann GmbH' } }) }],
      },
      { id: 'usr_1', email: 'ops@demo.psp', role: 'PSP_OPERATOR', name: '' },
    );
    renderApp('/orders?q=mari@');
    const link = await screen.findByRole('link', { name: 'KAS-7' });
    expect(link).toHaveAttribute('href', '/merchants/mer_9/orders/ord_7');
    expect(screen.getByRole('columnheader', { name: 'Merchant' })).toBeInTheDocument();
    expect(within(link.closest('tr') as HTMLElement).getByText('Bergmann GmbH')).toBeInTheDocument();
    const sent = requests.filter((r) => r.path === '/graphql').map((r) => r.body as { operationName?: string; variables: { search?: unknown } });
    expect(sent.find((b) => b.operationName === 'Orders')?.variables.search).toBe('mari@');
  });
});
