import { Grid, Group, Stack, Table, Text, Timeline } from '@mantine/core';
import type { ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import {
  DetailList,
  EmptyState,
  IdText,
  LoadingBlock,
  MoneyText,
  PageHeader,
  QueryError,
  Section,
  Stat,
  StatusBadge,
} from '../../components/Page';
import { graphql } from '../../gql';
import type { OrderDetailQuery } from '../../gql/graphql';
import { formatDate, formatDateTime, formatMoney, formatQuantity } from '../../lib/format';
import {
  fulfilmentStatus,
  labelOf,
  operationStatus,
  orderStatus,
  productTypeLabels,
  providerLabels,
  refundType,
} from '../../lib/labels';
import { OrderActions } from './OrderActions';

export const OrderDetailQueryDocument = graphql(`
  query OrderDetail($id: ID!) {
    node(id: $id) {
      __typename
      ... on Order {
        id
        reference
        status
        fulfilmentStatus
        provider
        productType
        providerReference
        currency
        lang
        firstName
        lastName
        email
        phone
        createdAt
        confirmedAt
        payoutDate
        initialAmount {
          ...MoneyFields
        }
        amount {
          ...MoneyFields
        }
        fulfilledAmount {
          ...MoneyFields
        }
        refundedAmount {
          ...MoneyFields
        }
        billingAddress {
          street
          city
          postalCode
          country
        }
        deliveryAddress {
          street
          city
          postalCode
          country
        }
        shop {
          id
          name
        }
        company {
          id
          legalName
        }
        items {
          id
          position
          sku
          name
          quantity
          fulfilledQuantity
          cancelledQuantity
          returnedQuantity
          openQuantity
          returnableQuantity
          vatRate
          unitPrice {
            ...MoneyFields
          }
          total {
            ...MoneyFields
          }
          fulfilledAmount {
            ...MoneyFields
          }
          cancelledAmount {
            ...MoneyFields
          }
          returnedAmount {
            ...MoneyFields
          }
        }
        fulfilments {
          id
          status
          createdAt
          completedAt
          payoutDate
          failureReason
          providerOperationID
          amount {
            ...MoneyFields
          }
          lines {
            id
            quantity
            amount {
              ...MoneyFields
            }
            item {
              id
              sku
              name
            }
          }
        }
        refunds {
          id
          status
          createdAt
          completedAt
          reason
          failureReason
          providerOperationID
          amount {
            ...MoneyFields
          }
          lines {
            id
            refundType
            quantity
            amount {
              ...MoneyFields
            }
            item {
              id
              sku
              name
            }
          }
        }
      }
    }
  }
`);

export type OrderDetail = Extract<NonNullable<OrderDetailQuery['node']>, { __typename: 'Order' }>;

function addressText(address: OrderDetail['billingAddress'] | null | undefined): ReactNode {
  if (!address) {
    return null;
  }
  const lines = [address.street, [address.postalCode, address.city].filter(Boolean).join(' '), address.country].filter(
    (line): line is string => Boolean(line),
  );
  return (
    <>
      {lines.map((line) => (
        <span key={line} style={{ display: 'block' }}>
          {line}
        </span>
      ))}
    </>
  );
}

interface TimelineEvent {
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

function QuantityCell({ value, dim }: { value: string; dim?: boolean }) {
  const zero = /^[0.]*$/.test(value);
  return (
    <Table.Td ta="right" c={zero || dim ? 'dimmed' : undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
      {formatQuantity(value)}
    </Table.Td>
  );
}

export function ItemsTable({ order }: { order: OrderDetail }) {
  const items = order.items ?? [];
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
        <Table.Thead bg="var(--mantine-color-gray-0)">
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th ta="right">Unit price</Table.Th>
            <Table.Th ta="right">Ordered</Table.Th>
            <Table.Th ta="right">Fulfilled</Table.Th>
            <Table.Th ta="right">Cancelled</Table.Th>
            <Table.Th ta="right">Returned</Table.Th>
            <Table.Th ta="right">Open</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id}>
              <Table.Td className="wrap">
                <Text size="sm" fw={500}>
                  {item.name}
                </Text>
                <Text size="xs" c="dimmed">
                  <Text span ff="monospace" size="xs">
                    {item.sku}
                  </Text>{' '}
                  · VAT {item.vatRate}%
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <MoneyText value={item.unitPrice} />
              </Table.Td>
              <QuantityCell value={item.quantity} />
              <QuantityCell value={item.fulfilledQuantity} />
              <QuantityCell value={item.cancelledQuantity} />
              <QuantityCell value={item.returnedQuantity} />
              <Table.Td ta="right" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {formatQuantity(item.openQuantity)}
              </Table.Td>
              <Table.Td ta="right">
                <MoneyText value={item.total} fw={500} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function OrderView({ order, actions, back }: { order: OrderDetail; actions?: ReactNode; back: { to: string; label: string } }) {
  const customer = [order.firstName, order.lastName].filter(Boolean).join(' ');
  const events = timelineOf(order);
  return (
    <>
      <PageHeader
        back={back}
        title={order.reference}
        badges={
          <>
            <StatusBadge styles={orderStatus} value={order.status} size="md" />
            <StatusBadge styles={fulfilmentStatus} value={order.fulfilmentStatus} size="md" />
          </>
        }
        description={
          <>
            {labelOf(providerLabels, order.provider)} · {labelOf(productTypeLabels, order.productType)} · created {formatDateTime(order.createdAt)}
          </>
        }
        actions={actions}
      />
      <Stack gap="md">
        <Grid gutter="md">
          <Grid.Col span={{ base: 6, md: 3 }}>
            <Stat label="Amount due" value={formatMoney(order.amount)} hint="What the shopper owes now" />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 3 }}>
            <Stat label="Ordered" value={formatMoney(order.initialAmount)} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 3 }}>
            <Stat label="Fulfilled" value={formatMoney(order.fulfilledAmount)} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 3 }}>
            <Stat label="Refunded" value={formatMoney(order.refundedAmount)} />
          </Grid.Col>
        </Grid>
        <Section title="Items" padded={false}>
          {(order.items ?? []).length === 0 ? <EmptyState title="No items" /> : <ItemsTable order={order} />}
        </Section>
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Section title="Activity" description="Fulfilments and refunds with their status at the provider">
              <Timeline active={events.length} bulletSize={14} lineWidth={2}>
                {events.map((event) => (
                  <Timeline.Item key={event.key} color={event.color} title={<Text size="sm" fw={600} component="div">{event.title}</Text>}>
                    <Text size="xs" c="dimmed" mb={2}>
                      {formatDateTime(event.at)}
                    </Text>
                    {typeof event.body === 'string' ? <Text size="xs" c="dimmed">{event.body}</Text> : event.body}
                  </Timeline.Item>
                ))}
              </Timeline>
            </Section>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="md">
              <Section title="Customer">
                <DetailList
                  items={[
                    { label: 'Name', value: customer || '—' },
                    { label: 'Email', value: order.email || '—' },
                    { label: 'Phone', value: order.phone || '—' },
                    { label: 'Billing address', value: addressText(order.billingAddress) },
                    ...(order.deliveryAddress ? [{ label: 'Delivery address', value: addressText(order.deliveryAddress) }] : []),
                  ]}
                />
              </Section>
              <Section title="Payment">
                <DetailList
                  items={[
                    { label: 'Provider', value: labelOf(providerLabels, order.provider) },
                    { label: 'Product', value: labelOf(productTypeLabels, order.productType) },
                    { label: 'Provider reference', value: order.providerReference ? <IdText>{order.providerReference}</IdText> : '—' },
                    { label: 'Confirmed', value: order.confirmedAt ? formatDateTime(order.confirmedAt) : 'Not yet' },
                    ...(order.payoutDate ? [{ label: 'Payout date', value: formatDate(order.payoutDate) }] : []),
                    { label: 'Shop', value: order.shop.name },
                    { label: 'Company', value: order.company.legalName },
                    { label: 'Order id', value: <IdText>{order.id}</IdText> },
                  ]}
                />
              </Section>
            </Stack>
          </Grid.Col>
        </Grid>
      </Stack>
    </>
  );
}

