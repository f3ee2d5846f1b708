import { Alert, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { MoneyText, StatusBadge } from '../../components/Page';
import { formatDate, formatMoney, formatQuantity, type Money } from '../../lib/format';
import { refundType } from '../../lib/labels';

/** What previewRefund says a refund would do, in the dialog's terms. */
export interface RefundPreviewData {
  /** The total given back. */
  amount: Money;
  /** Each item line as the server resolved it (AUTO becomes RETURN and/or CANCEL). */
  lines: { key: string; name: string; sku: string; refundType: string; quantity: string; amount: Money }[];
  /** What the shopper owes after the refund. */
  amountAfter?: Money | null;
  /** Deducted from the merchant's next settlement (on `deductedOn`). */
  deducted?: Money | null;
  deductedOn?: string | null;
  /** Only lowers what the shopper owes: nothing was paid out for it. */
  owedReduction?: Money | null;
  /** The server's words on the payout effect. */
  explanation?: string | null;
}

function isZero(money: Money | null | undefined): boolean {
  return !money || /^-?[0.]*$/.test(money.amount);
}

function positive(money: Money): Money {
  return { ...money, amount: money.amount.replace(/^-/, '') };
}

/** The preview of a refund: the resolved lines, the total, and what it does to payouts. */
export function RefundPreview({ preview }: { preview: RefundPreviewData }) {
  const deducts = !isZero(preview.deducted);
  const lowersOwed = !isZero(preview.owedReduction);
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
                <Table.Td pl={0} w={90}>
                  <StatusBadge styles={refundType} value={line.refundType} size="xs" />
                </Table.Td>
                <Table.Td className="wrap">
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
        <Alert role="note" color={deducts ? 'orange' : 'blue'} variant="light" p="xs" title="Effect on your payouts">
          <Stack gap={2}>
            {deducts && preview.deducted && (
              <Text size="sm">
                {formatMoney(positive(preview.deducted))} will be deducted from your{' '}
                {preview.deductedOn ? `settlement of ${formatDate(preview.deductedOn)}` : 'next settlement'}.
              </Text>
            )}
            {lowersOwed && preview.owedReduction && (
              <Text size="sm">{formatMoney(positive(preview.owedReduction))} only lowers what the shopper owes: nothing of it was paid out to you.</Text>
            )}
            {!deducts && !lowersOwed && <Text size="sm">None: nothing of this was paid out to you yet.</Text>}
            {preview.explanation && (
              <Text size="xs" c="dimmed">
                {preview.explanation}
              </Text>
            )}
          </Stack>
        </Alert>
      </Stack>
    </Paper>
  );
}
