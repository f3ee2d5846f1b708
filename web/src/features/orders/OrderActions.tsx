import type { OrderDetail } from './OrderPage';

/**
 * The fulfil and refund buttons of an order. Wired to fulfilOrder/fulfilAll
 * and previewRefund/refundOrder/refundAll once graph/operations.graphqls exists.
 */
export function OrderActions(_props: { order: OrderDetail; onChanged: () => void }) {
  return null;
}
