import { Alert, Button, Group, Loader, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useMutation } from 'urql';
import { IdText, StatusBadge } from '../../components/Page';
import type { Provider } from '../../gql/graphql';
import { formatDateTime } from '../../lib/format';
import { activationStatus, labelOf, providerLabels } from '../../lib/labels';
import type { CompanyDetail } from '../../shared/merchantDetail';
import { ActivateCompanyMutation } from './mutations';
import { refusalOf } from '../../lib/userErrors';

export const providers: readonly Provider[] = ['PAYWERK', 'BILLIE', 'BILLWERK', 'BETTERPAYMENT'];

/**
 * A company's activation with each provider: activate, see the live status
 * (the page polls while one is PENDING), the provider's merchant ID (Billie)
 * or the reason of a rejection, and try again.
 */
export function ActivationPanel({ company, onChanged }: { company: CompanyDetail; onChanged: () => void }) {
  const [, activate] = useMutation(ActivateCompanyMutation);
  const [busy, setBusy] = useState<Provider | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Provider, string>>>({});

  const run = async (provider: Provider) => {
    setBusy(provider);
    setErrors((e) => ({ ...e, [provider]: undefined }));
    const result = await activate({ input: { companyId: company.id, provider } });
    setBusy(null);
    const payload = result.data?.activateCompany;
    const message = refusalOf(result.error, payload?.userErrors);
    if (message) {
      setErrors((e) => ({ ...e, [provider]: message }));
    } else if (payload?.activation) {
      const status = payload.activation.status;
      notifications.show({
        color: status === 'ACTIVE' ? 'green' : status === 'REJECTED' ? 'red' : 'yellow',
        title: `${labelOf(providerLabels, provider)}: ${labelOf({ ACTIVE: 'active', REJECTED: 'rejected', PENDING: 'pending review' }, status)}`,
        message: status === 'REJECTED' ? (payload.activation.reason ?? 'The provider refused the activation.') : company.legalName,
      });
    }
    onChanged();
  };

  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={10} horizontalSpacing="md" fz="sm" aria-label={`Provider activation of ${company.legalName}`}>
        <Table.Thead bg="var(--mantine-color-gray-0)">
          <Table.Tr>
            <Table.Th w={170}>Provider</Table.Th>
            <Table.Th w={150}>Status</Table.Th>
            <Table.Th>Details</Table.Th>
            <Table.Th w={140} aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {providers.map((provider) => {
            const activation = (company.activations ?? []).find((a) => a.provider === provider);
            const error = errors[provider];
            return (
              <Table.Tr key={provider}>
                <Table.Td fw={600}>{labelOf(providerLabels, provider)}</Table.Td>
                <Table.Td>
                  {activation ? (
                    <Group gap={6} wrap="nowrap">
                      <StatusBadge styles={activationStatus} value={activation.status} />
                      {activation.status === 'PENDING' && <Loader size={12} aria-label="Waiting for the provider" />}
                    </Group>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Not activated
                    </Text>
                  )}
                </Table.Td>
                <Table.Td className="wrap">
                  <Stack gap={2}>
                    {activation?.externalMerchantId && (
                      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {provider === 'BILLIE' ? 'Billie merchant ID' : 'Merchant ID'} <IdText>{activation.externalMerchantId}</IdText>
                      </Text>
                    )}
                    {activation?.status === 'REJECTED' && (
                      <>
                        {activation.reason && (
                          <Text size="sm" c="red.8">
                            {activation.reason}
                          </Text>
                        )}
                        <Text size="xs" c="dimmed">
                          Correct the company in the Companies step, then try again.
                        </Text>
                      </>
                    )}
                    {activation?.status === 'PENDING' && (
                      <Text size="xs" c="dimmed">
                        The provider is reviewing; asked {formatDateTime(activation.updatedAt)}
                      </Text>
                    )}
                    {activation?.status === 'ACTIVE' && activation.activatedAt && (
                      <Text size="xs" c="dimmed">
                        Active since {formatDateTime(activation.activatedAt)}
                      </Text>
                    )}
                    {error && (
                      <Alert color="red" p={6} role="alert">
                        <Text size="xs">{error}</Text>
                      </Alert>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td ta="right">
                  {(!activation || activation.status === 'REJECTED') && (
                    <Button
                      size="xs"
                      variant={activation ? 'light' : 'filled'}
                      loading={busy === provider}
                      disabled={busy !== null && busy !== provider}
                      onClick={() => void run(provider)}
                      aria-label={`${activation ? 'Retry activation' : 'Activate'} with ${labelOf(providerLabels, provider)} for ${company.legalName}`}
                    >
                      {activation ? 'Try again' : 'Activate'}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
