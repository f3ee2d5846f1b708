import { Paper, Stack, Text, Title } from '@mantine/core';

/** A screen that is not built yet: its title and an empty state. */
export function PagePlaceholder({ title, description }: { title: string; description: string }) {
  return (
    <Stack gap="md">
      <Title order={2}>{title}</Title>
      <Paper withBorder radius="md" p="xl">
        <Stack align="center" gap={4} py="xl">
          <Text fw={500}>Nothing here yet</Text>
          <Text size="sm" c="dimmed" ta="center">
            {description}
          </Text>
        </Stack>
      </Paper>
    </Stack>
  );
}
