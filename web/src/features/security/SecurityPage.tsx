import { Alert, Badge, Button, Code, Group, Image, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { LoadingBlock, PageHeader, QueryError } from '../../components/Page';
import { graphql } from '../../gql';
import { formatDateTime } from '../../lib/format';

export const SecurityQuery = graphql(`
  query Security {
    viewer {
      id
      mfaEnabled
      sessions {
        id
        device
        address
        createdAt
        lastSeenAt
        current
      }
    }
  }
`);

const StartMfaMutation = graphql(`
  mutation StartMfaEnrollment {
    startMfaEnrollment {
      secret
      otpauthUri
      userErrors {
        code
        message
      }
    }
  }
`);

const ConfirmMfaMutation = graphql(`
  mutation ConfirmMfaEnrollment($input: ConfirmMfaEnrollmentInput!) {
    confirmMfaEnrollment(input: $input) {
      recoveryCodes
      userErrors {
        code
        message
      }
    }
  }
`);

const DisableMfaMutation = graphql(`
  mutation DisableMfa($input: DisableMfaInput!) {
    disableMfa(input: $input) {
      mfaEnabled
      userErrors {
        code
        message
      }
    }
  }
`);

const RegenerateRecoveryCodesMutation = graphql(`
  mutation RegenerateRecoveryCodes($input: RegenerateRecoveryCodesInput!) {
    regenerateRecoveryCodes(input: $input) {
      recoveryCodes
      userErrors {
        code
        message
      }
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation RevokeSession($input: RevokeSessionInput!) {
    revokeSession(input: $input) {
      session {
        id
      }
      userErrors {
        code
        message
      }
    }
  }
`);

/** The recovery codes as a text file, for download or print. */
function recoveryText(email: string, codes: readonly string[]): string {
  return `PSP Backoffice recovery codes for ${email}\nEach code works once.\n\n${codes.join('\n')}\n`;
}

function RecoveryCodes({ email, codes, onDone }: { email: string; codes: readonly string[]; onDone: () => void }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([recoveryText(email, codes)], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'backoffice-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  const print = () => {
    const w = window.open('', '_blank', 'noopener');
    if (w) {
      w.document.body.innerText = recoveryText(email, codes);
      w.print();
    }
  };
  return (
    <Alert color="yellow" title="Save your recovery codes now" data-testid="recovery-codes">
      <Stack gap="sm">
        <Text size="sm">Each code signs you in once if you lose your phone. They are shown only this once.</Text>
        <SimpleGrid cols={2} spacing={4}>
          {codes.map((c) => (
            <Code key={c} data-testid="recovery-code">
              {c}
            </Code>
          ))}
        </SimpleGrid>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={download}>
            Download
          </Button>
          <Button size="xs" variant="default" onClick={print}>
            Print
          </Button>
          <Button size="xs" onClick={onDone}>
            I have saved them
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function Enrol({ onEnrolled }: { onEnrolled: (codes: string[]) => void }) {
  const [start, startMfa] = useMutation(StartMfaMutation);
  const [confirm, confirmMfa] = useMutation(ConfirmMfaMutation);
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!secret) {
      return;
    }
    let current = true;
    QRCode.toDataURL(secret.uri, { margin: 1, width: 200 }).then(
      (url) => current && setQr(url),
      () => current && setQr(null),
    );
    return () => {
      current = false;
    };
  }, [secret]);

  const begin = async () => {
    setError(null);
    const r = await startMfa({});
    const p = r.data?.startMfaEnrollment;
    if (r.error || !p?.secret || !p.otpauthUri) {
      setError(p?.userErrors[0]?.message ?? r.error?.message ?? 'Could not start');
      return;
    }
    setSecret({ secret: p.secret, uri: p.otpauthUri });
  };

  const finish = async () => {
    setError(null);
    const r = await confirmMfa({ input: { code: code.trim() } });
    const p = r.data?.confirmMfaEnrollment;
    if (r.error || !p?.recoveryCodes) {
      setError(p?.userErrors[0]?.message ?? r.error?.message ?? 'Could not confirm');
      return;
    }
    onEnrolled(p.recoveryCodes);
  };

  if (!secret) {
    return (
      <Stack gap="sm" align="flex-start">
        <Text size="sm">Sign in with a code from an authenticator app (Google Authenticator, 1Password, Authy …) as well as your password.</Text>
        {error && <Alert color="red" title={error} />}
        <Button onClick={() => void begin()} loading={start.fetching}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }
  return (
    <Stack gap="sm">
      <Text size="sm">Scan the QR code with your authenticator app, or type the secret, then enter the code it shows.</Text>
      <Group align="flex-start" gap="lg">
        {qr && <Image src={qr} w={200} h={200} alt="QR code of the authenticator secret" />}
        <Stack gap={4}>
          <Text size="xs" c="dimmed">
            Secret
          </Text>
          <Code data-testid="mfa-secret">{secret.secret}</Code>
        </Stack>
      </Group>
      {error && <Alert color="red" title={error} />}
      <Group align="flex-end">
        <TextInput
          label="Code from the app"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          autoComplete="one-time-code"
          maxLength={16}
        />
        <Button onClick={() => void finish()} loading={confirm.fetching}>
          Turn on
        </Button>
      </Group>
    </Stack>
  );
}

function Manage({ onCodes, onDisabled }: { onCodes: (codes: string[]) => void; onDisabled: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [disable, disableMfa] = useMutation(DisableMfaMutation);
  const [regen, regenerate] = useMutation(RegenerateRecoveryCodesMutation);

  const doDisable = async () => {
    setError(null);
    const r = await disableMfa({ input: { code: code.trim() } });
    const p = r.data?.disableMfa;
    if (r.error || !p || p.userErrors.length > 0) {
      setError(p?.userErrors[0]?.message ?? r.error?.message ?? 'Could not disable');
      return;
    }
    setCode('');
    onDisabled();
  };
  const doRegenerate = async () => {
    setError(null);
    const r = await regenerate({ input: { code: code.trim() } });
    const p = r.data?.regenerateRecoveryCodes;
    if (r.error || !p?.recoveryCodes) {
      setError(p?.userErrors[0]?.message ?? r.error?.message ?? 'Could not make new codes');
      return;
    }
    setCode('');
    onCodes(p.recoveryCodes);
  };
  return (
    <Stack gap="sm">
      <Text size="sm">Enter a current code from your app (or a recovery code) to make new recovery codes or to turn two-factor sign-in off. Turning it off signs out your other sessions.</Text>
      {error && <Alert color="red" title={error} />}
      <Group align="flex-end">
        <TextInput label="Code" value={code} onChange={(e) => setCode(e.currentTarget.value)} autoComplete="one-time-code" maxLength={16} />
        <Button variant="default" onClick={() => void doRegenerate()} loading={regen.fetching}>
          New recovery codes
        </Button>
        <Button color="red" variant="light" onClick={() => void doDisable()} loading={disable.fetching}>
          Turn off
        </Button>
      </Group>
    </Stack>
  );
}

/** Two-factor sign-in and the user's sessions: every role has it, under the account menu. */
export function SecurityPage() {
  const auth = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: SecurityQuery, requestPolicy: 'cache-and-network' });
  const [, revokeSession] = useMutation(RevokeSessionMutation);
  const [codes, setCodes] = useState<string[] | null>(null);

  if (error) {
    return <QueryError error={error} what="your security settings" />;
  }
  if (!data && fetching) {
    return <LoadingBlock />;
  }
  const viewer = data?.viewer;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  const revoke = async (id: string) => {
    const r = await revokeSession({ input: { sessionId: id } });
    if (r.error || (r.data?.revokeSession.userErrors.length ?? 0) > 0) {
      notifications.show({ color: 'red', message: 'Could not end the session' });
    }
    reload();
  };

  return (
    <>
      <PageHeader title="Security" description="Two-factor sign-in and where you are signed in" />
      <Stack gap="lg">
        {auth.user?.mfaEnrolmentRequired && (
          <Alert color="orange" title="Two-factor sign-in is required">
            Your organisation requires a second factor. Set it up to use the backoffice.
          </Alert>
        )}
        <Paper withBorder p="lg" radius="md">
          <Group justify="space-between" mb="sm">
            <Title order={3} fz={18}>
              Two-factor sign-in
            </Title>
            <Badge color={viewer?.mfaEnabled ? 'teal' : 'gray'} data-testid="mfa-status">
              {viewer?.mfaEnabled ? 'On' : 'Off'}
            </Badge>
          </Group>
          {codes && <RecoveryCodes email={auth.user?.email ?? ''} codes={codes} onDone={() => setCodes(null)} />}
          {!codes &&
            (viewer?.mfaEnabled ? (
              <Manage onCodes={setCodes} onDisabled={() => { reload(); void auth.refresh(); }} />
            ) : (
              <Enrol
                onEnrolled={(c) => {
                  setCodes(c);
                  reload();
                  void auth.refresh();
                }}
              />
            ))}
        </Paper>
        <Paper withBorder p="lg" radius="md">
          <Title order={3} fz={18} mb="sm">
            Sessions
          </Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(viewer?.sessions ?? []).map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Text size="sm" truncate maw={360}>
                      {s.device || 'Unknown device'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.address}</Table.Td>
                  <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
                  <Table.Td>
                    {s.current ? (
                      <Badge variant="light">This session</Badge>
                    ) : (
                      <Button size="xs" variant="subtle" color="red" onClick={() => void revoke(s.id)}>
                        Sign out
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      </Stack>
    </>
  );
}
