import { Grid, Stack, Text, Timeline } from '@mantine/core';
import type { ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { DetailList, EmptyState, IdText, LoadingBlock, PageHeader, QueryError, Section, Stat, StatusBadge } from '../../components/Page';
import { formatDate, formatDateTime, formatMoney } from '../../lib/format';
import { fulfilmentStatus, labelOf, orderStatus, productTypeLabels, providerLabels } from '../../lib/labels';
import { ItemsTable } from './ItemsTable';
import { OrderActions } from './OrderActions';
import { OrderMismatchFlag } from '../reconciliation/OrderMismatchFlag';
import { OrderDetailQueryDocument, type OrderDetail } from './orderDetail';
import { timelineOf } from './OrderTimeline';

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
  return (
    <>
      <OrderMismatchFlag orderId={order.id} />
      <OrderView order={order} back={back} actions={<OrderActions order={order} onChanged={() => reexecute({ requestPolicy: 'network-only' })} />} />
    </>
  );
}
