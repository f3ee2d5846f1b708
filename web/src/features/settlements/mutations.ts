import { graphql } from '../../gql';

export const RunSettlementsMutation = graphql(`
  mutation RunSettlements($input: RunSettlementsInput!) {
    runSettlements(input: $input) {
      date
      settlements {
        ...SettlementRow
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const MarkSettlementPaidMutation = graphql(`
  mutation MarkSettlementPaid($input: MarkSettlementPaidInput!) {
    markSettlementPaid(input: $input) {
      settlement {
        ...SettlementRow
      }
      userErrors {
        code
        field
        message
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
