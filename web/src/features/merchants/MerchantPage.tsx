import { Badge, Button, Grid, Group, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import {
  DetailList,
  EmptyState,
  IdText,
  LoadingBlock,
  MoneyText,
  PageHeader,
  QueryError,
  Section,
  StatusBadge,
} from '../../components/Page';
import { graphql } from '../../gql';
import type { MerchantDetailQuery } from '../../gql/graphql';
import { formatDate, formatDateTime } from '../../lib/format';
import {
  activationStatus,
  labelOf,
  merchantStatus,
  productTypeLabels,
  providerLabels,
  roleOptions,
  scheduleLabels,
  weekdayLabel,
} from '../../lib/labels';
import { roleLabel, isRole } from '../../auth/roles';
import { OrdersTable } from '../orders/OrdersPage';
import { InviteUserDialog } from '../users/InviteUserDialog';
import { SuspendControls } from './SuspendDialog';
import { Checklist } from '../onboarding/Checklist';
import { PlusIcon } from '../../components/icons';

export const MerchantDetailQueryDocument = graphql(`
  query MerchantDetail($id: ID!) {
    node(id: $id) {
      __typename
      ... on Merchant {
        id
        name
        country
        email
        status
        suspensionReason
        createdAt
        checklist {
          key
          done
          blocking
          message
          companyId
          provider
        }
        companies {
          id
          legalName
          country
          registrationNumber
          vatID
          iban
          financeEmail
          currency
          payoutSchedule
          payoutWeekdays
          payNowDelayDays
          payLaterDelayDays
          fees {
            id
            productType
            percentBps
            fixed {
              ...MoneyFields
            }
          }
          feePlanHistory {
            version
            effectiveAt
            fees {
              productType
              percentBps
              fixed {
                ...MoneyFields
              }
            }
          }
          activations {
            id
            provider
            status
            externalMerchantId
            reason
            activatedAt
            updatedAt
          }
        }
        shops {
          id
          name
          url
          defaultLang
          currency
          productTypes
        }
        users {
          id
          email
          name
          role
          lastLoginAt
          disabled
          invitationPending
          createdAt
        }
        apiKeys {
          id
          name
          prefix
          environment
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
        }
      }
    }
  }
`);

export type MerchantDetail = Extract<NonNullable<MerchantDetailQuery['node']>, { __typename: 'Merchant' }>;
export type CompanyDetail = NonNullable<MerchantDetail['companies']>[number];

/** 290 basis points → "2.9 %". */
export function percentOfBps(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = String(Math.abs(bps % 100)).padStart(2, '0').replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''} %`;
}

export function scheduleText(company: Pick<CompanyDetail, 'payoutSchedule' | 'payoutWeekdays'>): string {
  const days = company.payoutWeekdays.map(weekdayLabel).join(', ');
  switch (company.payoutSchedule) {
    case 'DAILY':
      return 'Daily';
    case 'WEEKLY':
      return days ? `Weekly on ${days}` : 'Weekly';
    case 'WEEKDAYS':
      return days ? `On ${days}` : 'On chosen weekdays';
    default:
      return labelOf(scheduleLabels, company.payoutSchedule);
  }
}

export function CompanyCard({ company, actions }: { company: CompanyDetail; actions?: ReactNode }) {
  return (
    <Section title={company.legalName} description={`${company.country} · ${company.currency}`} actions={actions}>
      <Grid gutter="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <DetailList
            items={[
              { label: 'Registration', value: company.registrationNumber || '—' },
              { label: 'VAT id', value: company.vatID || '—' },
              { label: 'IBAN', value: <Text span ff="monospace" size="sm">{company.iban}</Text> },
              { label: 'Finance e-mail', value: company.financeEmail || '—' },
              { label: 'Payouts', value: scheduleText(company) },
              { label: 'Delays', value: `Pay now ${company.payNowDelayDays} days · pay later ${company.payLaterDelayDays} days` },
            ]}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
            Fees
          </Text>
          {(company.fees ?? []).length === 0 ? (
            <Text size="sm" c="dimmed">
              No fees
            </Text>
          ) : (
            <Table fz="sm" verticalSpacing={4} withRowBorders={false}>
              <Table.Tbody>
                {(company.fees ?? []).map((fee) => (
                  <Table.Tr key={fee.id}>
                    <Table.Td pl={0}>{labelOf(productTypeLabels, fee.productType)}</Table.Td>
                    <Table.Td ta="right">{percentOfBps(fee.percentBps)}</Table.Td>
                    <Table.Td ta="right" pr={0}>
                      + <MoneyText value={fee.fixed} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {(company.feePlanHistory ?? []).length > 0 && (
            <>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mt="md" mb={6}>
                Fee plan history
              </Text>
              <Table fz="sm" verticalSpacing={4} withRowBorders={false} aria-label="Fee plan history">
                <Table.Tbody>
                  {(company.feePlanHistory ?? []).map((v) => (
                    <Table.Tr key={v.version}>
                      <Table.Td pl={0}>
                        v{v.version} from {formatDateTime(v.effectiveAt)}
                      </Table.Td>
                      <Table.Td pr={0}>
                        {v.fees.length === 0
                          ? 'No fees'
                          : v.fees.map((f) => (
                              <Text key={f.productType} size="sm">
                                {labelOf(productTypeLabels, f.productType)} {percentOfBps(f.percentBps)} + <MoneyText value={f.fixed} />
                              </Text>
                            ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed" mt={4}>
                A credit is charged by the version in force when it was earned.
              </Text>
            </>
          )}
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mt="md" mb={6}>
            Providers
          </Text>
          <ActivationList company={company} />
        </Grid.Col>
      </Grid>
    </Section>
  );
}

export function ActivationList({ company }: { company: CompanyDetail }) {
  const activations = company.activations ?? [];
  if (activations.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not activated with any provider yet
      </Text>
    );
  }
  return (
    <Stack gap={6}>
      {activations.map((a) => (
        <Group key={a.id} justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text size="sm" fw={500}>
              {labelOf(providerLabels, a.provider)}
            </Text>
            <StatusBadge styles={activationStatus} value={a.status} size="xs" />
          </Group>
          <Text size="xs" c="dimmed">
            {a.externalMerchantId ? (
              <>
                Merchant ID <IdText>{a.externalMerchantId}</IdText>
              </>
            ) : (
              (a.reason ?? (a.activatedAt ? `since ${formatDate(a.activatedAt.slice(0, 10))}` : ''))
            )}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

export function UsersTable({ merchant, actions }: { merchant: MerchantDetail; actions?: ReactNode }) {
  const users = merchant.users ?? [];
  return (
    <Section title="Users" description="People who sign in to this merchant's backoffice" padded={false} actions={actions}>
      {users.length === 0 ? (
        <EmptyState title="No users yet" description="Invite the merchant's first user: they receive a link to set their password." />
      ) : (
        <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
          <Table.Thead bg="var(--mantine-color-gray-0)">
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {user.name || user.email}
                  </Text>
                  {user.name && user.name !== user.email && (
                    <Text size="xs" c="dimmed">
                      {user.email}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{isRole(user.role) ? roleLabel(user.role) : user.role}</Table.Td>
                <Table.Td c="dimmed">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'}</Table.Td>
                <Table.Td>
                  {user.disabled ? (
                    <Badge color="gray" variant="light" size="sm" radius="sm" tt="none">
                      Disabled
                    </Badge>
                  ) : user.invitationPending ? (
                    <Badge color="blue" variant="light" size="sm" radius="sm" tt="none">
                      Invited
                    </Badge>
                  ) : (
                    <Badge color="green" variant="light" size="sm" radius="sm" tt="none">
                      Active
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

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
          <OrdersTable merchantId={merchant.id} orderPath={(orderId) => `/merchants/${merchant.id}/orders/${orderId}`} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
