import { Alert, Button, Group, Stack } from '@mantine/core';
import { CopyableValue } from '../../components/CopyableValue';

/** The secret of a new key (or webhook endpoint: noun and hint), shown once with a copy button. */
export function SecretReveal({
  secret,
  onDone,
  noun = 'key',
  hint = "Store it in your shop's configuration; if you lose it, create a new key.",
  testId = 'api-key-secret',
}: {
  secret: string;
  onDone: () => void;
  noun?: string;
  hint?: string;
  testId?: string;
}) {
  return (
    <Stack gap="md">
      <Alert color="yellow" title={`Copy the ${noun} now`}>
        This is the only time the full {noun} is shown. {hint}
      </Alert>
      <CopyableValue value={secret} testId={testId} copyLabel={`Copy the ${noun}`} />
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the {noun}</Button>
      </Group>
    </Stack>
  );
}
