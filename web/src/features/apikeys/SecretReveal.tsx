import { ActionIcon, Alert, Button, Code, CopyButton, Group, Stack, Tooltip } from '@mantine/core';
import { CheckIcon, CopyIcon } from '../../components/icons';

/** The secret of a new key, shown once with a copy button. */
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <Stack gap="md">
      <Alert color="yellow" title="Copy the key now">
        This is the only time the full key is shown. Store it in your shop's configuration; if you lose it, create a new key.
      </Alert>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="api-key-secret">
          {secret}
        </Code>
        <CopyButton value={secret} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} size="lg" onClick={copy} aria-label={copied ? 'Copied' : 'Copy the key'}>
                {copied ? <CheckIcon /> : <CopyIcon />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the key</Button>
      </Group>
    </Stack>
  );
}
