import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { graphqlRoute, jsonResponse, pspAdmin, stubServer } from '../../test/server';

const money = (amount: string) => ({ __typename: 'Money', amount, minor: amount.replace('.', ''), currency: 'EUR' });

const settlement = (id: string, status: string, net: string) => ({
  __typename: 'Settlement',
  id,
  date: '2026-11-21',
  status,
  merchantID: 'mer_1',
  paymentReference: null,
  paidAt: null,
  exportUrl: `/exports/settlements/${id}.csv`,
  company: { __typename: 'Company', id: 'com_1', legalName: 'Kask & Kivi OÜ' },
  gross: money('100.00'),
  refunds: money('0.00'),
  fees: money('1.65'),
  net: money(net),
});

const emptyList = { settlements: { __typename: 'SettlementConnection', totalCount: 0, pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null }, edges: [] } };

describe('settlement runs', () => {
  it('runs a day and shows the settlements the run created, each with its CSV', async () => {
    const requests = stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /graphql': graphqlRoute({
        SettlementsList: emptyList,
        RunSettlements: { runSettlements: { __typename: 'RunSettlementsPayload', date: '2026-11-21', settlements: [{ __typename: 'Settlement', id: 'set_1' }], userErrors: [] } },
        SettlementsByIds: { nodes: [settlement('set_1', 'PENDING', '98.35')] },
      }),
    });
    renderApp('/settlements');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run settlements' }));
    expect(await screen.findByText('1 settlement created for Nov 21, 2026')).toBeInTheDocument();
    const row = (await screen.findByText('€98.35')).closest('tr') as HTMLElement;
    expect(within(row).getByText('Pending payout')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'Download settlement set_1 as CSV' })).toHaveAttribute('href', '/exports/settlements/set_1.csv');
    expect(within(row).getByRole('button', { name: /^Mark paid/ })).toBeInTheDocument();
    const run = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'RunSettlements');
    expect(run?.variables?.input).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('says when the day was already settled', async () => {
    stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /graphql': graphqlRoute({
        SettlementsList: emptyList,
        RunSettlements: { runSettlements: { __typename: 'RunSettlementsPayload', date: '2026-11-21', settlements: [], userErrors: [] } },
      }),
    });
    renderApp('/settlements');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run settlements' }));
    expect(await screen.findByText('Nothing new for Nov 21, 2026')).toBeInTheDocument();
  });

  it('records a merchant’s transfer for a settlement it owes', async () => {
    const requests = stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /graphql': graphqlRoute({
        SettlementsList: {
          settlements: {
            __typename: 'SettlementConnection',
            totalCount: 1,
            pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
            edges: [{ __typename: 'SettlementEdge', node: settlement('set_2', 'MERCHANT_OWES', '-18.16') }],
          },
        },
        MarkSettlementPaid: { markSettlementPaid: { __typename: 'MarkSettlementPaidPayload', settlement: { __typename: 'Settlement', id: 'set_2', status: 'SETTLED', paidAt: '2026-11-21T10:00:00Z' }, userErrors: [] } },
      }),
    });
    renderApp('/settlements');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /^Mark settled/ }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Kask & Kivi OÜ transferred €18.16 for the settlement of Nov 21, 2026.');
    await user.click(within(dialog).getByRole('button', { name: 'Mark settled' }));
    await waitFor(() =>
      expect(requests.some((r) => (r.body as { operationName?: string } | undefined)?.operationName === 'MarkSettlementPaid')).toBe(true),
    );
    expect(await screen.findByText('Marked as settled')).toBeInTheDocument();
  });

  it('saves the PSP’s bank account and lists the outbox of owed-balance e-mails', async () => {
    const requests = stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /graphql': graphqlRoute({
        SettlementsList: emptyList,
        Outbox: {
          outboxMessages: {
            __typename: 'OutboxMessageConnection',
            totalCount: 1,
            edges: [
              {
                __typename: 'OutboxMessageEdge',
                node: {
                  __typename: 'OutboxMessage',
                  id: 'obx_1',
                  createdAt: '2026-11-21T00:31:00Z',
                  toAddress: 'finance@kaskkivi.example',
                  subject: 'Settlement 2026-11-21 of Kask & Kivi OÜ: please transfer 18.16 EUR',
                  status: 'NOT_SENT',
                  attempts: 0,
                  lastError: 'SMTP_URL is not set: nothing is sent',
                  settlementID: 'set_2',
                },
              },
            ],
          },
        },
        UpdatePsp: {
          updatePsp: {
            __typename: 'UpdatePspPayload',
            psp: { __typename: 'PSP', id: 'psp_1', legalName: 'Kassa PSP AS', iban: 'EE382200221020145685', bic: 'HABAEE2X' },
            userErrors: [],
          },
        },
      }),
    });
    renderApp('/settlements');
    const user = userEvent.setup();
    expect(await screen.findByText('Settlement 2026-11-21 of Kask & Kivi OÜ: please transfer 18.16 EUR')).toBeInTheDocument();
    expect(screen.getByText('NOT_SENT')).toBeInTheDocument();
    await user.type(screen.getByLabelText('IBAN'), 'EE38 2200 2210 2014 5685');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Kassa PSP AS · EE382200221020145685 · HABAEE2X')).toBeInTheDocument();
    const saved = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'UpdatePsp');
    expect(saved?.variables?.input).toEqual({ legalName: null, iban: 'EE38 2200 2210 2014 5685', bic: null });
  });
});
