import { Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { QueryError, Section } from '../../components/Page';
import { formatDateTime } from '../../lib/format';
import { refusalOf } from '../../lib/userErrors';
import { DeliveryList } from './Deliveries';
import { OrderEventsQuery, RedeliverEventMutation } from './queries';

/**
 * The order's events in sequence order with every delivery attempt, and a Resend
 * button that delivers an event again now (redeliverEvent).
 */
export function OrderEvents({ orderId, canResend }: { orderId: string; canResend: boolean }) {
  const [result, reexecute] = useQuery({ query: OrderEventsQuery, variables: { id: orderId } });
  const [, redeliver] = useMutation(RedeliverEventMutation);
  const [message, setMessage] = useState<string | null>(null);
  const events = result.data?.node?.__typename === 'Order' ? result.data.node.events : [];
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  const resend = async (eventId: string) => {
    setMessage(null);
    const r = await redeliver({ input: { eventId } });
    const errs = r.data?.redeliverEvent.userErrors ?? [];
    setMessage(r.error ? (refusalOf(r.error) ?? 'Not resent') : errs.length > 0 ? errs.map((e) => e.message).join('; ') : 'Queued: the attempt shows here in a moment');
    window.setTimeout(refresh, 1500);
  };

  return (
    <Section
      title="Events"
      description="What your integration was sent, with every delivery attempt"
      actions={
        <Button size="xs" variant="subtle" onClick={refresh}>
          Refresh
        </Button>
      }
    >
      {result.error ? (
        <QueryError error={result.error} what="the events" />
      ) : events.length === 0 ? (
        <Text size="sm" c="dimmed">
          No events yet
        </Text>
      ) : (
        <Stack gap="sm" data-testid="order-events">
          {message && (
            <Text size="xs" c="dimmed" role="status">
              {message}
            </Text>
          )}
          {events.map((ev) => (
            <Stack key={ev.id} gap={4} data-testid="order-event">
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" fw={600}>
                  #{ev.sequence} {ev.type.replaceAll('_', ' ').toLowerCase()}
                  <Text span size="xs" c="dimmed" ml={8}>
                    {formatDateTime(ev.createdAt)}
                  </Text>
                </Text>
                {canResend && (
                  <Button size="compact-xs" variant="light" onClick={() => void resend(ev.id)}>
                    Resend
                  </Button>
                )}
              </Group>
              <DeliveryList deliveries={ev.deliveries} />
            </Stack>
          ))}
        </Stack>
      )}
    </Section>
  );
}
