import { graphql } from '../../gql';
import type { OrderDetailQuery } from '../../gql/graphql';

/** One order with everything its page, its actions and its dialogs show. */
export const OrderDetailQueryDocument = graphql(`
  query OrderDetail($id: ID!) {
    node(id: $id) {
      __typename
      ... on Order {
        id
        reference
        status
        fulfilmentStatus
        provider
        productType
        providerReference
        currency
        lang
        firstName
        lastName
        email
        phone
        createdAt
        confirmedAt
        payoutDate
        initialAmount {
          ...MoneyFields
        }
        amount {
          ...MoneyFields
        }
        fulfilledAmount {
          ...MoneyFields
        }
        refundedAmount {
          ...MoneyFields
        }
        billingAddress {
          street
          city
          postalCode
          country
        }
        deliveryAddress {
          street
          city
          postalCode
          country
        }
        shop {
          id
          name
        }
        company {
          id
          legalName
        }
        items {
          id
          position
          sku
          name
          quantity
          fulfilledQuantity
          cancelledQuantity
          returnedQuantity
          openQuantity
          returnableQuantity
          vatRate
          unitPrice {
            ...MoneyFields
          }
          total {
            ...MoneyFields
          }
          fulfilledAmount {
            ...MoneyFields
          }
          cancelledAmount {
            ...MoneyFields
          }
          returnedAmount {
            ...MoneyFields
          }
        }
        fulfilments {
          id
          status
          createdAt
          completedAt
          payoutDate
          failureReason
          providerOperationID
          amount {
            ...MoneyFields
          }
          lines {
            id
            quantity
            amount {
              ...MoneyFields
            }
            item {
              id
              sku
              name
            }
          }
        }
        refunds {
          id
          status
          createdAt
          completedAt
          reason
          failureReason
          providerOperationID
          amount {
            ...MoneyFields
          }
          lines {
            id
            refundType
            quantity
            amount {
              ...MoneyFields
            }
            item {
              id
              sku
              name
            }
          }
        }
      }
    }
  }
`);

export type OrderDetail = Extract<NonNullable<OrderDetailQuery['node']>, { __typename: 'Order' }>;
