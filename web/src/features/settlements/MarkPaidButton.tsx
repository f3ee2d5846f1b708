import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useMutation } from 'urql';
import type { SettlementRowFragment } from '../../gql/graphql';
import { formatDate, formatMoney } from '../../lib/format';
import { MarkSettlementPaidMutation } from './mutations';
import { refusalOf } from '../../lib/userErrors';

/**
 * PSP staff record that a settlement's money moved: a payout the PSP sent
 * (PENDING → PAID) or a transfer the merchant made (MERCHANT_OWES → SETTLED).
 */
export function MarkPaidButton({ settlement, onDone, size = 'xs' }: { settlement: SettlementRowFragment; onDone?: () => void; size?: 'xs' | 'sm' }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [state, markPaid] = useMutation(MarkSettlementPaidMutation);
  if (settlement.status !== 'PENDING' && settlement.status !== 'MERCHANT_OWES') {
    return null;
  }
  const owes = settlement.status === 'MERCHANT_OWES';
  const amount = formatMoney({ ...settlement.net, amount: settlement.net.amount.replace(/^-/, '') });

  const confirm = async () => {
    setError(null);
    const result = await markPaid({ input: { settlementId: settlement.id } });
    const message =
      refusalOf(result.error, result.data?.markSettlementPaid.userErrors);
    if (message) {
      setError(message);
      return;
    }
    notifications.show({
      color: 'green',
      title: owes ? 'Marked as settled' : 'Marked as paid',
      message: `${settlement.company.legalName}, ${formatDate(settlement.date)}: ${amount}`,
    });
    setOpen(false);
    onDone?.();
  };

  return (
    <>
      <Button size={size} variant="light" onClick={() => setOpen(true)} aria-label={`${owes ? 'Mark settled' : 'Mark paid'}: ${settlement.company.legalName} ${settlement.date}`}>
        {owes ? 'Mark settled' : 'Mark paid'}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={owes ? 'Record the merchant’s transfer?' : 'Record the payout?'} centered>
        <Stack gap="md">
          <Text size="sm">
            {owes
              ? `${settlement.company.legalName} transferred ${amount} for the settlement of ${formatDate(settlement.date)}.`
              : `${amount} was transferred to ${settlement.company.legalName} for the settlement of ${formatDate(settlement.date)}.`}
          </Text>
          {error && <Alert color="red" role="alert" title={error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)} data-autofocus>
              Cancel
            </Button>
            <Button loading={state.fetching} onClick={() => void confirm()}>
              {owes ? 'Mark settled' : 'Mark paid'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
