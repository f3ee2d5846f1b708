import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useAuth } from './AuthContext';
import { audienceOf, homeFor, type Audience } from './roles';

/** Where RequireAuth sends a signed-out visitor, remembering where they were going. */
export interface LoginRedirectState {
  from?: string;
}

/** A centred loader for the time before /auth/me has answered. */
export function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

function ServerUnreachable({ error, onRetry }: { error: Error; onRetry: () => void }) {
  return (
    <Center h="100vh" p="md">
      <Alert color="red" title="Cannot reach the backoffice server" maw={480}>
        <Stack gap="sm">
          <Text size="sm">{error.message}</Text>
          <Button variant="light" color="red" onClick={onRetry} w="fit-content">
            Try again
          </Button>
        </Stack>
      </Alert>
    </Center>
  );
}

/** Renders its children for a signed-in user; sends anyone else to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state, reload } = useAuth();
  const location = useLocation();
  switch (state.status) {
    case 'loading':
      return <FullPageLoader />;
    case 'unreachable':
      return <ServerUnreachable error={state.error} onRetry={reload} />;
    case 'signed-out': {
      const redirect: LoginRedirectState = { from: location.pathname + location.search };
      return <Navigate to="/login" replace state={redirect} />;
    }
    case 'signed-in':
      return children;
  }
}

/** Renders the nested routes only for the given audience; others go to their home. */
export function RequireAudience({ audience }: { audience: Audience }) {
  const { user } = useAuth();
  if (!user) {
    return <Navigate to="/login" replace />;
  }
  if (audienceOf(user.role) !== audience) {
    return <Navigate to={homeFor(user.role)} replace />;
  }
  return <Outlet />;
}

/** `/`: the signed-in user's home. */
export function HomeRedirect() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}
