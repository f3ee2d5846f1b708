import { useParams } from 'react-router-dom';
import { PagePlaceholder } from './PagePlaceholder';

export function OrderPage() {
  const { id = '' } = useParams();
  return <PagePlaceholder title={`Order ${id}`} description="The order’s items, fulfilments and refunds will be shown here." />;
}
