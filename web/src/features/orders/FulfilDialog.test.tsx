import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../../test/renderUi';
import { FulfilDialog, type FulfilLine } from './FulfilDialog';
import type { ItemRow } from './types';

const eur = (amount: string) => ({ amount, minor: amount.replace('.', ''), currency: 'EUR' });

const items: ItemRow[] = [
  { id: 'itm_1', sku: 'LAMP-OAK', name: 'Oak table lamp', quantity: '2', fulfilledQuantity: '2', cancelledQuantity: '0', returnedQuantity: '0', returnableQuantity: '2', openQuantity: '0', unitPrice: eur('89.90'), total: eur('179.80') },
  { id: 'itm_2', sku: 'CABLE-3M', name: 'Cable per metre', quantity: '4.5', fulfilledQuantity: '0', cancelledQuantity: '0', returnedQuantity: '0', returnableQuantity: '0', openQuantity: '4.5', unitPrice: eur('2.35'), total: eur('10.58') },
  { id: 'itm_3', sku: 'MUG-SET', name: 'Stoneware mug set', quantity: '3', fulfilledQuantity: '1', cancelledQuantity: '0', returnedQuantity: '0', returnableQuantity: '1', openQuantity: '2', unitPrice: eur('34.50'), total: eur('103.50') },
];

function setup(onFulfil = vi.fn<(lines: FulfilLine[]) => Promise<readonly never[]>>(async () => []), onFulfilAll = vi.fn(async () => [])) {
  const onClose = vi.fn();
  renderUi(<FulfilDialog opened onClose={onClose} items={items} onFulfil={onFulfil} onFulfilAll={onFulfilAll} />);
  return { onFulfil, onFulfilAll, onClose, user: userEvent.setup() };
}

describe('fulfil dialog', () => {
  it('sends only the items with a quantity, exactly as typed', async () => {
    const { onFulfil, onClose, user } = setup();
    await user.type(screen.getByLabelText('Quantity to fulfil of Cable per metre'), '1.5');
    await user.click(screen.getByRole('button', { name: 'Fulfil' }));
    await waitFor(() => expect(onFulfil).toHaveBeenCalledWith([{ sku: 'CABLE-3M', quantity: '1.5' }]));
    expect(onClose).toHaveBeenCalled();
  });

  it('fills in the open quantity with "All"', async () => {
    const { onFulfil, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Fulfil all open of Stoneware mug set' }));
    expect(screen.getByLabelText('Quantity to fulfil of Stoneware mug set')).toHaveValue('2');
    await user.click(screen.getByRole('button', { name: 'Fulfil' }));
    await waitFor(() => expect(onFulfil).toHaveBeenCalledWith([{ sku: 'MUG-SET', quantity: '2' }]));
  });

  it('disables an item with nothing open', () => {
    setup();
    expect(screen.getByLabelText('Quantity to fulfil of Oak table lamp')).toBeDisabled();
  });

  it.each([
    ['1.2345', 'At most 3 decimals'],
    ['1,5', 'Use a dot for decimals, e.g. 1.5'],
    ['0', 'Must be more than 0'],
  ])('refuses %s without asking the server', async (typed, message) => {
    const { onFulfil, user } = setup();
    await user.type(screen.getByLabelText('Quantity to fulfil of Cable per metre'), typed);
    await user.click(screen.getByRole('button', { name: 'Fulfil' }));
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(onFulfil).not.toHaveBeenCalled();
  });

  it('asks for at least one quantity', async () => {
    const { onFulfil, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Fulfil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter a quantity for at least one item');
    expect(onFulfil).not.toHaveBeenCalled();
  });

  it('shows the server’s refusal beside the item it concerns, and stays open', async () => {
    const onFulfil = vi.fn(async () => [
      // The second submitted line is the mug set (row 2 of the table).
      { code: 'QUANTITY_EXCEEDS_REMAINING', field: ['input', 'items', '1', 'quantity'], message: 'Only 2 can still be fulfilled' },
      { code: 'ORDER_NOT_CONFIRMED', field: null, message: 'The order is not confirmed' },
    ]);
    const { onClose, user } = setup(onFulfil as never);
    await user.type(screen.getByLabelText('Quantity to fulfil of Cable per metre'), '1');
    await user.type(screen.getByLabelText('Quantity to fulfil of Stoneware mug set'), '3');
    await user.click(screen.getByRole('button', { name: 'Fulfil' }));

    const mugInput = screen.getByLabelText('Quantity to fulfil of Stoneware mug set');
    await waitFor(() => expect(mugInput).toHaveAttribute('aria-invalid', 'true'));
    expect(mugInput).toHaveAccessibleDescription('Only 2 can still be fulfilled');
    expect(screen.getByLabelText('Quantity to fulfil of Cable per metre')).not.toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('alert')).toHaveTextContent('The order is not confirmed');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('fulfils everything open in one go', async () => {
    const { onFulfilAll, onFulfil, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Fulfil everything open' }));
    await waitFor(() => expect(onFulfilAll).toHaveBeenCalled());
    expect(onFulfil).not.toHaveBeenCalled();
  });
});
