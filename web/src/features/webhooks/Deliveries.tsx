import { Badge, Group, Stack, Text } from '@mantine/core';
import { formatDateTime } from '../../lib/format';

/** A delivery attempt's fields (DeliveryFields). */
export interface DeliveryLike {
  attempt: number;
  url: string;
  at: string;
  responseStatus?: number | null;
  error?: string | null;
  durationMs: number;
  outcome: string;
}

/** The chip of one attempt: green when acknowledged, red otherwise, with the answer's code. */
export function DeliveryChip({ delivery }: { delivery: DeliveryLike }) {
  const ok = delivery.outcome === 'SUCCEEDED';
  const label = delivery.responseStatus ? String(delivery.responseStatus) : delivery.outcome.replace('_', ' ').toLowerCase();
  return (
    <Badge color={ok ? 'green' : 'red'} variant="light" size="xs" radius="sm" tt="none" data-testid="delivery-chip" data-outcome={delivery.outcome}>
      #{delivery.attempt} {label} · {delivery.durationMs} ms
    </Badge>
  );
}

/** The attempts of an event, oldest first, each with its time and error. */
export function DeliveryList({ deliveries }: { deliveries: readonly DeliveryLike[] }) {
  if (deliveries.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        Not delivered yet (no callback URL or webhook endpoint takes it, or it is queued)
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {deliveries.map((d) => (
        <Group key={`${d.url}-${d.attempt}-${d.at}`} gap={6} wrap="nowrap">
          <DeliveryChip delivery={d} />
          <Text size="xs" c="dimmed" truncate maw={320} title={d.url}>
            {formatDateTime(d.at)} · {d.url}
          </Text>
          {d.error && (
            <Text size="xs" c="red" truncate maw={240} title={d.error}>
              {d.error}
            </Text>
          )}
        </Group>
      ))}
    </Stack>
  );
}
