import { useQuery } from 'urql';
import { graphql } from '../gql';

export const MyMerchantQuery = graphql(`
  query MyMerchant {
    viewer {
      id
      merchantId
    }
  }
`);

export const MerchantCompaniesQuery = graphql(`
  query MerchantCompanies($id: ID!) {
    node(id: $id) {
      __typename
      ... on Merchant {
        id
        name
        status
        companies {
          id
          legalName
          currency
          payoutSchedule
          payoutWeekdays
          payNowDelayDays
          payLaterDelayDays
        }
        shops {
          id
          name
          currency
          productTypes
        }
      }
    }
  }
`);

/**
 * The signed-in merchant user's merchant with its companies and shops (the
 * viewer names the merchant; tenant rules let the user read only that one).
 */
export function useMyMerchant() {
  const [viewer] = useQuery({ query: MyMerchantQuery });
  const merchantId = viewer.data?.viewer?.merchantId ?? '';
  const [merchant, reexecute] = useQuery({ query: MerchantCompaniesQuery, variables: { id: merchantId }, pause: merchantId === '' });
  const node = merchant.data?.node?.__typename === 'Merchant' ? merchant.data.node : undefined;
  return {
    merchant: node,
    fetching: viewer.fetching || merchant.fetching || (!viewer.error && !viewer.data),
    error: viewer.error ?? merchant.error,
    reexecute,
  };
}
