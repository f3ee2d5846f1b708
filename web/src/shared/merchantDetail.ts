import { graphql } from '../gql';
import type { MerchantDetailQuery } from '../gql/graphql';

/**
 * One merchant with everything its pages show. The merchant page, the
 * onboarding wizard and the merchant's team page read the same query, so it
 * lives outside every feature (features import shared/, never the reverse).
 */
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
          ...TeamUserFields
        }
        apiKeys {
          ...ApiKeyRowFields
        }
      }
    }
  }
`);

export type MerchantDetail = Extract<NonNullable<MerchantDetailQuery['node']>, { __typename: 'Merchant' }>;
export type CompanyDetail = NonNullable<MerchantDetail['companies']>[number];
