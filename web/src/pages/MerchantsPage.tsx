import { PagePlaceholder } from './PagePlaceholder';

export function MerchantsPage() {
  return <PagePlaceholder title="Merchants" description="Onboarded merchants, their companies, shops and provider activations will be listed here." />;
}
