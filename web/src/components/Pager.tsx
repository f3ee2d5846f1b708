import { Button, Group, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ChevronLeftIcon, ChevronRightIcon } from './icons';

/**
 * Cursor pagination (Relay connections) as "previous / next" pages. The
 * cursors of the pages already seen are kept, so "previous" returns to
 * exactly the page the user saw. Changing the filters starts again at page 1:
 * pass the filters as `resetKey`.
 */
export function useCursorPager(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: (string | null)[] }>({ key: resetKey, cursors: [null] });
  const cursors = state.key === resetKey ? state.cursors : [null];
  const after = cursors[cursors.length - 1] ?? null;

  const next = useCallback(
    (endCursor: string | null | undefined) => {
      if (endCursor) {
        setState({ key: resetKey, cursors: [...cursors, endCursor] });
      }
    },
    [cursors, resetKey],
  );
  const previous = useCallback(() => {
    setState({ key: resetKey, cursors: cursors.length > 1 ? cursors.slice(0, -1) : [null] });
  }, [cursors, resetKey]);

  return { after, page: cursors.length, next, previous };
}

export function Pager({
  page,
  pageSize,
  totalCount,
  shown,
  hasNextPage,
  onNext,
  onPrevious,
  noun = 'results',
}: {
  page: number;
  pageSize: number;
  totalCount: number | undefined;
  /** Rows on this page, for lists that do not count their total (see OrdersPage). */
  shown?: number;
  hasNextPage: boolean;
  onNext: () => void;
  onPrevious: () => void;
  noun?: string;
}) {
  const first = (page - 1) * pageSize + 1;
  const shownTo = totalCount === undefined ? page * pageSize : Math.min(page * pageSize, totalCount);
  return (
    <Group justify="space-between" px="md" py="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
      <Text size="sm" c="dimmed" aria-live="polite">
        {totalCount === undefined
          ? shown
            ? `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${first}–${first + shown - 1}`
            : ''
          : totalCount === 0
            ? `No ${noun}`
            : `${first}–${shownTo} of ${totalCount} ${noun}`}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" leftSection={<ChevronLeftIcon size={14} />} disabled={page <= 1} onClick={onPrevious}>
          Previous
        </Button>
        <Button variant="default" size="xs" rightSection={<ChevronRightIcon size={14} />} disabled={!hasNextPage} onClick={onNext}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
