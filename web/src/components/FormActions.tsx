import { Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';

/** The button row under a form: Cancel (when the form can be left) and the submit button. */
export function FormActions({ submitting, submitLabel, onCancel }: { submitting: boolean; submitLabel: ReactNode; onCancel?: () => void }) {
  return (
    <Group justify="flex-end" gap="xs">
      {onCancel && (
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
      )}
      <Button type="submit" loading={submitting}>
        {submitLabel}
      </Button>
    </Group>
  );
}
