import { Alert, Anchor, Grid, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { audienceOf } from '../../auth/roles';
import { DetailList, EmptyState, IdText, LoadingBlock, MoneyText, PageHeader, QueryError, Section, Stat, StatusBadge } from '../../components/Page';
import { graphql } from '../../gql';
import { formatDate, formatMoney } from '../../lib/format';
import { entryKind, labelOf, productTypeLabels, settlementStatus } from '../../lib/labels';
import { CsvLink } from './SettlementsTable';
import { MarkPaidButton } from './MarkPaidButton';
import { formatIban } from '../../lib/iban';

export const SettlementDetailQuery = graphql(`
  query SettlementDetail($id: ID!) {
    node(id: $id) {
      __typename
      ... on Settlement {
        ...SettlementRow
        currency
        paymentInstructions {
          accountHolder
          iban
          bic
          reference
          amount {
            ...MoneyFields
          }
        }
        entries {
          id
          kind
          productType
          payableDate
          fulfilmentID
          refundID
          owedSettlementID
          amount {
            ...MoneyFields
          }
          order {
            id
            reference
          }
        }
      }
    }
  }
`);

/** One settlement: totals and every entry, each leading to its order. */
export function SettlementPage() {
  const { id = '' } = useParams();
  const { user } = useAuth();
  const psp = user ? audienceOf(user.role) === 'psp' : false;
  const [result, reexecute] = useQuery({ query: SettlementDetailQuery, variables: { id } });
  const settlement = result.data?.node?.__typename === 'Settlement' ? result.data.node : undefined;
  const back = { to: '/settlements', label: psp ? 'Settlement runs' : 'Settlements' };

  if (result.error) {
    return (
      <>
        <PageHeader back={back} title="Settlement" />
        <QueryError error={result.error} what="the settlement" />
      </>
    );
  }
  if (!settlement) {
    return result.fetching || !result.data ? (
      <LoadingBlock label="Loading the settlement" />
    ) : (
      <>
        <PageHeader back={back} title="Settlement not found" />
        <EmptyState title="There is no such settlement" />
      </>
    );
  }
  const entries = settlement.entries ?? [];
  const orderPath = (orderId: string) => (psp ? `/merchants/${settlement.merchantID}/orders/${orderId}` : `/orders/${orderId}`);

  return (
    <>
      <PageHeader
        back={back}
        title={`Settlement of ${formatDate(settlement.date)}`}
        badges={<StatusBadge styles={settlementStatus} value={settlement.status} size="md" />}
        description={
          <>
            {settlement.company.legalName}
            {settlement.paymentReference ? ` · payment reference ${settlement.paymentReference}` : ''}
          </>
        }
        actions={
          <>
            {psp && <MarkPaidButton settlement={settlement} size="sm" onDone={() => reexecute({ requestPolicy: 'network-only' })} />}
            <CsvLink settlementId={settlement.id} href={settlement.exportUrl} variant="default" />
          </>
        }
      />
      <Grid gutter="md" mb="md">
        <Grid.Col span={{ base: 6, md: 3 }}>
          <Stat label="Gross" value={formatMoney(settlement.gross)} />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 3 }}>
          <Stat label="Refunds" value={formatMoney(settlement.refunds)} />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 3 }}>
          <Stat label="Fees" value={formatMoney(settlement.fees)} />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 3 }}>
          <Stat
            label={settlement.net.amount.startsWith('-') ? 'Merchant owes' : 'Net payout'}
            value={formatMoney(settlement.net)}
          />
        </Grid.Col>
      </Grid>
      {settlement.paymentInstructions && (
        <Alert color={settlement.status === 'SETTLED' ? 'gray' : 'orange'} title={settlement.status === 'SETTLED' ? 'The merchant paid what it owed' : 'The merchant owes this amount'} mb="md">
          <DetailList
            items={[
              { label: 'Amount', value: formatMoney(settlement.paymentInstructions.amount) },
              { label: 'Account holder', value: settlement.paymentInstructions.accountHolder },
              { label: 'IBAN', value: <Text span ff="monospace" size="sm">{formatIban(settlement.paymentInstructions.iban)}</Text> },
              { label: 'BIC', value: settlement.paymentInstructions.bic },
              { label: 'Reference', value: <IdText>{settlement.paymentInstructions.reference}</IdText> },
            ]}
          />
        </Alert>
      )}
      <Section title="Entries" description="Each order, fulfilment, refund and fee in this settlement" padded={false}>
        {entries.length === 0 ? (
          <EmptyState title="No entries" />
        ) : (
          <Table.ScrollContainer minWidth={700}>
            <Table verticalSpacing={8} horizontalSpacing="md" fz="sm">
              <Table.Thead bg="var(--mantine-color-gray-0)">
                <Table.Tr>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Order</Table.Th>
                  <Table.Th>Product</Table.Th>
                  <Table.Th>Operation</Table.Th>
                  <Table.Th>Payable</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>
                      <StatusBadge styles={entryKind} value={entry.kind} size="xs" />
                    </Table.Td>
                    <Table.Td>
                      {entry.order ? (
                        <Anchor component={Link} to={orderPath(entry.order.id)} size="sm" fw={500}>
                          {entry.order.reference}
                        </Anchor>
                      ) : entry.owedSettlementID ? (
                        <Anchor component={Link} to={`/settlements/${entry.owedSettlementID}`} size="sm" fw={500}>
                          Settlement owed
                        </Anchor>
                      ) : (
                        <Text span c="dimmed" size="sm">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{labelOf(productTypeLabels, entry.productType)}</Table.Td>
                    <Table.Td>
                      {entry.fulfilmentID || entry.refundID ? <IdText>{entry.fulfilmentID ?? entry.refundID}</IdText> : <Text span c="dimmed" size="sm">—</Text>}
                    </Table.Td>
                    <Table.Td c="dimmed">{formatDate(entry.payableDate)}</Table.Td>
                    <Table.Td ta="right">
                      <MoneyText value={entry.amount} fw={500} c={entry.amount.amount.startsWith('-') ? 'red.8' : undefined} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
    </>
  );
}
