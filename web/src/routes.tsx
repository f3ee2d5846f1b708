import type { RouteObject } from 'react-router-dom';
import { HomeRedirect, RequireAudience, RequireAuth } from './auth/guards';
import { AppLayout } from './layout/AppLayout';
import { ApiKeysPage } from './features/apikeys/ApiKeysPage';
import { AuditPage } from './features/audit/AuditPage';
import { LoginPage } from './pages/LoginPage';
import { MerchantPage } from './features/merchants/MerchantPage';
import { MerchantsPage } from './features/merchants/MerchantsPage';
import { NewMerchantPage, OnboardingPage } from './features/onboarding/OnboardingPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrderPage, PspOrderPage } from './features/orders/OrderPage';
import { SettlementPage } from './features/settlements/SettlementPage';
import { OrdersPage } from './features/orders/OrdersPage';
import { ReconciliationPage } from './features/reconciliation/ReconciliationPage';
import { TeamPage } from './features/users/TeamPage';
import { UsersPage } from './features/users/UsersPage';
import { SecurityPage } from './features/security/SecurityPage';
import { SetPasswordPage } from './pages/SetPasswordPage';
import { SettlementsPage } from './pages/SettlementsPage';

/**
 * Every screen of the UI. The Go server answers index.html for any path that
 * is not a file, so these paths work as deep links and on reload.
 */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  { path: '/set-password', element: <SetPasswordPage /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      {
        element: <RequireAudience audience="psp" />,
        children: [
          { path: 'merchants', element: <MerchantsPage /> },
          { path: 'merchants/new', element: <NewMerchantPage /> },
          { path: 'merchants/:id', element: <MerchantPage /> },
          { path: 'merchants/:id/onboarding', element: <OnboardingPage /> },
          { path: 'merchants/:merchantId/orders/:id', element: <PspOrderPage /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: 'reconciliation', element: <ReconciliationPage /> },
        ],
      },
      {
        element: <RequireAudience audience="merchant" />,
        children: [
          { path: 'orders/:id', element: <OrderPage /> },
          { path: 'api-keys', element: <ApiKeysPage /> },
          { path: 'team', element: <TeamPage /> },
        ],
      },
      // Both audiences: PSP staff see every merchant's orders (search across them), merchants their own.
      { path: 'orders', element: <OrdersPage /> },
      // Both audiences: settlement runs for PSP staff, own settlements for merchants.
      { path: 'settlements', element: <SettlementsPage /> },
      { path: 'settlements/:id', element: <SettlementPage /> },
      // Every role: two-factor sign-in and sessions.
      { path: 'security', element: <SecurityPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
