import { Alert } from '@mantine/core';

/**
 * A form's refusals that name no field it shows (lib/userErrors' general
 * messages), above the form; nothing when there are none.
 */
export function RefusalAlert({ title, messages }: { title: string; messages: readonly string[] }) {
  if (messages.length === 0) {
    return null;
  }
  return (
    <Alert color="red" role="alert" title={title}>
      {messages.map((message) => (
        <div key={message}>{message}</div>
      ))}
    </Alert>
  );
}
