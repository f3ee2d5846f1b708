import { Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { EmptyState, IdText, LoadingBlock, PageHeader, QueryError, SkeletonRows } from '../../components/Page';
import { PlusIcon } from '../../components/icons';
import { formatDateTime } from '../../lib/format';
import { useMyMerchant } from '../../lib/viewer';
import { CreateKeyDialog } from './CreateKeyDialog';
import { ApiKeysQuery } from './queries';
import { RevokeDialog } from './RevokeDialog';
import { RollDialog } from './RollDialog';

export function ApiKeysPage() {
  const { user } = useAuth();
  const canManage = user?.role === 'MERCHANT_ADMIN';
  const mine = useMyMerchant();
  const merchantId = mine.merchant?.id ?? '';
  const [result, reexecute] = useQuery({ query: ApiKeysQuery, variables: { merchantId }, pause: merchantId === '' });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [rolling, setRolling] = useState<{ id: string; name: string } | null>(null);
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
                            All scopes (made before least privilege)
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
                        <Badge color={!key.active ? 'gray' : key.replacedByID ? 'yellow' : 'green'} variant="light" size="sm" radius="sm" tt="none">
                          {key.revokedAt ? 'Revoked' : !key.active ? 'Expired' : key.replacedByID ? 'Rolled' : 'Active'}
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
                            <Group gap={4} justify="flex-end" wrap="nowrap">
                              {!key.replacedByID && (
                                <Button size="xs" variant="subtle" onClick={() => setRolling({ id: key.id, name: key.name })}>
                                  Roll
                                </Button>
                              )}
                              <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking({ id: key.id, name: key.name })}>
                                Revoke
                              </Button>
                            </Group>
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
      <RollDialog apiKey={rolling} onClose={() => setRolling(null)} onRolled={refresh} />
    </>
  );
}
