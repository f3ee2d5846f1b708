import type { Money } from '../../lib/format';
import type { UserErrorLike } from '../../lib/userErrors';

/** An order item as the fulfil and refund dialogs need it. */
export interface ItemRow {
  id: string;
  sku: string;
  name: string;
  quantity: string;
  fulfilledQuantity: string;
  cancelledQuantity: string;
  returnedQuantity: string;
  /** What fulfil and CANCEL still accept, computed by the server. */
  openQuantity: string;
  /** What RETURN still accepts, computed by the server (not what a pending capture holds). */
  returnableQuantity: string;
  unitPrice: Money;
  total: Money;
}

/** What a dialog's mutation answered: its userErrors (none means done). */
export type MutationOutcome = readonly UserErrorLike[];
