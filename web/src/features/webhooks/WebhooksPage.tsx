import { Badge, Button, Group, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { EmptyState, LoadingBlock, PageHeader, QueryError, Section } from '../../components/Page';
import { PlusIcon } from '../../components/icons';
import { formatDateTime } from '../../lib/format';
import { useMyMerchant } from '../../lib/viewer';
import { DeliveryChip } from './Deliveries';
import { EndpointDialog, RollSecretDialog } from './EndpointDialogs';
import { DeleteWebhookEndpointMutation, RedeliverEventMutation, UpdateWebhookEndpointMutation, WebhookEndpointsQuery } from './queries';

type Filter = 'all' | 'failed' | 'succeeded';

/**
 * A merchant admin's webhook endpoints: add, edit, disable, roll the secret, delete;
 * each one's failure rate and why it was disabled; the recent delivery attempts,
 * filtered by outcome and endpoint, each resendable.
 */
export function WebhooksPage() {
  const { user } = useAuth();
  const canManage = user?.role === 'MERCHANT_ADMIN';
  const mine = useMyMerchant();
  const merchantId = mine.merchant?.id ?? '';
  const [result, reexecute] = useQuery({ query: WebhookEndpointsQuery, variables: { merchantId }, pause: merchantId === '' || !canManage });
  const [, update] = useMutation(UpdateWebhookEndpointMutation);
  const [, remove] = useMutation(DeleteWebhookEndpointMutation);
  const [, redeliver] = useMutation(RedeliverEventMutation);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<{ id: string; url: string; eventTypes: readonly string[] } | null>(null);
  const [rolling, setRolling] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [endpointFilter, setEndpointFilter] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  if (!canManage) {
    return <EmptyState title="Webhooks are for merchant admins" />;
  }
  if (mine.error) {
    return <QueryError error={mine.error} what="your merchant" />;
  }
  if (mine.fetching && !mine.merchant) {
    return <LoadingBlock label="Loading webhooks" />;
  }
  const companies = result.data?.node?.__typename === 'Merchant' ? (result.data.node.companies ?? []) : [];
  const endpoints = companies.flatMap((c) => (c.webhookEndpoints ?? []).map((ep) => ({ ...ep, company: c.legalName })));
  const deliveries = endpoints
    .filter((ep) => endpointFilter === null || ep.id === endpointFilter)
    .flatMap((ep) => ep.deliveries.map((d) => ({ ...d, endpointId: ep.id })))
    .filter((d) => filter === 'all' || (filter === 'failed') === (d.outcome !== 'SUCCEEDED'))
    .sort((a, b) => b.at.localeCompare(a.at));

  const act = async (what: Promise<{ error?: unknown; data?: unknown }>, done: string) => {
    const r = await what;
    setNotice(r.error ? `Not done: ${String(r.error)}` : done);
    refresh();
  };

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints that receive your orders' and settlements' events, signed with Backoffice-Signature, and every delivery attempt."
        actions={
          <Button leftSection={<PlusIcon size={16} />} onClick={() => setAdding(true)}>
            Add endpoint
          </Button>
        }
      />
      <Stack gap="md">
        {notice && (
          <Text size="sm" c="dimmed" role="status">
            {notice}
          </Text>
        )}
        <Paper withBorder radius="md">
          {result.error ? (
            <QueryError error={result.error} what="the endpoints" />
          ) : endpoints.length === 0 ? (
            <EmptyState title="No endpoints yet" description="Add the URL of your system that should hear of payments, fulfilments, refunds and settlements." />
          ) : (
            <Table.ScrollContainer minWidth={820}>
              <Table verticalSpacing={10} horizontalSpacing="md" fz="sm" data-testid="webhook-endpoints">
                <Table.Thead bg="var(--mantine-color-gray-0)">
                  <Table.Tr>
                    <Table.Th>URL</Table.Th>
                    <Table.Th>Events</Table.Th>
                    <Table.Th>Failure rate (7 days)</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {endpoints.map((ep) => (
                    <Table.Tr key={ep.id} data-testid="webhook-endpoint">
                      <Table.Td>
                        <Text size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
                          {ep.url}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {ep.company} · added {formatDateTime(ep.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs">{ep.eventTypes.length === 0 ? 'All types' : ep.eventTypes.join(', ')}</Text>
                      </Table.Td>
                      <Table.Td>{Math.round(ep.failureRate * 100)} %</Table.Td>
                      <Table.Td>
                        <Badge color={ep.disabled ? 'red' : 'green'} variant="light" size="sm" radius="sm" tt="none">
                          {ep.disabled ? 'Disabled' : 'Active'}
                        </Badge>
                        {ep.disabledReason && (
                          <Text size="xs" c="red" maw={260}>
                            {ep.disabledReason}
                          </Text>
                        )}
                        {ep.previousSecretExpiresAt && new Date(ep.previousSecretExpiresAt) > new Date() && (
                          <Text size="xs" c="dimmed">
                            old secret signs until {formatDateTime(ep.previousSecretExpiresAt)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Button size="xs" variant="subtle" onClick={() => setEditing(ep)}>
                            Edit
                          </Button>
                          <Button
                            size="xs"
                            variant="subtle"
                            onClick={() => void act(update({ input: { webhookEndpointId: ep.id, disabled: !ep.disabled } }), ep.disabled ? 'Enabled' : 'Disabled')}
                          >
                            {ep.disabled ? 'Enable' : 'Disable'}
                          </Button>
                          <Button size="xs" variant="subtle" onClick={() => setRolling(ep.id)}>
                            Roll secret
                          </Button>
                          <Button size="xs" variant="subtle" color="red" onClick={() => void act(remove({ input: { webhookEndpointId: ep.id } }), 'Deleted')}>
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
        <Section
          title="Recent deliveries"
          description="The latest attempts per endpoint; Resend delivers the event again now"
          actions={
            <Group gap="xs" wrap="nowrap">
              <Select
                size="xs"
                aria-label="Outcome"
                value={filter}
                onChange={(v) => setFilter((v as Filter | null) ?? 'all')}
                data={[
                  { value: 'all', label: 'All outcomes' },
                  { value: 'failed', label: 'Failed' },
                  { value: 'succeeded', label: 'Succeeded' },
                ]}
              />
              <Select
                size="xs"
                aria-label="Endpoint"
                placeholder="All endpoints"
                clearable
                value={endpointFilter}
                onChange={setEndpointFilter}
                data={endpoints.map((ep) => ({ value: ep.id, label: ep.url }))}
              />
              <Button size="xs" variant="subtle" onClick={refresh}>
                Refresh
              </Button>
            </Group>
          }
        >
          {deliveries.length === 0 ? (
            <Text size="sm" c="dimmed">
              No deliveries
            </Text>
          ) : (
            <Stack gap={6} data-testid="webhook-deliveries">
              {deliveries.map((d) => (
                <Group key={`${d.endpointId}-${d.event.id}-${d.attempt}`} gap={8} wrap="nowrap" data-testid="webhook-delivery">
                  <DeliveryChip delivery={d} />
                  <Text size="xs" style={{ whiteSpace: 'nowrap' }}>
                    {d.event.type}
                    {d.event.order ? ` · ${d.event.order.reference} #${d.event.sequence}` : ''}
                  </Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(d.at)}
                  </Text>
                  <Text size="xs" c="red" truncate maw={280} title={d.error ?? undefined}>
                    {d.error}
                  </Text>
                  <Button size="compact-xs" variant="light" ml="auto" onClick={() => void act(redeliver({ input: { eventId: d.event.id } }), 'Resend queued')}>
                    Resend
                  </Button>
                </Group>
              ))}
            </Stack>
          )}
        </Section>
      </Stack>
      <EndpointDialog
        key={editing?.id ?? (adding ? 'new' : 'closed')}
        opened={adding || editing !== null}
        onClose={() => {
          setAdding(false);
          setEditing(null);
        }}
        companies={mine.merchant?.companies ?? []}
        endpoint={editing}
        onSaved={refresh}
      />
      <RollSecretDialog endpointId={rolling} onClose={() => setRolling(null)} onRolled={refresh} />
    </>
  );
}
