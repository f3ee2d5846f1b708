import { PagePlaceholder } from './PagePlaceholder';

export function OrdersPage() {
  return <PagePlaceholder title="Orders" description="Your orders, with their payment and fulfilment status, will be listed here." />;
}
