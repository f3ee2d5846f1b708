import { Alert, Button, Group, Stack } from '@mantine/core';
import { CopyableValue } from '../../components/CopyableValue';

/** The secret of a new key, shown once with a copy button. */
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <Stack gap="md">
      <Alert color="yellow" title="Copy the key now">
        This is the only time the full key is shown. Store it in your shop's configuration; if you lose it, create a new key.
      </Alert>
      <CopyableValue value={secret} testId="api-key-secret" copyLabel="Copy the key" />
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the key</Button>
      </Group>
    </Stack>
  );
}
