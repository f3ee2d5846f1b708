import { Alert, Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { BrandMark } from '../components/BrandMark';
import { useState, type FormEventHandler, type ReactNode } from 'react';

/** The centred card the signed-out pages (login, set password) are shown in. */
export function PublicCard({ subtitle, children }: { subtitle: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" radius="md" p="xl" w="100%" maw={400}>
        <Stack gap="lg">
          <Stack gap={4}>
            <Group gap="sm">
              <BrandMark size={32} />
              <Title order={1} size="h2">
                PSP Backoffice
              </Title>
            </Group>
            <Text c="dimmed" size="sm">
              {subtitle}
            </Text>
          </Stack>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/** What a signed-out form's step ended in: an error line to show, nothing (stay on the form), or `left` (it navigated away). */
export type PublicStep = string | null | 'left';

/**
 * The error line and spinner of a signed-out form: the step says what to
 * show, and an unreachable server is named the same way on every page. The
 * spinner stays on when the step left the page, so the button does not flash.
 */
export function usePublicSubmit() {
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const run = async (step: () => Promise<PublicStep>) => {
    setError(null);
    setSubmitting(true);
    let outcome: PublicStep;
    try {
      outcome = await step();
    } catch {
      outcome = 'Cannot reach the backoffice server';
    }
    if (outcome === 'left') {
      return;
    }
    setError(outcome);
    setSubmitting(false);
  };
  return { error, submitting, run };
}

/** A signed-out form in its card: optional intro, the error line, the fields and the submit button. */
export function PublicForm({
  subtitle,
  intro,
  error,
  submitting,
  submitLabel,
  onSubmit,
  children,
}: {
  subtitle: string;
  intro?: ReactNode;
  error: string | null;
  submitting: boolean;
  submitLabel: string;
  onSubmit: FormEventHandler<HTMLFormElement>;
  children: ReactNode;
}) {
  return (
    <PublicCard subtitle={subtitle}>
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {intro}
          {error !== null && <Alert color="red" role="alert" title={error} />}
          {children}
          <Button type="submit" loading={submitting} fullWidth>
            {submitLabel}
          </Button>
        </Stack>
      </form>
    </PublicCard>
  );
}
