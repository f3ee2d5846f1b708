import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useMutation } from 'urql';
import { ReactivateMerchantMutation, SuspendMerchantMutation } from '../onboarding/mutations';
import { refusalOf } from '../../lib/userErrors';

/** Suspend a merchant (with a reason) or lift the suspension. */
export function SuspendControls({ merchant, onChanged }: { merchant: { id: string; name: string; status: string }; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [suspendState, suspend] = useMutation(SuspendMerchantMutation);
  const [reactivateState, reactivate] = useMutation(ReactivateMerchantMutation);

  const doSuspend = async () => {
    if (reason.trim() === '') {
      setError('Say why: it is shown to staff and on the checklist');
      return;
    }
    const result = await suspend({ input: { merchantId: merchant.id, reason: reason.trim() } });
    const message = refusalOf(result.error, result.data?.suspendMerchant.userErrors);
    if (message) {
      setError(message);
      return;
    }
    notifications.show({ color: 'orange', title: `${merchant.name} suspended`, message: 'It can no longer take new orders.' });
    setOpen(false);
    setReason('');
    onChanged();
  };

  const doReactivate = async () => {
    const result = await reactivate({ input: { merchantId: merchant.id } });
    const message = refusalOf(result.error, result.data?.reactivateMerchant.userErrors);
    if (message) {
      notifications.show({ color: 'red', title: 'Not reactivated', message });
      return;
    }
    notifications.show({ color: 'green', title: `${merchant.name} reactivated`, message: '' });
    onChanged();
  };

  if (merchant.status === 'SUSPENDED') {
    return (
      <Button variant="default" loading={reactivateState.fetching} onClick={() => void doReactivate()}>
        Reactivate
      </Button>
    );
  }
  return (
    <>
      <Button variant="default" color="red" onClick={() => setOpen(true)}>
        Suspend
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Suspend ${merchant.name}?`} centered>
        <Stack gap="md">
          <Text size="sm">The merchant can no longer take new orders or create API keys. Its orders, settlements and history stay visible.</Text>
          {error && <Alert color="red" role="alert" title={error} />}
          <Textarea label="Reason" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="red" loading={suspendState.fetching} onClick={() => void doSuspend()}>
              Suspend merchant
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
