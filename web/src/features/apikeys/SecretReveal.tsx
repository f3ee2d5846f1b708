import { ActionIcon, Alert, Button, Code, CopyButton, Group, Stack, Tooltip } from '@mantine/core';
import { CheckIcon, CopyIcon } from '../../components/icons';

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
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
          {secret}
        </Code>
        <CopyButton value={secret} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} size="lg" onClick={copy} aria-label={copied ? 'Copied' : `Copy the ${noun}`}>
                {copied ? <CheckIcon /> : <CopyIcon />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the {noun}</Button>
      </Group>
    </Stack>
  );
}
