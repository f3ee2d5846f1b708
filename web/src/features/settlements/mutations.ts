import { graphql } from '../../gql';

export const RunSettlementsMutation = graphql(`
  mutation RunSettlements($input: RunSettlementsInput!) {
    runSettlements(input: $input) {
      date
      # Only the ids: the settlements are read afterwards with SettlementsByIds (the
      # payload's objects come from the run's transaction, so their edges are not
      # loaded from it).
      settlements {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const MarkSettlementPaidMutation = graphql(`
  mutation MarkSettlementPaid($input: MarkSettlementPaidInput!) {
    markSettlementPaid(input: $input) {
      # Scalars only; the screens refetch the settlement (see RunSettlements).
      settlement {
        id
        status
        paidAt
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const SettlementOverviewQuery = graphql(`
  query SettlementOverview($companyId: ID!, $from: Date!, $to: Date!) {
    settlementOverview(companyId: $companyId, from: $from, to: $to) {
      from
      to
      total {
        gross {
          ...MoneyFields
        }
        refunds {
          ...MoneyFields
        }
        fees {
          ...MoneyFields
        }
        net {
          ...MoneyFields
        }
      }
      daily {
        ...PeriodFields
      }
      weekly {
        ...PeriodFields
      }
      monthly {
        ...PeriodFields
      }
      upcoming {
        date
        items
        gross {
          ...MoneyFields
        }
        refunds {
          ...MoneyFields
        }
        fees {
          ...MoneyFields
        }
        net {
          ...MoneyFields
        }
      }
      pendingBalance {
        ...MoneyFields
      }
      availableBalance {
        ...MoneyFields
      }
    }
  }
`);

graphql(`
  fragment PeriodFields on SettlementPeriod {
    period
    start
    end
    net {
      ...MoneyFields
    }
    gross {
      ...MoneyFields
    }
  }
`);

export const SettlementsByIdsQuery = graphql(`
  query SettlementsByIds($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Settlement {
        ...SettlementRow
      }
    }
  }
`);
