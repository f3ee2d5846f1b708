import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { renderUi } from '../../test/renderUi';
import { graphqlRoute, jsonResponse, stubServer } from '../../test/server';
import { SecretReveal } from './SecretReveal';

const merchant = (role: string) => ({ id: 'usr_3', email: 'owner@kaskkivi.ee', role, name: '' });

const company = { __typename: 'Company', id: 'com_1', legalName: 'Kask & Kivi OÜ', currency: 'EUR', payoutSchedule: 'DAILY', payoutWeekdays: [], payNowDelayDays: 2, payLaterDelayDays: 7 };
const shop = { __typename: 'Shop', id: 'shp_1', name: 'Kask & Kivi Home', currency: 'EUR', productTypes: ['INVOICE'] };
const key = {
  __typename: 'ApiKey', id: 'key_1', name: 'Shopware', prefix: 'ab12cd', environment: 'test', scopes: ['orders:write'], active: true,
  createdAt: '2026-11-20T10:00:00Z', expiresAt: null, lastUsedAt: null, revokedAt: null, replacedByID: null,
  shop: { __typename: 'Shop', id: 'shp_1', name: 'Kask & Kivi Home' }, company: { __typename: 'Company', id: 'com_1', legalName: 'Kask & Kivi OÜ' }, createdBy: null,
};

function server(role: string, mutations: Record<string, unknown> = {}, keys: unknown[] = [key]) {
  return stubServer({
    'GET /auth/me': () => jsonResponse(200, merchant(role)),
    'POST /graphql': graphqlRoute({
      MyMerchant: { viewer: { __typename: 'Viewer', id: 'usr_3', merchantId: 'mer_1' } },
      MerchantCompanies: { node: { __typename: 'Merchant', id: 'mer_1', name: 'Kask & Kivi', status: 'ACTIVE', companies: [company], shops: [shop] } },
      ApiKeys: { node: { __typename: 'Merchant', id: 'mer_1', apiKeys: keys } },
      ...mutations,
    }),
  });
}

describe('API keys', () => {
  it('shows the new key’s secret once, with a copy button', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const onDone = vi.fn();
    renderUi(<SecretReveal secret="pk_test_ab12cd_s3cr3t" onDone={onDone} />);
    expect(screen.getByTestId('api-key-secret')).toHaveTextContent('pk_test_ab12cd_s3cr3t');
    expect(screen.getByText(/only time the full key is shown/)).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Copy the key' }));
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'I have copied the key' }));
    expect(onDone).toHaveBeenCalled();
  });

  it('lets an admin create a key for the only company and shop, and shows its secret', async () => {
    const requests = server('MERCHANT_ADMIN', {
      CreateApiKey: { createApiKey: { __typename: 'CreateApiKeyPayload', apiKey: { __typename: 'ApiKey', id: 'key_2', name: 'ERP', prefix: 'zz' }, secret: 'pk_test_zz_secret', userErrors: [] } },
    });
    renderApp('/api-keys');
    expect(await screen.findByText('Shopware')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'ERP');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await screen.findByTestId('api-key-secret')).toHaveTextContent('pk_test_zz_secret');
    const sent = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'CreateApiKey');
    expect(sent?.variables?.input).toEqual({ name: 'ERP', companyId: 'com_1', shopId: 'shp_1', scopes: null, expiresAt: null });
  });

  it('shows a refusal beside the field it names', async () => {
    server('MERCHANT_ADMIN', {
      CreateApiKey: {
        createApiKey: { __typename: 'CreateApiKeyPayload', apiKey: null, secret: null, userErrors: [{ __typename: 'UserError', code: 'VALIDATION', field: ['input', 'name'], message: 'A key with this name exists' }] },
      },
    });
    renderApp('/api-keys');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'Shopware');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Name')).toHaveAccessibleDescription('A key with this name exists'));
  });

  it('asks before revoking', async () => {
    const requests = server('MERCHANT_ADMIN', {
      RevokeApiKey: { revokeApiKey: { __typename: 'RevokeApiKeyPayload', apiKey: { __typename: 'ApiKey', id: 'key_1', active: false, revokedAt: '2026-11-21T10:00:00Z' }, userErrors: [] } },
    });
    renderApp('/api-keys');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Shopware stops working at once');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(requests.some((r) => (r.body as { operationName?: string } | undefined)?.operationName === 'RevokeApiKey')).toBe(true));
  });

  it('rolls a key with the chosen overlap and shows the successor’s secret once', async () => {
    const requests = server('MERCHANT_ADMIN', {
      RollApiKey: { rollApiKey: { __typename: 'RollApiKeyPayload', secret: 'pk_test_yy_secret', apiKey: { __typename: 'ApiKey', id: 'key_3', prefix: 'yy' }, userErrors: [] } },
    });
    renderApp('/api-keys');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Roll' }));
    const dialog = await screen.findByRole('dialog');
    const hours = within(dialog).getByLabelText('Old key keeps working for (hours)');
    await user.clear(hours);
    await user.type(hours, '48');
    await user.click(within(dialog).getByRole('button', { name: 'Roll key' }));
    expect(await screen.findByTestId('api-key-secret')).toHaveTextContent('pk_test_yy_secret');
    const sent = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'RollApiKey');
    expect(sent?.variables?.input).toEqual({ apiKeyId: 'key_1', expiresInHours: 48 });
  });

  it('shows a rolled key as Rolled until its overlap ends, without a second roll', async () => {
    server('MERCHANT_ADMIN', {}, [{ ...key, replacedByID: 'key_3', expiresAt: '2026-11-22T10:00:00Z' }]);
    renderApp('/api-keys');
    const row = (await screen.findByText('Shopware')).closest('tr') as HTMLElement;
    expect(within(row).getByText('Rolled')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Revoke' })).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: 'Roll' })).not.toBeInTheDocument();
  });

  it('shows viewers the keys without the create and revoke buttons', async () => {
    server('MERCHANT_VIEWER');
    renderApp('/api-keys');
    expect(await screen.findByText('Shopware')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create API key' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Roll' })).not.toBeInTheDocument();
  });
});
