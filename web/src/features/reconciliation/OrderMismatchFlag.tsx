import { Alert } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { OrderMismatchesQuery } from './queries';
import { mismatchKindLabels } from './ReconciliationPage';

/** PSP staff: the order's open reconciliation differences, above its page. */
export function OrderMismatchFlag({ orderId }: { orderId: string }) {
  const [result] = useQuery({ query: OrderMismatchesQuery, variables: { id: orderId }, requestPolicy: 'network-only' });
  const node = result.data?.node;
  const open = node?.__typename === 'Order' ? node.reconciliationMismatches.filter((m) => !m.resolvedAt) : [];
  if (open.length === 0) {
    return null;
  }
  return (
    <Alert color="orange" role="alert" title="Reconciliation differences" mb="md">
      {open.map((m) => (
        <div key={m.id}>
          {mismatchKindLabels[m.kind] ?? m.kind}: {m.detail}
        </div>
      ))}
      <Link to="/reconciliation">Open reconciliation</Link>
    </Alert>
  );
}
