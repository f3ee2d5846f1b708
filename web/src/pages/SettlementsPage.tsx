import { useAuth } from '../auth/AuthContext';
import { audienceOf } from '../auth/roles';
import { PagePlaceholder } from './PagePlaceholder';

/** PSP staff see settlement runs across merchants; merchants see their own settlements. */
export function SettlementsPage() {
  const { user } = useAuth();
  if (user && audienceOf(user.role) === 'psp') {
    return <PagePlaceholder title="Settlement runs" description="Settlement runs and the settlements they produced will be listed here." />;
  }
  return <PagePlaceholder title="Settlements" description="Your past settlements and what is payable next will be shown here." />;
}
