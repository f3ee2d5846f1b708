import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../../test/renderUi';
import { RefundDialog, refundableOf, type PreviewOutcome, type RefundRequest } from './RefundDialog';
import type { RefundPreviewData } from './RefundPreview';
import type { ItemRow } from './types';

const eur = (amount: string) => ({ amount, minor: amount.replace('.', ''), currency: 'EUR' });

const cable: ItemRow = {
  id: 'itm_1', sku: 'CABLE-3M', name: 'Cable per metre', quantity: '4', fulfilledQuantity: '1.5', cancelledQuantity: '0', returnedQuantity: '0', returnableQuantity: '1.5', openQuantity: '2.5', unitPrice: eur('2.35'), total: eur('9.40'),
};
const lamp: ItemRow = {
  id: 'itm_2', sku: 'LAMP-OAK', name: 'Oak table lamp', quantity: '1', fulfilledQuantity: '0', cancelledQuantity: '1', returnedQuantity: '0', returnableQuantity: '0', openQuantity: '0', unitPrice: eur('89.90'), total: eur('89.90'),
};

const preview: RefundPreviewData = {
  amount: eur('9.40'),
  lines: [
    { key: 'a', sku: 'CABLE-3M', name: 'Cable per metre', refundType: 'RETURN', quantity: '1.5', amount: eur('3.53') },
    { key: 'b', sku: 'CABLE-3M', name: 'Cable per metre', refundType: 'CANCEL', quantity: '2.5', amount: eur('5.87') },
  ],
  amountAfter: eur('0.00'),
  deducted: eur('9.40'),
  deductedOn: '2026-11-23',
  owedReduction: eur('0.00'),
  explanation: 'Pay now: the shopper had paid everything.',
};

function setup(onPreview: (r: RefundRequest) => Promise<PreviewOutcome>) {
  const onRefund = vi.fn(async () => []);
  const onRefundAll = vi.fn(async () => []);
  const onClose = vi.fn();
  const previewSpy = vi.fn(onPreview);
  renderUi(<RefundDialog opened onClose={onClose} items={[cable, lamp]} onPreview={previewSpy} onRefund={onRefund} onRefundAll={onRefundAll} />);
  return { onRefund, onRefundAll, onClose, onPreview: previewSpy, user: userEvent.setup() };
}

