import { Alert, Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { refusalOf } from '../../lib/userErrors';
import { RollApiKeyMutation } from './queries';
import { SecretReveal } from './SecretReveal';

/** The longest overlap of a rolled key with its successor (internal/merchants MaxRollOverlapHours). */
const maxOverlapHours = 720;

/**
 * Roll a key: a new key with the same shop, company and scopes, its secret shown once;
 * the old key keeps working for the hours chosen (0: it stops now), so the shop's
 * configuration can be switched without downtime.
 */
export function RollDialog({ apiKey: current, onClose, onRolled }: { apiKey: { id: string; name: string } | null; onClose: () => void; onRolled: () => void }) {
  const [state, roll] = useMutation(RollApiKeyMutation);
  const [hours, setHours] = useState<number | string>(24);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  // Keep naming the key while the dialog fades out after closing.
  const last = useRef(current);
  if (current) {
    last.current = current;
  }
  const apiKey = last.current;
  const close = () => {
    setSecret(null);
    setError(null);
    setHours(24);
    onClose();
  };
  const confirm = async () => {
    if (!apiKey) {
      return;
    }
    setError(null);
    const result = await roll({ input: { apiKeyId: apiKey.id, expiresInHours: Number(hours) } });
    const payload = result.data?.rollApiKey;
    const message = refusalOf(result.error) ?? payload?.userErrors[0]?.message;
    if (message || !payload?.secret) {
      setError(message ?? 'The key was not rolled');
      return;
    }
    setSecret(payload.secret);
    onRolled();
  };
  return (
    <Modal opened={current !== null} onClose={close} title={secret ? 'Your new API key' : 'Roll this API key?'} size="lg" centered closeOnClickOutside={!secret}>
      {secret ? (
        <SecretReveal secret={secret} onDone={close} />
      ) : (
        <Stack gap="md">
          <Text size="sm">
            <b>{apiKey?.name}</b> gets a successor with the same shop, company and scopes. The old key keeps working for the hours below, then is
            refused: put the new key into your shop's configuration before then.
          </Text>
          <NumberInput
            label="Old key keeps working for (hours)"
            description={`0 stops it now; at most ${maxOverlapHours} (30 days)`}
            min={0}
            max={maxOverlapHours}
            allowDecimal={false}
            value={hours}
            onChange={setHours}
          />
          {error && <Alert color="red" role="alert" title={error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button loading={state.fetching} onClick={() => void confirm()}>
              Roll key
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
