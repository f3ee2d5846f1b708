import { Table, Text } from '@mantine/core';

/** The first cell of an item row in the fulfil and refund dialogs: the item's name over its SKU. */
export function ItemCell({ item }: { item: { name: string; sku: string } }) {
  return (
    <Table.Td className="wrap">
      <Text size="sm" fw={500}>
        {item.name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {item.sku}
      </Text>
    </Table.Td>
  );
}
