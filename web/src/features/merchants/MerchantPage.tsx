import { Badge, Button, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { DetailList, EmptyState, IdText, LoadingBlock, PageHeader, QueryError, Section, StatusBadge } from '../../components/Page';
import { PlusIcon } from '../../components/icons';
import { formatDate, formatDateTime } from '../../lib/format';
import { labelOf, merchantStatus, productTypeLabels, roleOptions } from '../../lib/labels';
import { CompanyCard } from '../../shared/CompanyCard';
import { MerchantDetailQueryDocument, type MerchantDetail } from '../../shared/merchantDetail';
import { UsersTable } from '../../shared/users';
import { Checklist } from '../onboarding/Checklist';
import { OrdersTable } from '../orders/OrdersPage';
import { InviteUserDialog } from '../users/InviteUserDialog';
import { SuspendControls } from './SuspendDialog';

function ApiKeysTable({ merchant }: { merchant: MerchantDetail }) {
  const keys = merchant.apiKeys ?? [];
  return (
    <Section title="API keys" description="Created by the merchant; each acts as one company and shop" padded={false}>
      {keys.length === 0 ? (
        <EmptyState title="No API keys" description="The merchant creates API keys for their integration in their own backoffice." />
      ) : (
        <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
          <Table.Thead bg="var(--mantine-color-gray-0)">
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Shop</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td fw={500}>{key.name}</Table.Td>
                <Table.Td>
                  <IdText>{`pk_${key.environment}_${key.prefix}_…`}</IdText>
                </Table.Td>
                <Table.Td>{key.shop.name}</Table.Td>
                <Table.Td c="dimmed">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</Table.Td>
                <Table.Td>
                  <Badge color={key.revokedAt ? 'gray' : 'green'} variant="light" size="sm" radius="sm" tt="none">
                    {key.revokedAt ? 'Revoked' : 'Active'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

function ShopsList({ merchant }: { merchant: MerchantDetail }) {
  const shops = merchant.shops ?? [];
  if (shops.length === 0) {
    return (
      <Section title="Shops">
        <EmptyState title="No shops yet" description="Add the merchant's shops in onboarding." />
      </Section>
    );
  }
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      {shops.map((shop) => (
        <Section key={shop.id} title={shop.name} description={shop.url ?? undefined}>
          <DetailList
            items={[
              { label: 'Language', value: shop.defaultLang },
              { label: 'Currency', value: shop.currency },
              { label: 'Products', value: shop.productTypes.map((p) => labelOf(productTypeLabels, p)).join(', ') || '—' },
              { label: 'Shop id', value: <IdText>{shop.id}</IdText> },
            ]}
          />
        </Section>
      ))}
    </SimpleGrid>
  );
}

/** PSP staff: one merchant with its companies, activations, shops, users, API keys and orders. */
export function MerchantPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  const [inviting, setInviting] = useState(false);
  const [result, reexecute] = useQuery({ query: MerchantDetailQueryDocument, variables: { id } });
  const merchant = result.data?.node?.__typename === 'Merchant' ? result.data.node : undefined;
  const back = { to: '/merchants', label: 'Merchants' };

  if (result.error) {
    return (
      <>
        <PageHeader back={back} title="Merchant" />
        <QueryError error={result.error} what="the merchant" />
      </>
    );
  }
  if (!merchant) {
    return result.fetching || !result.data ? (
      <LoadingBlock label="Loading the merchant" />
    ) : (
      <>
        <PageHeader back={back} title="Merchant not found" />
        <EmptyState title="There is no such merchant" />
      </>
    );
  }

  const companies = merchant.companies ?? [];
  return (
    <>
      <PageHeader
        back={back}
        title={merchant.name}
        badges={<StatusBadge styles={merchantStatus} value={merchant.status} size="md" />}
        description={
          <>
            {merchant.country}
            {merchant.email ? ` · ${merchant.email}` : ''} · since {formatDate(merchant.createdAt.slice(0, 10))}
          </>
        }
        actions={
          <>
            <SuspendControls merchant={merchant} onChanged={() => reexecute({ requestPolicy: 'network-only' })} />
            {merchant.status === 'ONBOARDING' ? (
              <Button component={Link} to={`/merchants/${merchant.id}/onboarding`}>
                Continue onboarding
              </Button>
            ) : (
              <Button component={Link} to={`/merchants/${merchant.id}/onboarding?step=3`} variant="default">
                Providers & onboarding
              </Button>
            )}
          </>
        }
      />
      {merchant.suspensionReason && merchant.status === 'SUSPENDED' && (
        <Text c="red" size="sm" mb="md">
          Suspended: {merchant.suspensionReason}
        </Text>
      )}
      <Tabs
        value={tab}
        onChange={(value) => {
          const next = new URLSearchParams();
          if (value && value !== 'overview') {
            next.set('tab', value);
          }
          setParams(next, { replace: true });
        }}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Companies ({companies.length})</Tabs.Tab>
          <Tabs.Tab value="shops">Shops ({merchant.shops?.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="users">Users ({merchant.users?.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="keys">API keys ({merchant.apiKeys?.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="orders">Orders</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Stack gap="md">
            {merchant.checklist.some((item) => !item.done) && (
              <Section title="Onboarding checklist" description="What is still missing or recommended">
                <Checklist items={merchant.checklist} />
              </Section>
            )}
            {companies.length === 0 ? (
              <Section>
                <EmptyState title="No companies yet" description="A merchant settles through its companies: add one in onboarding." />
              </Section>
            ) : (
              companies.map((company) => <CompanyCard key={company.id} company={company} />)
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="shops">
          <ShopsList merchant={merchant} />
        </Tabs.Panel>
        <Tabs.Panel value="users">
          <UsersTable
            merchant={merchant}
            actions={
              <Button size="xs" variant="light" leftSection={<PlusIcon size={14} />} onClick={() => setInviting(true)}>
                Invite user
              </Button>
            }
          />
          <InviteUserDialog
            opened={inviting}
            onClose={() => setInviting(false)}
            merchantId={merchant.id}
            roles={roleOptions}
            onInvited={() => reexecute({ requestPolicy: 'network-only' })}
          />
        </Tabs.Panel>
        <Tabs.Panel value="keys">
          <ApiKeysTable merchant={merchant} />
        </Tabs.Panel>
        <Tabs.Panel value="orders">
          <OrdersTable merchantId={merchant.id} orderPath={(order) => `/merchants/${merchant.id}/orders/${order.id}`} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
