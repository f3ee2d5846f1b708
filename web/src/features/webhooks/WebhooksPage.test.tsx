import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { graphqlRoute, jsonResponse, stubServer } from '../../test/server';

const admin = { id: 'usr_3', email: 'owner@kaskkivi.ee', role: 'MERCHANT_ADMIN', name: '' };
const company = { __typename: 'Company', id: 'com_1', legalName: 'Kask & Kivi OÜ', currency: 'EUR', payoutSchedule: 'DAILY', payoutWeekdays: [], payNowDelayDays: 2, payLaterDelayDays: 7 };
const delivery = (attempt: number, outcome: string, responseStatus: number, error: string | null) => ({
  __typename: 'EventDelivery', attempt, url: 'https://shop.example/hooks', at: `2026-12-06T10:0${attempt}:00Z`, responseStatus, error, durationMs: 12, outcome,
  event: { __typename: 'Event', id: 'evt_1', type: 'ORDER_CONFIRMED', sequence: 1, order: { __typename: 'Order', id: 'ord_1', reference: 'W-1' } },
});
const endpoint = {
  __typename: 'WebhookEndpoint', id: 'whk_1', url: 'https://shop.example/hooks', eventTypes: [], disabled: true,
  disabledReason: 'every delivery failed since 2026-12-05T10:00:00Z; the last: answered 500', failureRate: 0.5, createdAt: '2026-12-01T10:00:00Z',
  previousSecretExpiresAt: null, deliveries: [delivery(1, 'HTTP_ERROR', 500, 'answered 500 Internal Server Error'), delivery(2, 'SUCCEEDED', 200, null)],
};

function server(mutations: Record<string, unknown> = {}) {
  return stubServer({
    'GET /auth/me': () => jsonResponse(200, admin),
    'POST /graphql': graphqlRoute({
      MyMerchant: { viewer: { __typename: 'Viewer', id: 'usr_3', merchantId: 'mer_1' } },
      MerchantCompanies: { node: { __typename: 'Merchant', id: 'mer_1', name: 'Kask & Kivi', status: 'ACTIVE', companies: [company], shops: [] } },
      WebhookEndpoints: { node: { __typename: 'Merchant', id: 'mer_1', companies: [{ ...company, webhookEndpoints: [endpoint] }] } },
      ...mutations,
    }),
  });
}

describe('Webhooks', () => {
  it('shows an endpoint’s failure rate, why it was disabled, and its deliveries filtered by outcome', async () => {
    server();
    renderApp('/webhooks');
    expect(await screen.findByTestId('webhook-endpoint')).toHaveTextContent('https://shop.example/hooks');
    expect(screen.getByText('50 %')).toBeInTheDocument();
    expect(screen.getByText(/every delivery failed since/)).toBeInTheDocument();
    expect(screen.getAllByTestId('webhook-delivery')).toHaveLength(2);
    const user = userEvent.setup();
    await user.click(screen.getByRole('textbox', { name: 'Outcome' }));
    await user.click(await screen.findByRole('option', { name: 'Failed' }));
    const rows = screen.getAllByTestId('webhook-delivery');
    expect(rows).toHaveLength(1);
    expect(within(rows[0]!).getByText(/answered 500/)).toBeInTheDocument();
  });

  it('adds an endpoint and shows its secret once', async () => {
    const requests = server({
      CreateWebhookEndpoint: { createWebhookEndpoint: { __typename: 'CreateWebhookEndpointPayload', webhookEndpoint: { __typename: 'WebhookEndpoint', id: 'whk_2' }, secret: 'whsec_abc', userErrors: [] } },
    });
    renderApp('/webhooks');
    await screen.findByTestId('webhook-endpoint');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('URL'), 'https://erp.example/events');
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent('whsec_abc');
    const sent = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'CreateWebhookEndpoint');
    expect(sent?.variables?.input).toEqual({ companyId: 'com_1', url: 'https://erp.example/events', eventTypes: [] });
  });
});
