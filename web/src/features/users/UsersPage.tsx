import { Anchor, Button, SegmentedControl, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { isRole, roleLabel } from '../../auth/roles';
import { ListPanel, ListTable, SearchInput, nodesOf, useUrlFilters } from '../../components/ListPage';
import { PageHeader } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
import { PlusIcon } from '../../components/icons';
import { graphql } from '../../gql';
import type { UserWhereInput } from '../../gql/graphql';
import { formatDateTime } from '../../lib/format';
import { UserName, UserStatusBadge } from '../../shared/users';
import { InviteUserDialog } from './InviteUserDialog';

export const UsersQuery = graphql(`
  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {
    users(first: $first, after: $after, where: $where, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          ...TeamUserFields
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

/** PSP staff: everyone who can sign in, PSP staff and merchant users; invite more PSP staff. */
export function UsersPage() {
  const { user } = useAuth();
  const { values, set } = useUrlFilters({ who: 'staff', q: '' });
  const { who, q } = values;
  const [debouncedQ] = useDebouncedValue(q, 250);
  const [inviting, setInviting] = useState(false);
  const where: UserWhereInput = who === 'staff' ? { merchantIDIsNil: true } : who === 'merchants' ? { merchantIDNotNil: true } : {};
  if (debouncedQ.trim() !== '') {
    where.emailContainsFold = debouncedQ.trim();
  }
  const pager = useCursorPager(JSON.stringify(where));
  const [result, reexecute] = useQuery({ query: UsersQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = result.data?.users;

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
      <ListPanel
        toolbar={
          <>
            <SearchInput label="Search by email" placeholder="Search by email" value={q} onChange={(v) => set('q', v)} />
            <SegmentedControl
              aria-label="Whose users"
              size="xs"
              value={who}
              onChange={(v) => set('who', v)}
              data={[
                { value: 'staff', label: 'PSP staff' },
                { value: 'merchants', label: 'Merchant users' },
                { value: 'all', label: 'Everyone' },
              ]}
            />
          </>
        }
        error={result.error}
        what="the users"
        pager={pager}
        pageSize={pageSize}
        connection={connection}
        noun="users"
      >
        <ListTable
          columns={[{ label: 'User' }, { label: 'Role' }, { label: 'Merchant' }, { label: 'Last sign-in' }, { label: 'Status' }]}
          loading={result.fetching && !connection}
          rows={nodesOf(connection)}
          empty={{ title: 'No users match' }}
          row={(u) => (
            <Table.Tr key={u.id}>
              <Table.Td>
                <UserName user={u} />
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
          )}
        />
      </ListPanel>
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
