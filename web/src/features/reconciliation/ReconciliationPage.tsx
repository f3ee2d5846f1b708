import { Alert, Anchor, Badge, Button, Group, Paper, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { EmptyState, PageHeader, QueryError, Section } from '../../components/Page';
import type { MismatchRowFragment, Provider } from '../../gql/graphql';
import { today } from '../../lib/dates';
import { formatDate, formatDateTime, formatMoney } from '../../lib/format';
import { providerLabels } from '../../lib/labels';
import { refusalOf } from '../../lib/userErrors';
import { ReconciliationReportQuery, ReconciliationReportsQuery, ResolveMismatchMutation, RunReconciliationMutation } from './queries';

const providers: Provider[] = ['BILLIE', 'PAYWERK', 'BILLWERK', 'BETTERPAYMENT'];

export const mismatchKindLabels: Readonly<Record<string, string>> = {
  MISSING_AT_PROVIDER: 'Missing at the provider',
  MISSING_HERE: 'Missing here',
  AMOUNT_MISMATCH: 'Amount differs',
  QUANTITY_MISMATCH: 'Quantity differs',
  STATUS_MISMATCH: 'Status differs',
};

function RunCard({ onRan }: { onRan: () => void }) {
  const [date, setDate] = useState<string | null>(today());
  const [provider, setProvider] = useState<string | null>(null);
  const [state, run] = useMutation(RunReconciliationMutation);
  const [message, setMessage] = useState<{ error?: string; done?: string } | null>(null);

  const submit = async () => {
    setMessage(null);
    const answer = await run({ input: { date: date ?? null, provider: (provider as Provider | null) ?? null } });
    const payload = answer.data?.runReconciliation;
    const refusal = refusalOf(answer.error, payload?.userErrors);
    if (refusal || !payload) {
      setMessage({ error: refusal || 'The run failed' });
      return;
    }
    const mismatched = payload.reports.filter((r) => r.status === 'MISMATCHED').length;
    setMessage({ done: `${payload.reports.length} report${payload.reports.length === 1 ? '' : 's'} written, ${mismatched} with differences` });
    onRan();
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Group align="flex-end" gap="md" wrap="wrap">
        <div style={{ flex: '1 1 280px' }}>
          <Text fw={600}>Run reconciliation</Text>
          <Text size="sm" c="dimmed">
            Compares the day's orders, captures, refunds and quantities with each provider's own records. Running a day again replaces its report.
          </Text>
        </div>
        <DatePickerInput label="Day" value={date} onChange={(v) => setDate(v ? String(v).slice(0, 10) : null)} maxDate={today()} valueFormat="D MMM YYYY" w={180} />
        <Select
          label="Provider"
          placeholder="Every provider"
          clearable
          data={providers.map((p) => ({ value: p, label: providerLabels[p] ?? p }))}
          value={provider}
          onChange={setProvider}
          w={180}
        />
        <Button onClick={() => void submit()} loading={state.fetching} disabled={!date}>
          Run reconciliation
        </Button>
      </Group>
      {message?.error && (
        <Alert mt="md" color="red" role="alert" title="The run was refused">
          {message.error}
        </Alert>
      )}
      {message?.done && <Alert mt="md" color="green" title={message.done} />}
    </Paper>
  );
}

function ResolveForm({ mismatch, onDone }: { mismatch: MismatchRowFragment; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [state, resolve] = useMutation(ResolveMismatchMutation);
  const submit = async () => {
    const answer = await resolve({ input: { mismatchId: mismatch.id, note } });
    const refusal = refusalOf(answer.error, answer.data?.resolveMismatch.userErrors);
    if (refusal) {
      setError(refusal);
      return;
    }
    onDone();
  };
  return (
    <Stack gap={4}>
      <Textarea aria-label="Resolution note" placeholder="What was done about it" value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={1000} autosize minRows={1} error={error} />
      <Button size="xs" onClick={() => void submit()} loading={state.fetching} disabled={note.trim() === ''} w="fit-content">
        Resolve
      </Button>
    </Stack>
  );
}

function MismatchTable({ reportId }: { reportId: string }) {
  const [result, reexecute] = useQuery({ query: ReconciliationReportQuery, variables: { id: reportId }, requestPolicy: 'network-only' });
  const report = result.data?.node?.__typename === 'ReconciliationReport' ? result.data.node : undefined;
  if (result.error) {
    return <QueryError error={result.error} what="the report" />;
  }
  if (!report) {
    return null;
  }
  return (
    <Section title={`${providerLabels[report.provider] ?? report.provider}, ${formatDate(report.date)}`} description={`${report.operationsChecked} operations checked`} padded={false}>
      {report.mismatches.length === 0 ? (
        <EmptyState title="No differences" description="The provider's books agree with ours for this day." />
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="sm" aria-label="Differences">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Order</Table.Th>
                <Table.Th>Ours</Table.Th>
                <Table.Th>Theirs</Table.Th>
                <Table.Th>Detail</Table.Th>
                <Table.Th>Resolution</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.mismatches.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <Badge color="orange" variant="light">
                      {mismatchKindLabels[m.kind] ?? m.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {m.order ? (
                      <Anchor component={Link} to={`/merchants/${m.order.merchant.id}/orders/${m.order.id}`}>
                        {m.order.reference}
                      </Anchor>
                    ) : (
                      <Text size="sm">{m.providerReference}</Text>
                    )}
                  </Table.Td>
                  <Table.Td>{m.ours ? formatMoney(m.ours) : '—'}</Table.Td>
                  <Table.Td>{m.theirs ? formatMoney(m.theirs) : '—'}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.detail}</Text>
                  </Table.Td>
                  <Table.Td miw={220}>
                    {m.resolvedAt ? (
                      <Text size="sm">
                        Resolved {formatDateTime(m.resolvedAt)}: {m.resolutionNote}
                      </Text>
                    ) : (
                      <ResolveForm mismatch={m} onDone={() => reexecute({ requestPolicy: 'network-only' })} />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

/** PSP staff: each provider's days as reconciled, a run, and the differences to resolve. */
export function ReconciliationPage() {
  const [result, reexecute] = useQuery({ query: ReconciliationReportsQuery, variables: { first: 100 } });
  const [selected, setSelected] = useState<string | null>(null);
  const reports = (result.data?.reconciliationReports.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  const days = [...new Set(reports.map((r) => r.date))];
  const cell = (day: string, p: Provider) => reports.find((r) => r.date === day && r.provider === p);

  return (
    <>
      <PageHeader title="Reconciliation" description="Each provider's day compared with our orders, captures, refunds and quantities." />
      <Stack gap="md">
        <RunCard onRan={() => reexecute({ requestPolicy: 'network-only' })} />
        {result.error && <QueryError error={result.error} what="the reports" />}
        <Section title="Days" padded={false}>
          {days.length === 0 ? (
            <EmptyState title="Nothing reconciled yet" description="Run the reconciliation of a day; the daily run reconciles yesterday at 01:00 UTC." />
          ) : (
            <Table verticalSpacing="sm" aria-label="Reconciliation days">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Day</Table.Th>
                  {providers.map((p) => (
                    <Table.Th key={p}>{providerLabels[p] ?? p}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {days.map((day) => (
                  <Table.Tr key={day}>
                    <Table.Td>{formatDate(day)}</Table.Td>
                    {providers.map((p) => {
                      const r = cell(day, p);
                      return (
                        <Table.Td key={p}>
                          {r ? (
                            <Button
                              size="compact-sm"
                              variant={selected === r.id ? 'filled' : 'light'}
                              color={r.status === 'MATCHED' ? 'green' : 'orange'}
                              onClick={() => setSelected(r.id)}
                              aria-label={`${providerLabels[p] ?? p} ${day} ${r.status}`}
                            >
                              {r.status === 'MATCHED' ? 'Matched' : 'Mismatched'}
                            </Button>
                          ) : (
                            <Text size="sm" c="dimmed">
                              —
                            </Text>
                          )}
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Section>
        {selected && <MismatchTable reportId={selected} />}
      </Stack>
    </>
  );
}
