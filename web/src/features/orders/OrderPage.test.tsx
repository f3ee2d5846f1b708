import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { graphqlRoute, jsonResponse, stubServer } from '../../test/server';
import { subtractQuantity } from '../../lib/decimal';

const money = (amount: string) => ({ __typename: 'Money', amount, minor: amount.replace('.', ''), currency: 'EUR' });

const item = (n: number, name: string, q: Record<string, string>) => ({
  __typename: 'OrderItem',
  id: `itm_${n}`,
  position: n,
  sku: `SKU-${n}`,
  name,
  quantity: q['quantity'],
  fulfilledQuantity: q['fulfilled'] ?? '0',
  cancelledQuantity: q['cancelled'] ?? '0',
  returnedQuantity: q['returned'] ?? '0',
  openQuantity: q['open'],
  returnableQuantity: q['returnable'] ?? subtractQuantity(q['fulfilled'] ?? '0', q['returned'] ?? '0'),
  vatRate: '22',
  unitPrice: money('2.35'),
  total: money('7.05'),
  fulfilledAmount: money('3.53'),
  cancelledAmount: money('0.00'),
  returnedAmount: money('0.00'),
});

const order = {
  __typename: 'Order',
  id: 'ord_1',
  reference: 'KAS-10001',
  status: 'CONFIRMED',
  fulfilmentStatus: 'PARTIALLY_FULFILLED',
  provider: 'PAYWERK',
  productType: 'PAY_NOW_CARD',
  providerReference: 'pw_123',
  currency: 'EUR',
  lang: 'et',
  firstName: 'Mari',
  lastName: 'Tamm',
  email: 'mari@example.ee',
  phone: null,
  createdAt: '2026-11-20T10:00:00Z',
  confirmedAt: '2026-11-20T10:01:00Z',
  payoutDate: '2026-11-22',
  initialAmount: money('96.95'),
  amount: money('93.42'),
  fulfilledAmount: money('3.53'),
  refundedAmount: money('3.53'),
  billingAddress: { __typename: 'Address', street: 'Narva mnt 5', city: 'Tallinn', postalCode: '10117', country: 'EE' },
  deliveryAddress: null,
  shop: { __typename: 'Shop', id: 'shp_1', name: 'Kask & Kivi Home' },
  company: { __typename: 'Company', id: 'com_1', legalName: 'Kask & Kivi OÜ' },
  items: [
    item(1, 'Cable per metre', { quantity: '3', fulfilled: '1.5', returned: '0.5', open: '1.5' }),
    item(2, 'Oak table lamp', { quantity: '1', cancelled: '1', open: '0' }),
  ],
  fulfilments: [
    {
      __typename: 'Fulfilment', id: 'ful_1', status: 'SUCCEEDED', createdAt: '2026-11-20T11:00:00Z', completedAt: null, payoutDate: '2026-11-22', failureReason: null, providerOperationID: 'cap_1',
      amount: money('3.53'),
      lines: [{ __typename: 'FulfilmentLine', id: 'fl_1', quantity: '1.5', amount: money('3.53'), item: { __typename: 'OrderItem', id: 'itm_1', sku: 'SKU-1', name: 'Cable per metre' } }],
    },
  ],
  refunds: [
    {
      __typename: 'Refund', id: 'ref_1', status: 'PENDING', createdAt: '2026-11-20T12:00:00Z', completedAt: null, reason: 'Too long', failureReason: null, providerOperationID: null,
      amount: money('1.18'),
      lines: [{ __typename: 'RefundLine', id: 'rl_1', refundType: 'RETURN', quantity: '0.5', amount: money('1.18'), item: { __typename: 'OrderItem', id: 'itm_1', sku: 'SKU-1', name: 'Cable per metre' } }],
    },
  ],
};

function server(role: string, extra: Record<string, unknown> = {}) {
  return stubServer({
    'GET /auth/me': () => jsonResponse(200, { id: 'usr_1', email: 'x@kaskkivi.ee', role, name: '' }),
    'POST /graphql': graphqlRoute({
      OrderDetail: { node: order },
      MyMerchant: { viewer: { __typename: 'Viewer', id: 'usr_1', merchantId: 'mer_1' } },
      MerchantCompanies: { node: null },
      ...extra,
    }),
  });
}

describe('order page', () => {
  it('shows each item’s ordered, fulfilled, cancelled, returned and open quantities', async () => {
    server('MERCHANT_VIEWER');
    renderApp('/orders/ord_1');
    const cable = (await screen.findByText('Cable per metre', { selector: 'p' })).closest('tr') as HTMLElement;
    expect(within(cable).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'Cable per metreSKU-1 · VAT 22%',
      '€2.35',
      '3',
      '1.5',
      '0',
      '0.5',
      '1.5',
      '€7.05',
    ]);
  });

  it('shows the timeline of fulfilments and refunds with their provider status', async () => {
    server('MERCHANT_VIEWER');
    renderApp('/orders/ord_1');
    expect(await screen.findByText('Fulfilled €3.53')).toBeInTheDocument();
    expect(screen.getByText('Refunded €1.18')).toBeInTheDocument();
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    expect(screen.getByText('Pending')).toBeInTheDocument();
    expect(screen.getByText('Reason: Too long')).toBeInTheDocument();
  });

  it('offers no fulfil or refund to a viewer', async () => {
    server('MERCHANT_VIEWER');
    renderApp('/orders/ord_1');
    await screen.findByRole('heading', { name: 'KAS-10001' });
    expect(screen.queryByRole('button', { name: 'Fulfil' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Refund' })).not.toBeInTheDocument();
  });

  it('lets an operator fulfil a fraction, with an idempotency key', async () => {
    const requests = server('MERCHANT_OPERATOR', {
      FulfilOrder: { fulfilOrder: { __typename: 'FulfilOrderPayload', fulfilment: { __typename: 'Fulfilment', id: 'ful_2', status: 'SUCCEEDED', amount: money('1.18') }, userErrors: [] } },
    });
    renderApp('/orders/ord_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Fulfil' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Quantity to fulfil of Oak table lamp')).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Quantity to fulfil of Cable per metre'), '0.5');
    await user.click(within(dialog).getByRole('button', { name: 'Fulfil' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const sent = requests
      .map((r) => r.body as { operationName?: string; variables?: { input?: Record<string, unknown> } } | undefined)
      .find((b) => b?.operationName === 'FulfilOrder');
    expect(sent?.variables?.input).toMatchObject({ orderId: 'ord_1', items: [{ sku: 'SKU-1', quantity: '0.5' }] });
    expect(sent?.variables?.input?.['idempotencyKey']).toMatch(/^ui-/);
    expect(await screen.findByText('Fulfilment of €1.18 done')).toBeInTheDocument();
  });
});
