import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/renderApp';
import { graphqlRoute, jsonResponse, pspAdmin, stubServer } from '../../test/server';

const report = { __typename: 'ReconciliationReport', id: 'rcr_1', provider: 'PAYWERK', date: '2026-12-06', status: 'MISMATCHED', operationsChecked: 3 };

describe('reconciliation', () => {
  it('drills down from a day to its differences, links the order and resolves one with a note', async () => {
    const requests = stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /graphql': graphqlRoute({
        ReconciliationReports: {
          reconciliationReports: {
            __typename: 'ReconciliationReportConnection',
            totalCount: 1,
            pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
            edges: [{ __typename: 'ReconciliationReportEdge', node: { ...report, createdAt: '2026-12-06T10:00:00Z', updatedAt: '2026-12-06T10:00:00Z' } }],
          },
        },
        ReconciliationReport: {
          node: {
            ...report,
            mismatches: [
              {
                __typename: 'ReconciliationMismatch',
                id: 'rcm_1',
                kind: 'MISSING_HERE',
                operationId: null,
                providerReference: 'pw_1',
                detail: 'the provider has captures of 1000 (minor units) we never recorded',
                resolvedAt: null,
                resolutionNote: null,
                ours: { __typename: 'Money', amount: '0.00', minor: '0', currency: 'EUR' },
                theirs: { __typename: 'Money', amount: '10.00', minor: '1000', currency: 'EUR' },
                order: { __typename: 'Order', id: 'ord_1', reference: 'REC-1', merchant: { __typename: 'Merchant', id: 'mer_1' } },
              },
            ],
          },
        },
        ResolveMismatch: { resolveMismatch: { __typename: 'ResolveMismatchPayload', mismatch: { __typename: 'ReconciliationMismatch', id: 'rcm_1', resolvedAt: '2026-12-06T11:00:00Z', resolutionNote: 'booked' }, userErrors: [] } },
      }),
    });
    renderApp('/reconciliation');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Paywerk 2026-12-06 MISMATCHED' }));
    const row = (await screen.findByText('Missing here')).closest('tr') as HTMLElement;
    expect(within(row).getByRole('link', { name: 'REC-1' })).toHaveAttribute('href', '/merchants/mer_1/orders/ord_1');
    expect(within(row).getByText('€10.00')).toBeInTheDocument();
    await user.type(within(row).getByLabelText('Resolution note'), 'booked');
    await user.click(within(row).getByRole('button', { name: 'Resolve' }));
    await screen.findByText('Missing here');
    const resolve = requests.map((r) => r.body as { operationName?: string; variables?: { input?: unknown } } | undefined).find((b) => b?.operationName === 'ResolveMismatch');
    expect(resolve?.variables?.input).toEqual({ mismatchId: 'rcm_1', note: 'booked' });
  });
});
