import { Anchor, Badge, Button, Group, Paper, SegmentedControl, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { isRole, roleLabel } from '../../auth/roles';
import { EmptyState, PageHeader, QueryError, SkeletonRows } from '../../components/Page';
import { Pager, useCursorPager } from '../../components/Pager';
import { PlusIcon, SearchIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { UserWhereInput } from '../../gql/graphql';
import { formatDateTime } from '../../lib/format';
import { InviteUserDialog } from './InviteUserDialog';

export const UsersQuery = graphql(`
  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {
    users(first: $first, after: $after, where: $where, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          email
          name
          role
          lastLoginAt
          disabled
          invitationPending
          createdAt
          merchant {
            id
            name
          }
        }
      }
    }
  }
`);

const pageSize = 50;

/** The roles a PSP user may hand out: nobody grants a role above their own. */
export function pspRolesFor(role: string): { value: string; label: string }[] {
  const operator = { value: 'PSP_OPERATOR', label: 'PSP operator' };
  return role === 'PSP_ADMIN' ? [{ value: 'PSP_ADMIN', label: 'PSP admin' }, operator] : [operator];
}

export function UserStatusBadge({ user }: { user: { disabled: boolean; invitationPending: boolean } }) {
  const [label, color] = user.disabled ? ['Disabled', 'gray'] : user.invitationPending ? ['Invited', 'blue'] : ['Active', 'green'];
  return (
    <Badge color={color} variant="light" size="sm" radius="sm" tt="none">
      {label}
    </Badge>
  );
}

/** PSP staff: everyone who can sign in, PSP staff and merchant users; invite more PSP staff. */
export function UsersPage() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const who = params.get('who') ?? 'staff';
  const q = params.get('q') ?? '';
  const [debouncedQ] = useDebouncedValue(q, 250);
  const [inviting, setInviting] = useState(false);
  const where: UserWhereInput = who === 'staff' ? { merchantIDIsNil: true } : who === 'merchants' ? { merchantIDNotNil: true } : {};
  if (debouncedQ.trim() !== '') {
    where.emailContainsFold = debouncedQ.trim();
  }
  const pager = useCursorPager(JSON.stringify(where));
  const [result, reexecute] = useQuery({ query: UsersQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = result.data?.users;
  const rows = connection?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];

  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value === '') {
      next.delete(name);
    } else {
      next.set(name, value);
    }
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in. Invite PSP staff here; invite a merchant's users from the merchant's page."
        actions={
          <Button leftSection={<PlusIcon size={16} />} onClick={() => setInviting(true)}>
            Invite PSP staff
          </Button>
        }
      />
      <Paper withBorder radius="md">
        <Group gap="sm" p="sm" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <TextInput
            aria-label="Search by email"
            placeholder="Search by email"
            leftSection={<SearchIcon size={14} />}
            value={q}
            onChange={(e) => set('q', e.currentTarget.value)}
            w={260}
            size="xs"
          />
          <SegmentedControl
            aria-label="Whose users"
            size="xs"
            value={who}
            onChange={(v) => set('who', v === 'staff' ? '' : v)}
            data={[
              { value: 'staff', label: 'PSP staff' },
              { value: 'merchants', label: 'Merchant users' },
              { value: 'all', label: 'Everyone' },
            ]}
          />
        </Group>
        {result.error ? (
          <div style={{ padding: 16 }}>
            <QueryError error={result.error} what="the users" />
          </div>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
              <Table.Thead bg="var(--mantine-color-gray-0)">
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Merchant</Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.fetching && !connection ? (
                  <SkeletonRows columns={5} />
                ) : rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <EmptyState title="No users match" />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  rows.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {u.name || u.email}
                        </Text>
                        {u.name && u.name !== u.email && (
                          <Text size="xs" c="dimmed">
                            {u.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{isRole(u.role) ? roleLabel(u.role) : u.role}</Table.Td>
                      <Table.Td>
                        {u.merchant ? (
                          <Anchor component={Link} to={`/merchants/${u.merchant.id}?tab=users`} size="sm">
                            {u.merchant.name}
                          </Anchor>
                        ) : (
                          <Text size="sm" c="dimmed">
                            PSP staff
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td c="dimmed">{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'Never'}</Table.Td>
                      <Table.Td>
                        <UserStatusBadge user={u} />
                      </Table.Td>
                    </Table.Tr>
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Pager
          page={pager.page}
          pageSize={pageSize}
          totalCount={connection?.totalCount}
          hasNextPage={connection?.pageInfo.hasNextPage ?? false}
          onNext={() => pager.next(connection?.pageInfo.endCursor)}
          onPrevious={pager.previous}
          noun="users"
        />
      </Paper>
      <InviteUserDialog
        opened={inviting}
        onClose={() => setInviting(false)}
        merchantId={undefined}
        roles={pspRolesFor(user?.role ?? '')}
        onInvited={() => reexecute({ requestPolicy: 'network-only' })}
      />
    </>
  );
}
