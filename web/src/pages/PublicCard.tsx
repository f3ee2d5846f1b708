import { Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { BrandMark } from '../components/BrandMark';
import type { ReactNode } from 'react';

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
