import { Alert, Button, Group, Loader, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import { addQuantity, isZeroDecimal, quantityProblem } from '../../lib/decimal';
import { formatMoney, formatQuantity } from '../../lib/format';
import { mapUserErrors, type UserErrorLike } from '../../lib/userErrors';
import { lineFieldTranslator, useLineSubmit } from './lineSubmit';
import { RefundPreview, type RefundPreviewData } from './RefundPreview';
import type { ItemRow, MutationOutcome } from './types';
import { RefusalAlert } from '../../components/RefusalAlert';
import { ItemCell, QuantityCell } from './ItemCell';

export type RefundTypeChoice = 'AUTO' | 'RETURN' | 'CANCEL';

export interface RefundLineInput {
  sku: string;
  refundType: RefundTypeChoice;
  quantity: string;
}

export interface RefundRequest {
  items: RefundLineInput[];
  reason: string | null;
}

export interface PreviewOutcome {
  userErrors: readonly UserErrorLike[];
  preview: RefundPreviewData | null;
}

interface Values {
  items: { sku: string; refundType: RefundTypeChoice; quantity: string }[];
  reason: string;
}

/**
 * What can still be refunded of an item with each type: RETURN the server's
 * returnableQuantity (a capture still pending at the provider cannot come back
 * yet), CANCEL its openQuantity, AUTO both. The UI computes no quantity rule of
 * its own, so it offers exactly what the server accepts.
 */
export function refundableOf(item: ItemRow, type: RefundTypeChoice): string {
  switch (type) {
    case 'RETURN':
      return item.returnableQuantity;
    case 'CANCEL':
      return item.openQuantity;
    case 'AUTO':
      return addQuantity(item.returnableQuantity, item.openQuantity);
  }
}

export function refundRequestOf(values: Values): { request: RefundRequest; rows: number[] } {
  const items: RefundLineInput[] = [];
  const rows: number[] = [];
  values.items.forEach((item, row) => {
    const quantity = item.quantity.trim();
    if (quantity !== '') {
      items.push({ sku: item.sku, refundType: item.refundType, quantity });
      rows.push(row);
    }
  });
  return { request: { items, reason: values.reason.trim() || null }, rows };
}

const typeOptions = [
  { value: 'AUTO', label: 'Automatic' },
  { value: 'RETURN', label: 'Return' },
  { value: 'CANCEL', label: 'Cancel' },
];

/**
 * Refund items of an order. Per item: RETURN (it came back), CANCEL (it will
 * not be sent) or AUTO (the server decides), and a quantity. Once the lines
 * are well-formed the server's previewRefund shows the amounts and the payout
 * effect; only then can the refund be confirmed, with the same input.
 */
export function RefundDialog({
  opened,
  onClose,
  items,
  onPreview,
  onRefund,
  onRefundAll,
}: {
  opened: boolean;
  onClose: () => void;
  items: readonly ItemRow[];
  onPreview: (request: RefundRequest) => Promise<PreviewOutcome>;
  onRefund: (request: RefundRequest) => Promise<MutationOutcome>;
  onRefundAll: (reason: string | null) => Promise<MutationOutcome>;
}) {
  const [preview, setPreview] = useState<{ key: string; data: RefundPreviewData } | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { items: items.map((item) => ({ sku: item.sku, refundType: 'AUTO', quantity: '' })), reason: '' },
    validate: {
      items: { quantity: (value) => (value.trim() === '' ? null : quantityProblem(value)) },
    },
  });
  const { general, setGeneral, busy, run } = useLineSubmit(form, () => {
    setPreview(null);
    setConfirmAll(false);
    onClose();
  });

  const { request, rows } = refundRequestOf(form.values);
  const wellFormed = request.items.length > 0 && request.items.every((line) => quantityProblem(line.quantity) === null);
  const requestKey = JSON.stringify(request);
  const [debouncedKey] = useDebouncedValue(wellFormed ? requestKey : '', 350);
  const latest = useRef('');

  // Ask the server for a preview whenever the well-formed lines settle.
  useEffect(() => {
    if (!opened || debouncedKey === '') {
      return;
    }
    latest.current = debouncedKey;
    const asked = JSON.parse(debouncedKey) as RefundRequest;
    const askedRows = rows;
    setPreviewing(true);
    onPreview(asked).then(
      (outcome) => {
        if (latest.current !== debouncedKey) {
          return;
        }
        setPreviewing(false);
        const mapped = mapUserErrors(outcome.userErrors, lineFieldTranslator(askedRows));
        form.setErrors(mapped.fields);
        setGeneral(mapped.general);
        setPreview(outcome.userErrors.length === 0 && outcome.preview ? { key: debouncedKey, data: outcome.preview } : null);
      },
      (error: unknown) => {
        if (latest.current === debouncedKey) {
          setPreviewing(false);
          setGeneral([error instanceof Error ? error.message : String(error)]);
        }
      },
    );
    // rows and form are derived from the same values as debouncedKey.
  }, [debouncedKey, opened]);

  const previewCurrent = preview !== null && preview.key === requestKey;

  const finish = (which: 'lines' | 'all', action: () => Promise<MutationOutcome>, errorRows: number[]) =>
    run(which, async () => ({ errors: await action(), rows: errorRows }));

  const submit = () => {
    if (!previewCurrent) {
      return;
    }
    void finish('lines', () => onRefund(request), rows);
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Refund items" size="xl" centered>
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Return: the item came back. Cancel: it will not be sent. Automatic: returns what was fulfilled and cancels the rest — for a partly fulfilled item only the whole remaining quantity.
          </Text>
          <RefusalAlert title="This refund is not possible" messages={general} />
          <Table verticalSpacing={6} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th ta="right">Returnable</Table.Th>
                <Table.Th ta="right">Open</Table.Th>
                <Table.Th w={150}>Type</Table.Th>
                <Table.Th w={190}>Quantity</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item, row) => {
                const type = form.values.items[row]?.refundType ?? 'AUTO';
                const refundable = refundableOf(item, type);
                const nothing = isZeroDecimal(refundableOf(item, 'AUTO'));
                return (
                  <Table.Tr key={item.id}>
                    <ItemCell item={item} />
                    <Table.Td ta="right">{formatQuantity(item.returnableQuantity)}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(item.openQuantity)}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Refund type of ${item.name}`}
                        data={typeOptions}
                        allowDeselect={false}
                        size="xs"
                        disabled={nothing}
                        {...form.getInputProps(`items.${row}.refundType`)}
                      />
                    </Table.Td>
                    <QuantityCell
                      label={`Quantity to refund of ${item.name}`}
                      allLabel={`Refund all of ${item.name}`}
                      placeholder={nothing ? 'Nothing left' : '0'}
                      disabled={nothing}
                      allDisabled={nothing || isZeroDecimal(refundable)}
                      input={form.getInputProps(`items.${row}.quantity`)}
                      onAll={() => form.setFieldValue(`items.${row}.quantity`, refundable)}
                    />
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <TextInput label="Reason" placeholder="e.g. Damaged in transit" description="Kept with the refund and shown to support" {...form.getInputProps('reason')} />
          {previewing && !previewCurrent ? (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm" c="dimmed">
                Calculating the refund…
              </Text>
            </Group>
          ) : previewCurrent ? (
            <RefundPreview preview={preview.data} />
          ) : request.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              Enter a quantity to see what the refund does before you confirm it.
            </Text>
          ) : null}
          {confirmAll ? (
            <Alert color="orange" title="Refund everything that is left?">
              <Group justify="space-between" mt="xs">
                <Text size="sm">Every fulfilled item is returned and every open item cancelled.</Text>
                <Group gap="xs">
                  <Button size="xs" variant="default" onClick={() => setConfirmAll(false)}>
                    No
                  </Button>
                  <Button size="xs" color="orange" loading={busy === 'all'} onClick={() => void finish('all', () => onRefundAll(form.values.reason.trim() || null), [])}>
                    Refund everything
                  </Button>
                </Group>
              </Group>
            </Alert>
          ) : null}
          <Group justify="space-between">
            <Button variant="light" color="orange" disabled={busy !== null || confirmAll} onClick={() => setConfirmAll(true)}>
              Refund everything left
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" color="red" disabled={!previewCurrent || busy === 'all'} loading={busy === 'lines'}>
                {previewCurrent ? `Refund ${formatMoney(preview.data.amount)}` : 'Refund'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