describe('refund dialog', () => {
  it('shows the server’s preview, with the resolved lines and the payout effect, before confirming', async () => {
    const { onPreview, onRefund, onClose, user } = setup(async () => ({ userErrors: [], preview }));
    const confirm = screen.getByRole('button', { name: 'Refund' });
    expect(confirm).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Refund all of Cable per metre' }));
    await user.type(screen.getByLabelText('Reason'), 'Customer changed their mind');

    const section = await screen.findByRole('region', { name: 'Refund preview' });
    expect(within(section).getByText('Return')).toBeInTheDocument();
    expect(within(section).getByText('Cancel')).toBeInTheDocument();
    expect(within(section).getByText('1.5 × Cable per metre')).toBeInTheDocument();
    expect(within(section).getByText('€9.40')).toBeInTheDocument();
    expect(within(section).getByText('€9.40 will be deducted from your settlement of Nov 23, 2026.')).toBeInTheDocument();
    expect(within(section).getByText('Pay now: the shopper had paid everything.')).toBeInTheDocument();
    expect(onPreview).toHaveBeenLastCalledWith({ items: [{ sku: 'CABLE-3M', refundType: 'AUTO', quantity: '4' }], reason: 'Customer changed their mind' });

    await user.click(screen.getByRole('button', { name: 'Refund €9.40' }));
    await waitFor(() => expect(onRefund).toHaveBeenCalledWith({ items: [{ sku: 'CABLE-3M', refundType: 'AUTO', quantity: '4' }], reason: 'Customer changed their mind' }));
    expect(onClose).toHaveBeenCalled();
  });

  it('says when a refund only lowers what the shopper owes (pay later, CANCEL)', async () => {
    const { user } = setup(async () => ({
      userErrors: [],
      preview: { ...preview, deducted: eur('0.00'), deductedOn: null, owedReduction: eur('5.87') },
    }));
    await user.type(screen.getByLabelText('Quantity to refund of Cable per metre'), '4');
    expect(await screen.findByText('€5.87 only lowers what the shopper owes: nothing of it was paid out to you.')).toBeInTheDocument();
    expect(screen.queryByText(/will be deducted/)).not.toBeInTheDocument();
  });

  it('shows a refused preview beside the item and does not allow confirming', async () => {
    const { user, onRefund } = setup(async () => ({
      userErrors: [{ code: 'PARTIAL_AUTO_NOT_ALLOWED', field: ['input', 'items', '0', 'quantity'], message: 'Only the whole remaining 4 can be refunded automatically' }],
      preview: null,
    }));
    await user.type(screen.getByLabelText('Quantity to refund of Cable per metre'), '1');
    const input = screen.getByLabelText('Quantity to refund of Cable per metre');
    await waitFor(() => expect(input).toHaveAccessibleDescription('Only the whole remaining 4 can be refunded automatically'));
    expect(screen.getByRole('button', { name: 'Refund' })).toBeDisabled();
    expect(onRefund).not.toHaveBeenCalled();
  });

  it('does not ask the server about a malformed quantity', async () => {
    const { user, onPreview } = setup(async () => ({ userErrors: [], preview }));
    await user.type(screen.getByLabelText('Quantity to refund of Cable per metre'), '1.2345');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onPreview).not.toHaveBeenCalled();
  });

  it('disables an item with nothing left to refund', () => {
    setup(async () => ({ userErrors: [], preview }));
    expect(screen.getByLabelText('Quantity to refund of Oak table lamp')).toBeDisabled();
  });

  it('refunds everything left after a second confirmation', async () => {
    const { user, onRefundAll } = setup(async () => ({ userErrors: [], preview }));
    await user.click(screen.getByRole('button', { name: 'Refund everything left' }));
    await user.click(await screen.findByRole('button', { name: 'Refund everything' }));
    await waitFor(() => expect(onRefundAll).toHaveBeenCalledWith(null));
  });
});

describe('refundable quantities', () => {
  it.each([
    ['RETURN', '1.5'],
    ['CANCEL', '2.5'],
    ['AUTO', '4'],
  ] as const)('%s of a partly fulfilled item: %s', (type, expected) => {
    expect(refundableOf(cable, type)).toBe(expected);
  });
});

describe('a fulfilment still pending at the provider', () => {
  // 5 ordered, 3 fulfilled of which 1 awaits its capture: the server answers
  // returnableQuantity 2 (the pending part cannot come back yet), openQuantity 2.
  const mug: ItemRow = {
    id: 'itm_3', sku: 'MUG-SET', name: 'Stoneware mug set', quantity: '5', fulfilledQuantity: '3', cancelledQuantity: '0', returnedQuantity: '0',
    returnableQuantity: '2', openQuantity: '2', unitPrice: eur('34.50'), total: eur('172.50'),
  };

  it('is not offered for return: the dialog offers what the server accepts', async () => {
    const onPreview = vi.fn(async () => ({ userErrors: [], preview }));
    renderUi(<RefundDialog opened onClose={vi.fn()} items={[mug]} onPreview={onPreview} onRefund={vi.fn(async () => [])} onRefundAll={vi.fn(async () => [])} />);
    const user = userEvent.setup();
    const row = screen.getByText('Stoneware mug set').closest('tr')!;
    expect(within(row).getAllByRole('cell')[1]).toHaveTextContent('2');
    await user.click(screen.getByRole('textbox', { name: 'Refund type of Stoneware mug set' }));
    await user.click(await screen.findByRole('option', { name: 'Return' }));
    await user.click(screen.getByRole('button', { name: 'Refund all of Stoneware mug set' }));
    expect(screen.getByLabelText('Quantity to refund of Stoneware mug set')).toHaveValue('2');
    await waitFor(() => expect(onPreview).toHaveBeenCalledWith({ items: [{ sku: 'MUG-SET', refundType: 'RETURN', quantity: '2' }], reason: null }));
  });

  it('counts only the confirmed part as returnable', () => {
    expect(refundableOf(mug, 'RETURN')).toBe('2');
    expect(refundableOf(mug, 'CANCEL')).toBe('2');
  });
});
