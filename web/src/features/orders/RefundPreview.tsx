import { Alert, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { MoneyText, StatusBadge } from '../../components/Page';
import { formatMoney, formatQuantity, type Money } from '../../lib/format';
import { refundType } from '../../lib/labels';

/** What previewRefund says a refund would do, in the dialog's terms. */
export interface RefundPreviewData {
  /** The total given back. */
  amount: Money;
  /** Each item line as the server resolved it (AUTO becomes RETURN and/or CANCEL). */
  lines: { key: string; name: string; sku: string; refundType: string; quantity: string; amount: Money }[];
  /** What the shopper owes after the refund. */
  amountAfter?: Money | null;
  /** The change to the merchant's payouts: negative when deducted from the next settlement, zero when nothing was paid out. */
  payoutEffect?: Money | null;
  /** The server's words on the payout effect, when it gives them. */
  payoutNote?: string | null;
}

function isZero(money: Money): boolean {
  return /^-?[0.]*$/.test(money.amount);
}

/** The preview of a refund: the resolved lines, the total, and what it does to payouts. */
export function RefundPreview({ preview }: { preview: RefundPreviewData }) {
  const effect = preview.payoutEffect;
  return (
    <Paper withBorder radius="md" p="md" bg="var(--mantine-color-gray-0)" aria-label="Refund preview" component="section">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600} size="sm">
            Preview
          </Text>
          <Text size="xs" c="dimmed">
            Nothing has been refunded yet
          </Text>
        </Group>
        <Table fz="sm" verticalSpacing={4}>
          <Table.Tbody>
            {preview.lines.map((line) => (
              <Table.Tr key={line.key}>
                <Table.Td pl={0}>
                  <StatusBadge styles={refundType} value={line.refundType} size="xs" />
                </Table.Td>
                <Table.Td>
                  {formatQuantity(line.quantity)} × {line.name}
                </Table.Td>
                <Table.Td ta="right" pr={0}>
                  <MoneyText value={line.amount} />
                </Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td pl={0} colSpan={2} fw={600}>
                Refund total
              </Table.Td>
              <Table.Td ta="right" pr={0}>
                <MoneyText value={preview.amount} fw={700} />
              </Table.Td>
            </Table.Tr>
            {preview.amountAfter && (
              <Table.Tr>
                <Table.Td pl={0} colSpan={2} c="dimmed">
                  The shopper then owes
                </Table.Td>
                <Table.Td ta="right" pr={0}>
                  <MoneyText value={preview.amountAfter} />
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
        {(effect || preview.payoutNote) && (
          <Alert role="note" color={effect && !isZero(effect) ? 'orange' : 'blue'} variant="light" p="xs" title="Effect on your payouts">
            <Text size="sm">
              {effect
                ? isZero(effect)
                  ? 'None: nothing of this was paid out to you yet.'
                  : `${formatMoney({ ...effect, amount: effect.amount.replace(/^-/, '') })} will be deducted from your next settlement.`
                : null}
              {preview.payoutNote ? ` ${preview.payoutNote}` : ''}
            </Text>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
