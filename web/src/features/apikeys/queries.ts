import { graphql } from '../../gql';

export const ApiKeysQuery = graphql(`
  query ApiKeys($merchantId: ID!) {
    node(id: $merchantId) {
      __typename
      ... on Merchant {
        id
        apiKeys {
          ...ApiKeyRowFields
          scopes
          active
          replacedByID
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

export const RollApiKeyMutation = graphql(`
  mutation RollApiKey($input: RollApiKeyInput!) {
    rollApiKey(input: $input) {
      secret
      apiKey {
        id
        prefix
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

/** The scopes an API key can have (graph/auth.graphqls); none means every scope. */
