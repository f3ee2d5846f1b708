import { useParams } from 'react-router-dom';
import { PagePlaceholder } from './PagePlaceholder';

export function MerchantPage() {
  const { id = '' } = useParams();
  return <PagePlaceholder title={`Merchant ${id}`} description="The merchant’s companies, shops, users and provider activations will be shown here." />;
}
