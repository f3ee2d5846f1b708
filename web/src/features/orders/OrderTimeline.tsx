import { Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { IdText, StatusBadge } from '../../components/Page';
import { formatDate, formatMoney, formatQuantity } from '../../lib/format';
import { labelOf, operationStatus, productTypeLabels, providerLabels, refundType } from '../../lib/labels';
import type { OrderDetail } from './orderDetail';

export interface TimelineEvent {
  key: string;
  at: string;
  title: ReactNode;
  body?: ReactNode;
  color: string;
}

/** Everything that happened to the order, oldest first. */
export function timelineOf(order: OrderDetail): TimelineEvent[] {
  const events: TimelineEvent[] = [
    { key: 'created', at: order.createdAt, title: 'Order created', color: 'gray', body: `${formatMoney(order.initialAmount)} with ${labelOf(providerLabels, order.provider)}` },
  ];
  if (order.confirmedAt) {
    events.push({ key: 'confirmed', at: order.confirmedAt, title: 'Payment confirmed', color: 'green', body: labelOf(productTypeLabels, order.productType) });
  }
  for (const f of order.fulfilments ?? []) {
    events.push({
      key: f.id,
      at: f.createdAt,
      color: styleColor(f.status),
      title: (
        <Group gap={8}>
          <span>Fulfilled {formatMoney(f.amount)}</span>
          <StatusBadge styles={operationStatus} value={f.status} size="xs" />
        </Group>
      ),
      body: (
        <Stack gap={2}>
          {(f.lines ?? []).map((line) => (
            <Text key={line.id} size="xs" c="dimmed">
              {formatQuantity(line.quantity)} × {line.item.name} · {formatMoney(line.amount)}
            </Text>
          ))}
          {f.payoutDate && (
            <Text size="xs" c="dimmed">
              Paid out with the settlement on or after {formatDate(f.payoutDate)}
            </Text>
          )}
          {f.failureReason && (
            <Text size="xs" c="red">
              {f.failureReason}
            </Text>
          )}
          {f.providerOperationID && (
            <Text size="xs" c="dimmed">
              Provider reference <IdText>{f.providerOperationID}</IdText>
            </Text>
          )}
        </Stack>
      ),
    });
  }
  for (const r of order.refunds ?? []) {
    events.push({
      key: r.id,
      at: r.createdAt,
      color: styleColor(r.status, 'grape'),
      title: (
        <Group gap={8}>
          <span>Refunded {formatMoney(r.amount)}</span>
          <StatusBadge styles={operationStatus} value={r.status} size="xs" />
        </Group>
      ),
      body: (
        <Stack gap={2}>
          {(r.lines ?? []).map((line) => (
            <Group key={line.id} gap={6}>
              <StatusBadge styles={refundType} value={line.refundType} size="xs" />
              <Text size="xs" c="dimmed">
                {formatQuantity(line.quantity)} × {line.item.name} · {formatMoney(line.amount)}
              </Text>
            </Group>
          ))}
          {r.reason && (
            <Text size="xs" c="dimmed">
              Reason: {r.reason}
            </Text>
          )}
          {r.failureReason && (
            <Text size="xs" c="red">
              {r.failureReason}
            </Text>
          )}
        </Stack>
      ),
    });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

function styleColor(status: string, succeeded = 'teal'): string {
  return status === 'FAILED' ? 'red' : status === 'PENDING' ? 'yellow' : succeeded;
}
