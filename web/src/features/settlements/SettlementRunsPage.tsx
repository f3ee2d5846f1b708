import { Alert, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { PageHeader, QueryError } from '../../components/Page';
import { useCursorPager } from '../../components/Pager';
import type { SettlementRowFragment, SettlementStatus, SettlementWhereInput } from '../../gql/graphql';
import { today } from '../../lib/dates';
import { formatDate } from '../../lib/format';
import { MarkPaidButton } from './MarkPaidButton';
import { OutboxCard, PspAccountCard } from './OwedBalances';
import { RunSettlementsMutation, SettlementsByIdsQuery } from './mutations';
import { SettlementsListQuery } from './SettlementsPage';
import { SettlementsPanel, SettlementsTable } from './SettlementsTable';
import { refusalOf } from '../../lib/userErrors';

const pageSize = 25;

type RunResult = { date: string; ids: string[] } | { error: string };

/** The settlements a run created, read after the run. */
function RunResults({ ids, onChanged }: { ids: string[]; onChanged: () => void }) {
  const [result, reexecute] = useQuery({ query: SettlementsByIdsQuery, variables: { ids }, requestPolicy: 'network-only' });
  const rows = (result.data?.nodes ?? []).flatMap((n) => (n?.__typename === 'Settlement' ? [n as SettlementRowFragment] : []));
  if (result.error) {
    return <QueryError error={result.error} what="the new settlements" />;
  }
  return (
    <Paper withBorder radius="md">
      <SettlementsTable
        rows={rows}
        loading={result.fetching && !result.data}
        showCompany
        empty={{ title: '' }}
        action={(s) => (
          <MarkPaidButton
            settlement={s}
            onDone={() => {
              reexecute({ requestPolicy: 'network-only' });
              onChanged();
            }}
          />
        )}
      />
    </Paper>
  );
}

function RunCard({ onRan }: { onRan: () => void }) {
  const [date, setDate] = useState<string | null>(today());
  const [state, run] = useMutation(RunSettlementsMutation);
  const [result, setResult] = useState<RunResult | null>(null);

  const submit = async () => {
    setResult(null);
    const answer = await run({ input: { date: date ?? null } });
    const payload = answer.data?.runSettlements;
    const message = refusalOf(answer.error, payload?.userErrors);
    if (message || !payload) {
      setResult({ error: message || 'The run failed' });
      return;
    }
    setResult({ date: payload.date ?? date ?? '', ids: payload.settlements.map((s) => s.id) });
    onRan();
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Group align="flex-end" gap="md" wrap="wrap">
        <div style={{ flex: '1 1 280px' }}>
          <Text fw={600}>Run settlements</Text>
          <Text size="sm" c="dimmed">
            Every company whose payout schedule includes the day gets one settlement. Running a day again changes nothing.
          </Text>
        </div>
        <DatePickerInput label="Day to settle" value={date} onChange={(v) => setDate(v ? String(v).slice(0, 10) : null)} maxDate={today()} valueFormat="D MMM YYYY" w={200} />
        <Button onClick={() => void submit()} loading={state.fetching} disabled={!date}>
          Run settlements
        </Button>
      </Group>
      {result && (
        <Stack mt="md" gap="sm">
          {'error' in result ? (
            <Alert color="red" role="alert" title="The run was refused">
              {result.error}
            </Alert>
          ) : result.ids.length === 0 ? (
            <Alert color="gray" title={`Nothing new for ${formatDate(result.date)}`}>
              The day was already settled, or no company has a payout that day.
            </Alert>
          ) : (
            <>
              <Alert color="green" title={`${result.ids.length} settlement${result.ids.length === 1 ? '' : 's'} created for ${formatDate(result.date)}`} />
              <RunResults ids={result.ids} onChanged={onRan} />
            </>
          )}
        </Stack>
      )}
    </Paper>
  );
}

/** PSP staff: run the settlements of a day, and mark payouts paid. */
export function SettlementRunsPage() {
  const [status, setStatus] = useState<string | null>(null);
  const where: SettlementWhereInput = {};
  if (status) {
    where.status = status as SettlementStatus;
  }
  const pager = useCursorPager(JSON.stringify(where));
  const [list, reexecute] = useQuery({ query: SettlementsListQuery, variables: { first: pageSize, after: pager.after, where } });
  const connection = list.data?.settlements;
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  return (
    <>
      <PageHeader title="Settlement runs" description="Settle every company whose payout day it is, then record the bank transfers." />
      <Stack gap="md">
        <RunCard onRan={refresh} />
        <PspAccountCard />
        <SettlementsPanel
            status={status}
            onStatus={setStatus}
            error={list.error}
            fetching={list.fetching}
            connection={connection}
            pager={pager}
            pageSize={pageSize}
            showCompany
            empty={{ title: 'No settlements yet', description: 'Run the settlements of a day to create them.' }}
            action={(s) => <MarkPaidButton settlement={s} onDone={refresh} />}
        />
        <OutboxCard />
      </Stack>
    </>
  );
}
