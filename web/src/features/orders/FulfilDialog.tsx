import { Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { compareDecimal, isZeroDecimal, quantityProblem } from '../../lib/decimal';
import { formatQuantity } from '../../lib/format';
import type { ItemRow, MutationOutcome } from './types';
import { RefusalAlert } from '../../components/RefusalAlert';
import { ItemCell, QuantityCell } from './ItemCell';
import { useLineSubmit } from './lineSubmit';

export interface FulfilLine {
  sku: string;
  quantity: string;
}

interface Values {
  items: { sku: string; quantity: string }[];
}

/**
 * The lines of the fulfil form that have a quantity, and for each the row of
 * the form it came from (so the server's ["items", "0", …] finds its row).
 */
export function fulfilLinesOf(values: Values): { lines: FulfilLine[]; rows: number[] } {
  const lines: FulfilLine[] = [];
  const rows: number[] = [];
  values.items.forEach((item, row) => {
    const quantity = item.quantity.trim();
    if (quantity !== '') {
      lines.push({ sku: item.sku, quantity });
      rows.push(row);
    }
  });
  return { lines, rows };
}

/**
 * Fulfil chosen quantities of an order's items. Quantities are checked here
 * for their format only (a number with at most 3 decimals); how much may be
 * fulfilled is the server's rule, and its refusal is shown beside the item.
 */
export function FulfilDialog({
  opened,
  onClose,
  items,
  onFulfil,
  onFulfilAll,
}: {
  opened: boolean;
  onClose: () => void;
  items: readonly ItemRow[];
  onFulfil: (lines: FulfilLine[]) => Promise<MutationOutcome>;
  onFulfilAll: () => Promise<MutationOutcome>;
}) {
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { items: items.map((item) => ({ sku: item.sku, quantity: '' })) },
    validate: {
      items: {
        quantity: (value) => (value.trim() === '' ? null : quantityProblem(value)),
      },
    },
  });
  const anyOpen = items.some((item) => !isZeroDecimal(item.openQuantity));

  const { general, setGeneral, busy, run } = useLineSubmit(form, onClose);

  const submit = (values: Values) => {
    const { lines, rows } = fulfilLinesOf(values);
    if (lines.length === 0) {
      setGeneral(['Enter a quantity for at least one item']);
      return;
    }
    void run('lines', async () => ({ errors: await onFulfil(lines), rows }));
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Fulfil items" size="xl" centered>
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Enter what you are shipping now. Fractions are allowed where the provider accepts them, e.g. 1.5 metres.
          </Text>
          <RefusalAlert title="The items were not fulfilled" messages={general} />
          <Table verticalSpacing={6} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th ta="right">Ordered</Table.Th>
                <Table.Th ta="right">Fulfilled</Table.Th>
                <Table.Th ta="right">Open</Table.Th>
                <Table.Th w={200}>Fulfil now</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item, row) => {
                const open = !isZeroDecimal(item.openQuantity) && compareDecimal(item.openQuantity, '0') > 0;
                return (
                  <Table.Tr key={item.id}>
                    <ItemCell item={item} />
                    <Table.Td ta="right">{formatQuantity(item.quantity)}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(item.fulfilledQuantity)}</Table.Td>
                    <Table.Td ta="right" fw={600}>
                      {formatQuantity(item.openQuantity)}
                    </Table.Td>
                    <QuantityCell
                      label={`Quantity to fulfil of ${item.name}`}
                      allLabel={`Fulfil all open of ${item.name}`}
                      placeholder={open ? '0' : 'Nothing open'}
                      disabled={!open}
                      allDisabled={!open}
                      input={form.getInputProps(`items.${row}.quantity`)}
                      onAll={() => form.setFieldValue(`items.${row}.quantity`, item.openQuantity)}
                    />
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Button
              variant="light"
              disabled={!anyOpen || busy !== null}
              loading={busy === 'all'}
              onClick={() => void run('all', async () => ({ errors: await onFulfilAll(), rows: [] }))}
            >
              Fulfil everything open
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={!anyOpen || busy === 'all'} loading={busy === 'lines'}>
                Fulfil
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
