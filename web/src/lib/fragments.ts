import { graphql } from '../gql';

/**
 * Field lists every feature shares, defined once. graphql-codegen's client
 * preset knows fragments by name, so a document anywhere may spread them.
 */

/** A payload's business refusals: every mutation asks for them the same way. */
graphql(`
  fragment UserErrorFields on UserError {
    code
    field
    message
  }
`);

/** An amount as every screen shows it (lib/format's Money). */
graphql(`
  fragment MoneyFields on Money {
    amount
    minor
    currency
  }
`);

/** Where a list's next page starts (components/ListPage). */
graphql(`
  fragment PageInfoFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

/** A team member as the team lists show them (users, a merchant's team). */
graphql(`
  fragment TeamUserFields on User {
    id
    email
    name
    role
    lastLoginAt
    disabled
    invitationPending
    createdAt
  }
`);

/** An API key as the key lists show it (a merchant's keys, the API keys page). */
graphql(`
  fragment ApiKeyRowFields on ApiKey {
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
`);
