import { useAuth } from '../auth/AuthContext';
import { audienceOf } from '../auth/roles';
import { SettlementRunsPage } from '../features/settlements/SettlementRunsPage';
import { MerchantSettlementsPage } from '../features/settlements/SettlementsPage';

/** PSP staff see settlement runs across merchants; merchants see their own settlements. */
export function SettlementsPage() {
  const { user } = useAuth();
  if (user && audienceOf(user.role) === 'psp') {
    return <SettlementRunsPage />;
  }
  return <MerchantSettlementsPage />;
}
