import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { Notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { AuthProvider } from './auth/AuthContext';
import { GraphQLProvider } from './lib/graphql';
import { theme } from './theme';

/** Everything around the router: theme, notifications, dates, session and GraphQL client. */
export function AppProviders({ children, env = 'default' }: { children: ReactNode; env?: 'default' | 'test' }) {
  return (
    // env="test" (in unit tests) turns off Mantine's transitions and portals.
    <MantineProvider theme={theme} env={env}>
      <Notifications limit={3} />
      <DatesProvider settings={{ firstDayOfWeek: 1 }}>
        <AuthProvider>
          <GraphQLProvider>{children}</GraphQLProvider>
        </AuthProvider>
      </DatesProvider>
    </MantineProvider>
  );
}
