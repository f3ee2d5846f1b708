import { graphql } from '../../gql';

export const ReconciliationReportsQuery = graphql(`
  query ReconciliationReports($first: Int!, $after: Cursor, $provider: Provider, $status: ReconciliationStatus) {
    reconciliationReports(first: $first, after: $after, provider: $provider, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          provider
          date
          status
          operationsChecked
          createdAt
          updatedAt
        }
      }
    }
  }
`);

graphql(`
  fragment MismatchRow on ReconciliationMismatch {
    id
    kind
    operationId
    providerReference
    detail
    resolvedAt
    resolutionNote
    ours {
      ...MoneyFields
    }
    theirs {
      ...MoneyFields
    }
    order {
      id
      reference
      merchant {
        id
      }
    }
  }
`);

export const ReconciliationReportQuery = graphql(`
  query ReconciliationReport($id: ID!) {
    node(id: $id) {
      __typename
      ... on ReconciliationReport {
        id
        provider
        date
        status
        operationsChecked
        mismatches {
          ...MismatchRow
        }
      }
    }
  }
`);

export const RunReconciliationMutation = graphql(`
  mutation RunReconciliation($input: RunReconciliationInput!) {
    runReconciliation(input: $input) {
      reports {
        id
        provider
        date
        status
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ResolveMismatchMutation = graphql(`
  mutation ResolveMismatch($input: ResolveMismatchInput!) {
    resolveMismatch(input: $input) {
      mismatch {
        id
        resolvedAt
        resolutionNote
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const OrderMismatchesQuery = graphql(`
  query OrderMismatches($id: ID!) {
    node(id: $id) {
      __typename
      ... on Order {
        id
        reconciliationMismatches {
          id
          kind
          detail
          resolvedAt
        }
      }
    }
  }
`);
