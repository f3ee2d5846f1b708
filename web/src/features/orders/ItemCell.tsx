import { Button, Group, Table, Text, TextInput } from '@mantine/core';
import type { GetInputPropsReturnType } from '@mantine/form';

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

/**
 * The quantity cell of an item row in the fulfil and refund dialogs: the input
 * (props from the form) and an "All" button that fills in `all`.
 */
export function QuantityCell({
  label,
  allLabel,
  placeholder,
  disabled,
  allDisabled,
  input,
  onAll,
}: {
  label: string;
  allLabel: string;
  placeholder: string;
  disabled: boolean;
  allDisabled: boolean;
  input: GetInputPropsReturnType;
  onAll: () => void;
}) {
  return (
    <Table.Td>
      <Group gap={6} wrap="nowrap" align="flex-start">
        <TextInput
          aria-label={label}
          placeholder={placeholder}
          inputMode="decimal"
          autoComplete="off"
          disabled={disabled}
          size="xs"
          style={{ flex: 1 }}
          {...input}
        />
        <Button size="xs" variant="default" disabled={allDisabled} onClick={onAll} aria-label={allLabel}>
          All
        </Button>
      </Group>
    </Table.Td>
  );
}