/** A merchant's order: its items, amounts, and a timeline of fulfilments and refunds, with the fulfil and refund actions. */
export function OrderPage() {
  const { id = '' } = useParams();
  const [result, reexecute] = useQuery({ query: OrderDetailQueryDocument, variables: { id } });
  const order = result.data?.node?.__typename === 'Order' ? result.data.node : undefined;
  const back = { to: '/orders', label: 'Orders' };

  if (result.error) {
    return (
      <>
        <PageHeader back={back} title="Order" />
        <QueryError error={result.error} what="the order" />
      </>
    );
  }
  if (!order) {
    return result.fetching || !result.data ? (
      <LoadingBlock label="Loading the order" />
    ) : (
      <>
        <PageHeader back={back} title="Order not found" />
        <EmptyState title="There is no such order" description="It may belong to another merchant, or the link is wrong." />
      </>
    );
  }
  return (
    <OrderView
      order={order}
      back={back}
      actions={<OrderActions order={order} onChanged={() => reexecute({ requestPolicy: 'network-only' })} />}
    />
  );
}

/** PSP staff: a merchant's order, read-only. */
export function PspOrderPage() {
  const { merchantId = '', id = '' } = useParams();
  const [result, reexecute] = useQuery({ query: OrderDetailQueryDocument, variables: { id } });
  const order = result.data?.node?.__typename === 'Order' ? result.data.node : undefined;
  const back = { to: `/merchants/${merchantId}?tab=orders`, label: 'Merchant' };
  if (result.error) {
    return <QueryError error={result.error} what="the order" />;
  }
  if (!order) {
    return result.fetching || !result.data ? <LoadingBlock label="Loading the order" /> : <EmptyState title="There is no such order" />;
  }
  return <OrderView order={order} back={back} actions={<OrderActions order={order} onChanged={() => reexecute({ requestPolicy: 'network-only' })} />} />;
}
