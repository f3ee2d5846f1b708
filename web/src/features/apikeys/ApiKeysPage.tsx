import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { isNotEmpty, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { EmptyState, IdText, LoadingBlock, PageHeader, QueryError, SkeletonRows } from '../../components/Page';
import { CheckIcon, CopyIcon, PlusIcon } from '../../components/icons';
import { graphql } from '../../gql';
import { addDays, startOfDay, today } from '../../lib/dates';
import { formatDateTime } from '../../lib/format';
import { fieldsNamed, mapUserErrors } from '../../lib/userErrors';
import { useMyMerchant } from '../../lib/viewer';

export const ApiKeysQuery = graphql(`
  query ApiKeys($merchantId: ID!) {
    node(id: $merchantId) {
      __typename
      ... on Merchant {
        id
        apiKeys {
          id
          name
          prefix
          environment
          scopes
          active
          createdAt
          expiresAt
          lastUsedAt
          revokedAt
          shop {
            id
            name
          }
          company {
            id
            legalName
          }
          createdBy {
            id
            email
          }
        }
      }
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      apiKey {
        id
        name
        prefix
      }
      secret
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      apiKey {
        id
        active
        revokedAt
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

/** The scopes an API key can have (graph/auth.graphqls); none means every scope. */
export const scopeOptions = [
  { value: 'orders:read', label: 'orders:read — read orders' },
  { value: 'orders:write', label: 'orders:write — create and fulfil orders' },
  { value: 'refunds:write', label: 'refunds:write — refund orders' },
  { value: 'settlements:read', label: 'settlements:read — read settlements' },
];

interface CreateValues {
  name: string;
  companyId: string;
  shopId: string;
  scopes: string[];
  expiresOn: string | null;
}

/** The secret of a new key, shown once with a copy button. */
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <Stack gap="md">
      <Alert color="yellow" title="Copy the key now">
        This is the only time the full key is shown. Store it in your shop's configuration; if you lose it, create a new key.
      </Alert>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="api-key-secret">
          {secret}
        </Code>
        <CopyButton value={secret} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} size="lg" onClick={copy} aria-label={copied ? 'Copied' : 'Copy the key'}>
                {copied ? <CheckIcon /> : <CopyIcon />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the key</Button>
      </Group>
    </Stack>
  );
}

function CreateKeyDialog({
  opened,
  onClose,
  companies,
  shops,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  companies: readonly { id: string; legalName: string }[];
  shops: readonly { id: string; name: string }[];
  onCreated: () => void;
}) {
  const [, createKey] = useMutation(CreateApiKeyMutation);
  const [secret, setSecret] = useState<string | null>(null);
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const form = useForm<CreateValues>({
    mode: 'controlled',
    initialValues: {
      name: '',
      companyId: companies.length === 1 ? (companies[0]?.id ?? '') : '',
      shopId: shops.length === 1 ? (shops[0]?.id ?? '') : '',
      scopes: [],
      expiresOn: null,
    },
    validate: {
      name: isNotEmpty('Name the key, e.g. after the system that uses it'),
      companyId: isNotEmpty('Choose the company'),
      shopId: isNotEmpty('Choose the shop'),
    },
  });

  const close = () => {
    form.reset();
    setSecret(null);
    setGeneral([]);
    onClose();
  };

  const submit = async (values: CreateValues) => {
    setGeneral([]);
    setSubmitting(true);
    const result = await createKey({
      input: {
        name: values.name.trim(),
        companyId: values.companyId,
        shopId: values.shopId,
        scopes: values.scopes.length > 0 ? values.scopes : null,
        expiresAt: values.expiresOn ? startOfDay(values.expiresOn) : null,
      },
    });
    setSubmitting(false);
    const payload = result.data?.createApiKey;
    if (result.error || !payload) {
      setGeneral([result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? 'The key was not created']);
      return;
    }
    if (payload.userErrors.length > 0) {
      const mapped = mapUserErrors(payload.userErrors, fieldsNamed(['name', 'companyId', 'shopId', 'scopes', 'expiresAt']));
      if (mapped.fields['expiresAt']) {
        mapped.fields['expiresOn'] = mapped.fields['expiresAt'];
      }
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
      return;
    }
    setSecret(payload.secret ?? null);
    onCreated();
  };

  return (
    <Modal opened={opened} onClose={close} title={secret ? 'Your new API key' : 'Create an API key'} size="lg" centered closeOnClickOutside={!secret}>
      {secret ? (
        <SecretReveal secret={secret} onDone={close} />
      ) : (
        <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
          <Stack gap="md">
            {general.length > 0 && (
              <Alert color="red" role="alert" title="The key was not created">
                {general.map((m) => (
                  <div key={m}>{m}</div>
                ))}
              </Alert>
            )}
            <TextInput label="Name" placeholder="e.g. Shopware production" data-autofocus {...form.getInputProps('name')} />
            <Group grow align="flex-start">
              <Select
                label="Company"
                description="Orders are settled to this company"
                data={companies.map((c) => ({ value: c.id, label: c.legalName }))}
                {...form.getInputProps('companyId')}
              />
              <Select label="Shop" description="Orders are created in this shop" data={shops.map((s) => ({ value: s.id, label: s.name }))} {...form.getInputProps('shopId')} />
            </Group>
            <MultiSelect
              label="Scopes"
              description="Leave empty for every scope"
              data={scopeOptions}
              placeholder="All scopes"
              clearable
              {...form.getInputProps('scopes')}
            />
            <DatePickerInput
              label="Expires on"
              description="Leave empty for a key that does not expire"
              placeholder="Never"
              minDate={addDays(today(), 1)}
              clearable
              valueFormat="D MMM YYYY"
              {...form.getInputProps('expiresOn')}
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={submitting}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function RevokeDialog({ apiKey: current, onClose, onRevoked }: { apiKey: { id: string; name: string } | null; onClose: () => void; onRevoked: () => void }) {
  const [state, revoke] = useMutation(RevokeApiKeyMutation);
  const [error, setError] = useState<string | null>(null);
  // Keep naming the key while the dialog fades out after closing.
  const last = useRef(current);
  if (current) {
    last.current = current;
  }
  const apiKey = last.current;
  const confirm = async () => {
    if (!apiKey) {
      return;
    }
    setError(null);
    const result = await revoke({ input: { apiKeyId: apiKey.id } });
    const payload = result.data?.revokeApiKey;
    const message = result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? payload?.userErrors[0]?.message;
    if (message || !payload) {
      setError(message ?? 'The key was not revoked');
      return;
    }
    notifications.show({ color: 'green', title: 'Key revoked', message: `${apiKey.name} stopped working.` });
    onRevoked();
    onClose();
  };
  return (
    <Modal opened={current !== null} onClose={onClose} title="Revoke this API key?" centered>
      <Stack gap="md">
        <Text size="sm">
          <b>{apiKey?.name}</b> stops working at once: every request that uses it is refused. This cannot be undone.
        </Text>
        {error && (
          <Alert color="red" role="alert" title={error} />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} data-autofocus>
            Keep the key
          </Button>
          <Button color="red" loading={state.fetching} onClick={() => void confirm()}>
            Revoke key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Merchants: the API keys of their shops; admins create (secret shown once) and revoke them. */
export function ApiKeysPage() {
  const { user } = useAuth();
  const canManage = user?.role === 'MERCHANT_ADMIN';
  const mine = useMyMerchant();
  const merchantId = mine.merchant?.id ?? '';
  const [result, reexecute] = useQuery({ query: ApiKeysQuery, variables: { merchantId }, pause: merchantId === '' });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const keys = result.data?.node?.__typename === 'Merchant' ? (result.data.node.apiKeys ?? []) : [];
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  if (mine.error) {
    return <QueryError error={mine.error} what="your merchant" />;
  }
  if (mine.fetching && !mine.merchant) {
    return <LoadingBlock label="Loading API keys" />;
  }
  const sorted = [...keys].sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));

  return (
    <>
      <PageHeader
        title="API keys"
        description="Your shop's integration authenticates with an API key. Each key acts for one company and one shop."
        actions={
          canManage ? (
            <Button leftSection={<PlusIcon size={16} />} onClick={() => setCreating(true)}>
              Create API key
            </Button>
          ) : undefined
        }
      />
      <Paper withBorder radius="md">
        {result.error ? (
          <div style={{ padding: 16 }}>
            <QueryError error={result.error} what="the API keys" />
          </div>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing={10} horizontalSpacing="md" fz="sm">
              <Table.Thead bg="var(--mantine-color-gray-0)">
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Shop</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Status</Table.Th>
                  {canManage && <Table.Th aria-label="Actions" />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.fetching && !result.data ? (
                  <SkeletonRows columns={canManage ? 7 : 6} rows={3} />
                ) : sorted.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={canManage ? 7 : 6}>
                      <EmptyState
                        title="No API keys yet"
                        description={canManage ? 'Create a key for your shop system to create orders through the API.' : 'An admin of your merchant can create keys.'}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  sorted.map((key) => (
                    <Table.Tr key={key.id} style={key.active ? undefined : { opacity: 0.6 }}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {key.name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          Created {formatDateTime(key.createdAt)}
                          {key.createdBy ? ` by ${key.createdBy.email}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <IdText>{`pk_${key.environment}_${key.prefix}_…`}</IdText>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{key.shop.name}</Text>
                        <Text size="xs" c="dimmed">
                          {key.company.legalName}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {key.scopes.length === 0 ? (
                          <Text size="xs" c="dimmed">
                            All scopes
                          </Text>
                        ) : (
                          <Group gap={4}>
                            {key.scopes.map((scope) => (
                              <Badge key={scope} variant="outline" color="gray" size="xs" radius="sm" tt="none" ff="monospace">
                                {scope}
                              </Badge>
                            ))}
                          </Group>
                        )}
                      </Table.Td>
                      <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                        {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Badge color={key.active ? 'green' : 'gray'} variant="light" size="sm" radius="sm" tt="none">
                          {key.revokedAt ? 'Revoked' : key.active ? 'Active' : 'Expired'}
                        </Badge>
                        {key.expiresAt && key.active && (
                          <Text size="xs" c="dimmed">
                            until {formatDateTime(key.expiresAt)}
                          </Text>
                        )}
                      </Table.Td>
                      {canManage && (
                        <Table.Td ta="right">
                          {key.active && (
                            <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking({ id: key.id, name: key.name })}>
                              Revoke
                            </Button>
                          )}
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      {canManage && (
        <CreateKeyDialog
          opened={creating}
          onClose={() => setCreating(false)}
          companies={mine.merchant?.companies ?? []}
          shops={mine.merchant?.shops ?? []}
          onCreated={refresh}
        />
      )}
      <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} onRevoked={refresh} />
    </>
  );
}
