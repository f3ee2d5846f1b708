import { Anchor, Button, Code, Group, SegmentedControl, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { useDebouncedValue } from '@mantine/hooks';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { ListPanel, ListTable, SearchInput, nodesOf, useUrlFilters } from '../../components/ListPage';
import { IdText, PageHeader, StatusBadge } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
import { graphql } from '../../gql';
import type { AuditEventActorType, AuditEventWhereInput } from '../../gql/graphql';
import { formatDateTime } from '../../lib/format';
import { actorType } from '../../lib/labels';

export const AuditEventsQuery = graphql(`
  query AuditEvents($first: Int!, $after: Cursor, $where: AuditEventWhereInput) {
    auditEvents(first: $first, after: $after, where: $where, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          id
          merchantID
          actorType
          actorID
          actorLabel
          action
          objectIds
          input
          createdAt
        }
      }
    }
  }
`);

const pageSize = 50;

/** Where an object id leads, from its type prefix (ord_, mer_ …), for PSP staff. */
export function objectLink(id: string, merchantId: string | null | undefined): string | undefined {
  if (id.startsWith('mer_')) {
    return `/merchants/${id}`;
  }
  if (id.startsWith('ord_') && merchantId) {
    return `/merchants/${merchantId}/orders/${id}`;
  }
  if (id.startsWith('set_')) {
    return `/settlements/${id}`;
  }
  return undefined;
}

/** "activateCompany" → "Activate company": actions are mutation names, shown as words. */
export function actionText(action: string): string {
  const words = action
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The recorded input (JSON, secrets already removed by the server), indented. */
function prettyJSON(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** PSP staff: who did what to which money, newest first. */
export function AuditPage() {
  const [open, setOpen] = useState<string | null>(null);
  const { values, set, anyFilter } = useUrlFilters({ action: '', actor: 'ALL' });
  const { action, actor } = values;
  const [debouncedAction] = useDebouncedValue(action, 250);
  const where: AuditEventWhereInput = {};
  if (debouncedAction.trim() !== '') {
    where.actionContainsFold = debouncedAction.trim();
  }
  if (actor !== 'ALL') {
    where.actorType = actor as AuditEventActorType;
  }
  const pager = useCursorPager(JSON.stringify(where));
  const [result] = useQuery({ query: AuditEventsQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = result.data?.auditEvents;

  return (
    <>
      <PageHeader title="Audit log" description="Every change to merchants, access and money, with who made it." />
      <ListPanel
        toolbar={
          <>
            <SearchInput label="Filter by action" placeholder="Filter by action, e.g. refund" value={action} onChange={(v) => set('action', v)} w={280} />
            <SegmentedControl
              aria-label="Actor"
              size="xs"
              value={actor}
              onChange={(value) => set('actor', value)}
              data={[
                { value: 'ALL', label: 'Everyone' },
                { value: 'USER', label: 'Users' },
                { value: 'API_KEY', label: 'API keys' },
                { value: 'SYSTEM', label: 'System' },
              ]}
            />
          </>
        }
        error={result.error}
        what="the audit log"
        pager={pager}
        pageSize={pageSize}
        connection={connection}
        noun="events"
      >
        <ListTable
          columns={[{ label: 'When', w: 190 }, { label: 'Who' }, { label: 'Action' }, { label: 'Objects' }]}
          loading={result.fetching && !connection}
          rows={nodesOf(connection)}
          empty={{
            title: anyFilter ? 'No events match' : 'Nothing recorded yet',
            description: 'Events appear here as soon as anyone changes merchants, access or money.',
          }}
          row={(event) => (
            <Fragment key={event.id}>
              <Table.Tr>
                <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatDateTime(event.createdAt)}
                </Table.Td>
                <Table.Td>
                  <Group gap={8} wrap="nowrap">
                    <StatusBadge styles={actorType} value={event.actorType} size="xs" />
                    <Text size="sm" truncate maw={260}>
                      {event.actorLabel ?? event.actorID ?? ''}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {actionText(event.action)}
                    </Text>
                    {event.input && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="gray"
                        aria-expanded={open === event.id}
                        onClick={() => setOpen(open === event.id ? null : event.id)}
                      >
                        {open === event.id ? 'Hide input' : 'Input'}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={8}>
                    {(event.objectIds ?? []).map((id) => {
                      const to = objectLink(id, event.merchantID);
                      return to ? (
                        <Anchor key={id} component={Link} to={to} ff="monospace" size="xs">
                          {id}
                        </Anchor>
                      ) : (
                        <IdText key={id}>{id}</IdText>
                      );
                    })}
                  </Group>
                </Table.Td>
              </Table.Tr>
              {open === event.id && event.input && (
                <Table.Tr>
                  <Table.Td colSpan={4} className="wrap" bg="var(--mantine-color-gray-0)">
                    <Code block fz="xs">
                      {prettyJSON(event.input)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          )}
        />
      </ListPanel>
    </>
  );
}
