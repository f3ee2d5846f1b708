import { graphql } from '../../gql';

export const CreateMerchantMutation = graphql(`
  mutation CreateMerchant($input: CreateMerchantInput!) {
    createMerchant(input: $input) {
      merchant {
        id
        name
        status
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const AddCompanyMutation = graphql(`
  mutation AddCompany($input: AddCompanyInput!) {
    addCompany(input: $input) {
      company {
        id
        legalName
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const AddShopMutation = graphql(`
  mutation AddShop($input: AddShopInput!) {
    addShop(input: $input) {
      shop {
        id
        name
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ActivateCompanyMutation = graphql(`
  mutation ActivateCompany($input: ActivateCompanyInput!) {
    activateCompany(input: $input) {
      activation {
        id
        provider
        status
        externalMerchantId
        reason
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const SuspendMerchantMutation = graphql(`
  mutation SuspendMerchant($input: SuspendMerchantInput!) {
    suspendMerchant(input: $input) {
      merchant {
        id
        status
        suspensionReason
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ReactivateMerchantMutation = graphql(`
  mutation ReactivateMerchant($input: ReactivateMerchantInput!) {
    reactivateMerchant(input: $input) {
      merchant {
        id
        status
        suspensionReason
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateCompanyMutation = graphql(`
  mutation UpdateCompany($input: UpdateCompanyInput!) {
    updateCompany(input: $input) {
      company {
        id
        legalName
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);
