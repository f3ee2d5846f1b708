import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { RevokeApiKeyMutation } from './queries';
import { refusalOf } from '../../lib/userErrors';

export function RevokeDialog({ apiKey: current, onClose, onRevoked }: { apiKey: { id: string; name: string } | null; onClose: () => void; onRevoked: () => void }) {
  const [state, revoke] = useMutation(RevokeApiKeyMutation);
  const [error, setError] = useState<string | null>(null);
  // Keep naming the key while the dialog fades out after closing.
  const last = useRef(current);
  if (current) {
    last.current = current;
  }
  const apiKey = last.current;
  const confirm = async () => {
    if (!apiKey) {
      return;
    }
    setError(null);
    const result = await revoke({ input: { apiKeyId: apiKey.id } });
    const payload = result.data?.revokeApiKey;
    const message = refusalOf(result.error) ?? payload?.userErrors[0]?.message;
    if (message || !payload) {
      setError(message ?? 'The key was not revoked');
      return;
    }
    notifications.show({ color: 'green', title: 'Key revoked', message: `${apiKey.name} stopped working.` });
    onRevoked();
    onClose();
  };
  return (
    <Modal opened={current !== null} onClose={onClose} title="Revoke this API key?" centered>
      <Stack gap="md">
        <Text size="sm">
          <b>{apiKey?.name}</b> stops working at once: every request that uses it is refused. This cannot be undone.
        </Text>
        {error && (
          <Alert color="red" role="alert" title={error} />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} data-autofocus>
            Keep the key
          </Button>
          <Button color="red" loading={state.fetching} onClick={() => void confirm()}>
            Revoke key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Merchants: the API keys of their shops; admins create (secret shown once) and revoke them. */
