import { graphql } from '../../gql';

/** One delivery attempt as the order page and the Webhooks page show it. */
export const DeliveryFields = graphql(`
  fragment DeliveryFields on EventDelivery {
    attempt
    url
    at
    responseStatus
    error
    durationMs
    outcome
  }
`);

export const OrderEventsQuery = graphql(`
  query OrderEvents($id: ID!) {
    node(id: $id) {
      __typename
      ... on Order {
        id
        events {
          id
          sequence
          type
          createdAt
          deliveries {
            ...DeliveryFields
          }
        }
      }
    }
  }
`);

export const WebhookEndpointsQuery = graphql(`
  query WebhookEndpoints($merchantId: ID!) {
    node(id: $merchantId) {
      __typename
      ... on Merchant {
        id
        companies {
          id
          legalName
          webhookEndpoints {
            id
            url
            eventTypes
            disabled
            disabledReason
            failureRate
            createdAt
            previousSecretExpiresAt
            deliveries(first: 20) {
              ...DeliveryFields
              event {
                id
                type
                sequence
                order {
                  id
                  reference
                }
              }
            }
          }
        }
      }
    }
  }
`);

export const RedeliverEventMutation = graphql(`
  mutation RedeliverEvent($input: RedeliverEventInput!) {
    redeliverEvent(input: $input) {
      event {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const CreateWebhookEndpointMutation = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      webhookEndpoint {
        id
      }
      secret
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateWebhookEndpointMutation = graphql(`
  mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $input) {
      webhookEndpoint {
        id
        url
        disabled
        disabledReason
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const DeleteWebhookEndpointMutation = graphql(`
  mutation DeleteWebhookEndpoint($input: DeleteWebhookEndpointInput!) {
    deleteWebhookEndpoint(input: $input) {
      webhookEndpoint {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RollWebhookEndpointSecretMutation = graphql(`
  mutation RollWebhookEndpointSecret($input: RollWebhookEndpointSecretInput!) {
    rollWebhookEndpointSecret(input: $input) {
      webhookEndpoint {
        id
        previousSecretExpiresAt
      }
      secret
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

/** The event types (graph/ent.graphql EventType), in the order the API lists them. */
export const eventTypes = [
  'ORDER_CONFIRMED',
  'ORDER_FAILED',
  'ORDER_CANCELLED',
  'FULFILMENT_SUCCEEDED',
  'FULFILMENT_FAILED',
  'REFUND_SUCCEEDED',
  'REFUND_FAILED',
  'SETTLEMENT_CREATED',
  'SETTLEMENT_PAID',
] as const;
