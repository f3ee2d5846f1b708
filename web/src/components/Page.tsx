import { Anchor, Badge, Box, Group, Paper, Skeleton, Stack, Table, Text, Title, type BadgeProps } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { Link } from 'react-router-dom';
import { formatMoney, type Money } from '../lib/format';
import { styleOf, type EnumStyle } from '../lib/labels';
import { AlertIcon, ArrowLeftIcon } from './icons';

/** The top of every screen: an optional way back, the title, a line of context and the screen's actions. */
export function PageHeader({
  title,
  description,
  actions,
  back,
  badges,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  back?: { to: string; label: string };
  badges?: ReactNode;
}) {
  return (
    <Stack gap={6} mb="lg">
      {back && (
        <Anchor component={Link} to={back.to} size="sm" c="dimmed" w="fit-content">
          <Group gap={4} wrap="nowrap">
            <ArrowLeftIcon size={14} />
            {back.label}
          </Group>
        </Anchor>
      )}
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="sm" wrap="wrap">
            <Title order={2} fz={24} fw={650} lh={1.25}>
              {title}
            </Title>
            {badges}
          </Group>
          {description !== undefined && (
            <Text c="dimmed" size="sm">
              {description}
            </Text>
          )}
        </Stack>
        {actions !== undefined && <Group gap="xs">{actions}</Group>}
      </Group>
    </Stack>
  );
}

/** A bordered panel with an optional heading row, the building block of detail screens. */
export function Section({
  title,
  description,
  actions,
  children,
  padded = true,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  padded?: boolean;
}) {
  return (
    <Paper withBorder radius="md" component="section">
      {(title !== undefined || actions !== undefined) && (
        <Group justify="space-between" px="md" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} wrap="nowrap">
          <Stack gap={0}>
            {title !== undefined && (
              <Title order={3} fz="md" fw={600}>
                {title}
              </Title>
            )}
            {description !== undefined && (
              <Text size="xs" c="dimmed">
                {description}
              </Text>
            )}
          </Stack>
          {actions}
        </Group>
      )}
      {padded ? <Box p="md">{children}</Box> : children}
    </Paper>
  );
}

/** A status as a coloured badge with words. */
export function StatusBadge({
  styles,
  value,
  size = 'sm',
  ...rest
}: { styles: Readonly<Record<string, EnumStyle>>; value: string } & Omit<BadgeProps, 'color' | 'children'>) {
  const style = styleOf(styles, value);
  return (
    <Badge color={style.color} variant="light" size={size} radius="sm" tt="none" fw={600} {...rest}>
      {style.label}
    </Badge>
  );
}

/** Money from its decimal string, with tabular figures so columns line up. */
export function MoneyText({ value, fw, c, size }: { value: Money | null | undefined; fw?: number; c?: string; size?: string }) {
  if (!value) {
    return (
      <Text span c="dimmed" size={size} fz={size ? undefined : 'inherit'}>
        —
      </Text>
    );
  }
  return (
    <Text span fw={fw} c={c} size={size} fz={size ? undefined : 'inherit'} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {formatMoney(value)}
    </Text>
  );
}

/** A message for a list or screen with nothing to show, and what to do about it. */
export function EmptyState({ title, description, action }: { title: string; description?: ReactNode; action?: ReactNode }) {
  return (
    <Stack align="center" gap={6} py={48} px="md">
      <Text fw={600}>{title}</Text>
      {description !== undefined && (
        <Text size="sm" c="dimmed" ta="center" maw={440}>
          {description}
        </Text>
      )}
      {action !== undefined && <Box mt="xs">{action}</Box>}
    </Stack>
  );
}

/** A query that failed, with the server's words. */
export function QueryError({ error, what }: { error: CombinedError; what: string }) {
  const message = error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message;
  return (
    <Paper withBorder radius="md" p="md" role="alert" bg="var(--mantine-color-red-0)" c="red.9">
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <AlertIcon size={18} />
        <Stack gap={2}>
          <Text fw={600} size="sm">
            Could not load {what}
          </Text>
          <Text size="sm">{message}</Text>
        </Stack>
      </Group>
    </Paper>
  );
}

/** Placeholder rows while a table loads. */
export function SkeletonRows({ columns, rows = 6 }: { columns: number; rows?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, row) => (
        <Table.Tr key={row} aria-hidden="true">
          {Array.from({ length: columns }, (_, column) => (
            <Table.Td key={column}>
              <Skeleton height={12} my={4} width={column === 0 ? '70%' : '50%'} />
            </Table.Td>
          ))}
        </Table.Tr>
      ))}
    </>
  );
}

/** Loading state of a whole screen section. */
export function LoadingBlock({ label = 'Loading' }: { label?: string }) {
  return (
    <Stack gap="sm" aria-busy="true" aria-label={label}>
      <Skeleton height={28} width="40%" />
      <Skeleton height={14} width="60%" />
      <Skeleton height={160} mt="md" />
    </Stack>
  );
}

/** Label/value pairs in two columns. */
export function DetailList({ items }: { items: { label: string; value: ReactNode }[] }) {
  return (
    <Box component="dl" m={0} style={{ display: 'grid', gridTemplateColumns: 'minmax(120px, max-content) 1fr', columnGap: 24, rowGap: 10 }}>
      {items.map((item) => (
        <Box key={item.label} style={{ display: 'contents' }}>
          <Text component="dt" size="sm" c="dimmed">
            {item.label}
          </Text>
          <Text component="dd" size="sm" m={0} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
            {item.value ?? '—'}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/** A headline figure: label above, value below. */
export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: 0.4 }}>
        {label}
      </Text>
      <Text fz={22} fw={650} mt={4} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
      {hint !== undefined && (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}

/** An id in a monospace font that can be selected and copied. */
export function IdText({ children }: { children: ReactNode }) {
  return (
    <Text span ff="monospace" size="xs" c="dimmed">
      {children}
    </Text>
  );
}
