import { Table, Text } from '@mantine/core';
import { MoneyText } from '../../components/Page';
import { formatQuantity } from '../../lib/format';
import type { OrderDetail } from './orderDetail';

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
