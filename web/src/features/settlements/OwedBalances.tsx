import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { QueryError } from '../../components/Page';
import { graphql } from '../../gql';
import { formatDateTime } from '../../lib/format';

export const UpdatePspMutation = graphql(`
  mutation UpdatePsp($input: UpdatePspInput!) {
    updatePsp(input: $input) {
      psp {
        id
        legalName
        iban
        bic
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const OutboxQuery = graphql(`
  query Outbox($first: Int) {
    outboxMessages(first: $first, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      edges {
        node {
          id
          createdAt
          toAddress
          subject
          status
          attempts
          lastError
          settlementID
        }
      }
    }
  }
`);

/** PSP admins: the account merchants who owe money transfer to (updatePsp). */
export function PspAccountCard() {
  const { user } = useAuth();
  const [legalName, setLegalName] = useState('');
  const [iban, setIban] = useState('');
  const [bic, setBic] = useState('');
  const [state, save] = useMutation(UpdatePspMutation);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (user?.role !== 'PSP_ADMIN') {
    return null;
  }
  const submit = async () => {
    setMessage(null);
    const answer = await save({
      input: { legalName: legalName || null, iban: iban || null, bic: bic || null },
    });
    const payload = answer.data?.updatePsp;
    const error = answer.error?.message ?? payload?.userErrors.map((e) => e.message).join('; ');
    if (error || !payload?.psp) {
      setMessage({ ok: false, text: error || 'Not saved' });
      return;
    }
    setMessage({ ok: true, text: `${payload.psp.legalName ?? ''} · ${payload.psp.iban ?? ''} · ${payload.psp.bic ?? ''}` });
  };
  return (
    <Paper withBorder radius="md" p="md">
      <Text fw={600}>Our bank account</Text>
      <Text size="sm" c="dimmed" mb="sm">
        Where merchants who owe money transfer it: named in every owed settlement and its e-mail. Empty fields stay as they are.
      </Text>
      <Group align="flex-end" gap="md" wrap="wrap">
        <TextInput label="Account holder" value={legalName} onChange={(e) => setLegalName(e.currentTarget.value)} w={240} />
        <TextInput label="IBAN" value={iban} onChange={(e) => setIban(e.currentTarget.value)} w={280} />
        <TextInput label="BIC" value={bic} onChange={(e) => setBic(e.currentTarget.value)} w={160} />
        <Button onClick={() => void submit()} loading={state.fetching} disabled={!legalName && !iban && !bic}>
          Save
        </Button>
      </Group>
      {message && (
        <Alert mt="sm" color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'} title={message.ok ? 'Saved' : 'Not saved'}>
          {message.text}
        </Alert>
      )}
    </Paper>
  );
}

const statusColor: Record<string, string> = { SENT: 'green', QUEUED: 'blue', FAILED: 'red', NOT_SENT: 'gray' };

/** PSP staff: every e-mail sent (or not) to merchants who owe money. */
export function OutboxCard() {
  const [result] = useQuery({ query: OutboxQuery, variables: { first: 20 } });
  const rows = result.data?.outboxMessages.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];
  return (
    <Paper withBorder radius="md" p="md">
      <Text fw={600}>Outbox</Text>
      <Text size="sm" c="dimmed" mb="sm">
        E-mails to merchants who owe money, sent through SMTP_URL; kept whether they went out or not.
      </Text>
      {result.error ? (
        <QueryError error={result.error} what="the outbox" />
      ) : rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No messages yet
        </Text>
      ) : (
        <Stack gap={0}>
          <Table fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Written</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                  <Table.Td>{m.toAddress || '—'}</Table.Td>
                  <Table.Td>{m.subject}</Table.Td>
                  <Table.Td>
                    <Badge color={statusColor[m.status] ?? 'gray'} variant="light">
                      {m.status}
                    </Badge>
                    {m.lastError && (
                      <Text size="xs" c="dimmed">
                        {m.lastError}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Paper>
  );
}
