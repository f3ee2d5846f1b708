import type { RouteObject } from 'react-router-dom';
import { HomeRedirect, RequireAudience, RequireAuth } from './auth/guards';
import { AppLayout } from './layout/AppLayout';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { AuditPage } from './pages/AuditPage';
import { LoginPage } from './pages/LoginPage';
import { MerchantPage } from './pages/MerchantPage';
import { MerchantsPage } from './pages/MerchantsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrderPage } from './pages/OrderPage';
import { OrdersPage } from './pages/OrdersPage';
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
          { path: 'merchants/:id', element: <MerchantPage /> },
          { path: 'audit', element: <AuditPage /> },
        ],
      },
      {
        element: <RequireAudience audience="merchant" />,
        children: [
          { path: 'orders', element: <OrdersPage /> },
          { path: 'orders/:id', element: <OrderPage /> },
          { path: 'api-keys', element: <ApiKeysPage /> },
        ],
      },
      // Both audiences: settlement runs for PSP staff, own settlements for merchants.
      { path: 'settlements', element: <SettlementsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
