import { Group, Paper, Table, TextInput, type GroupProps, type TableProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { CombinedError } from 'urql';
import { EmptyState, QueryError, SkeletonRows } from './Page';
import { Pager, useCursorPager } from './Pager';
import { SearchIcon } from './icons';

/**
 * The scaffold of every list screen: filters kept in the address, a toolbar, the
 * table (or a query error), and cursor pages. Each list page says only what is
 * its own: its filters, columns and row.
 */

/**
 * List filters kept in the address, so a filtered list can be bookmarked and
 * shared. `defaults` names the filters and their values when absent; a filter
 * set to its default or to nothing leaves the address. Lists (multi-selects)
 * are stored comma-separated.
 */
export function useUrlFilters<K extends string>(defaults: Record<K, string>) {
  const [params, setParams] = useSearchParams();
  const names = Object.keys(defaults) as K[];
  const values = Object.fromEntries(names.map((name) => [name, params.get(name) ?? defaults[name]])) as Record<K, string>;

  /** Sets several filters at once (one history entry, replaced). */
  const update = (changes: Partial<Record<K, string | readonly string[] | null>>) => {
    const next = new URLSearchParams(params);
    for (const name of Object.keys(changes) as K[]) {
      const value = changes[name];
      const text = Array.isArray(value) ? value.join(',') : ((value as string | null | undefined) ?? '');
      if (text === '' || text === defaults[name]) {
        next.delete(name);
      } else {
        next.set(name, text);
      }
    }
    setParams(next, { replace: true });
  };
  const set = (name: K, value: string | readonly string[] | null) => update({ [name]: value } as Partial<Record<K, string | readonly string[] | null>>);
  /** Whether any filter differs from its default. */
  const anyFilter = names.some((name) => params.has(name));
  const clear = () => update(Object.fromEntries(names.map((name) => [name, null])) as Partial<Record<K, null>>);
  return { params, values, set, update, anyFilter, clear };
}

/** A Relay connection as the list screens read it. */
export interface ConnectionLike<T> {
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges?: readonly ({ node?: T | null } | null)[] | null;
}

/** The nodes of a connection, without the holes GraphQL allows. */
export function nodesOf<T>(connection: ConnectionLike<T> | null | undefined): T[] {
  return connection?.edges?.flatMap((edge) => (edge?.node ? [edge.node] : [])) ?? [];
}

/**
 * A list's frame: the toolbar, the list or the query's error, and the pager.
 * `counted: false` is for lists that do not ask their total (orders).
 */
export function ListPanel<T>({
  toolbar,
  toolbarProps,
  error,
  what,
  pager,
  pageSize,
  connection,
  shown,
  counted = true,
  noun,
  children,
}: {
  toolbar?: ReactNode;
  toolbarProps?: GroupProps;
  error: CombinedError | undefined;
  /** "the merchants": what could not be loaded. */
  what: string;
  pager: ReturnType<typeof useCursorPager>;
  pageSize: number;
  connection: ConnectionLike<T> | null | undefined;
  /** Rows on this page, for an uncounted list. */
  shown?: number;
  counted?: boolean;
  noun: string;
  children: ReactNode;
}) {
  return (
    <Paper withBorder radius="md">
      {toolbar && (
        <Group gap="sm" p="sm" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} {...toolbarProps}>
          {toolbar}
        </Group>
      )}
      {error ? (
        <div style={{ padding: 16 }}>
          <QueryError error={error} what={what} />
        </div>
      ) : (
        children
      )}
      <Pager
        page={pager.page}
        pageSize={pageSize}
        totalCount={counted ? (connection?.totalCount ?? undefined) : undefined}
        shown={counted ? undefined : shown}
        hasNextPage={connection?.pageInfo.hasNextPage ?? false}
        onNext={() => pager.next(connection?.pageInfo.endCursor)}
        onPrevious={pager.previous}
        noun={noun}
      />
    </Paper>
  );
}

export interface Column {
  label: ReactNode;
  ta?: 'right';
  w?: number;
}

/** A list's table: the header, skeleton rows while the first page loads, an empty state, the rows. */
export function ListTable<T>({
  columns,
  loading,
  rows,
  row,
  empty,
  minWidth = 760,
  tableProps,
}: {
  columns: Column[];
  loading: boolean;
  rows: readonly T[];
  row: (item: T) => ReactNode;
  empty: { title: string; description?: ReactNode };
  minWidth?: number;
  tableProps?: TableProps;
}) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table verticalSpacing={8} horizontalSpacing="md" fz="sm" {...tableProps}>
        <Table.Thead bg="var(--mantine-color-gray-0)">
          <Table.Tr>
            {columns.map((column, i) => (
              <Table.Th key={i} ta={column.ta} w={column.w}>
                {column.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {loading ? (
            <SkeletonRows columns={columns.length} />
          ) : rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>
                <EmptyState title={empty.title} description={empty.description} />
              </Table.Td>
            </Table.Tr>
          ) : (
            rows.map(row)
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A list's text search, in the toolbar. */
export function SearchInput({ label, placeholder, value, onChange, w = 260 }: { label: string; placeholder: string; value: string; onChange: (value: string) => void; w?: number }) {
  return (
    <TextInput
      aria-label={label}
      placeholder={placeholder}
      leftSection={<SearchIcon size={14} />}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      w={w}
      size="xs"
    />
  );
}
