import { Badge, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { isRole, roleLabel } from '../auth/roles';
import { EmptyState, Section } from '../components/Page';
import { formatDateTime } from '../lib/format';
import type { MerchantDetail } from './merchantDetail';

/** A user's name, and the e-mail beneath when it says more. */
export function UserName({ user }: { user: { name?: string | null; email: string } }) {
  return (
    <>
      <Text size="sm" fw={500}>
        {user.name || user.email}
      </Text>
      {user.name && user.name !== user.email && (
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
      )}
    </>
  );
}

export function UserStatusBadge({ user }: { user: { disabled: boolean; invitationPending: boolean } }) {
  const [label, color] = user.disabled ? ['Disabled', 'gray'] : user.invitationPending ? ['Invited', 'blue'] : ['Active', 'green'];
  return (
    <Badge color={color} variant="light" size="sm" radius="sm" tt="none">
      {label}
    </Badge>
  );
}

/** A merchant's users: on the merchant's page (PSP staff) and its team page. */
export function UsersTable({ merchant, actions }: { merchant: MerchantDetail; actions?: ReactNode }) {
  const users = merchant.users ?? [];
  return (
    <Section title="Users" description="People who sign in to this merchant's backoffice" padded={false} actions={actions}>
      {users.length === 0 ? (
        <EmptyState title="No users yet" description="Invite the merchant's first user: they receive a link to set their password." />
      ) : (
        <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
          <Table.Thead bg="var(--mantine-color-gray-0)">
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>
                  <UserName user={user} />
                </Table.Td>
                <Table.Td>{isRole(user.role) ? roleLabel(user.role) : user.role}</Table.Td>
                <Table.Td c="dimmed">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'}</Table.Td>
                <Table.Td>
                  <UserStatusBadge user={user} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}
