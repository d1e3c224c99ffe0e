import { graphql } from '../../gql';

export const IncMerchantsDoc = graphql(`
  query IncMerchants($scopeId: ID!, $first: Int, $after: String) {
    merchants(scopeId: $scopeId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id name address }
    }
  }
`);

export const IncRegisterMerchantDoc = graphql(`
  mutation IncRegisterMerchant($scopeId: ID!, $name: String!, $address: String!) {
    registerMerchant(scopeId: $scopeId, name: $name, address: $address) { id name address }
  }
`);

export const IncPackageFields = graphql(`
  fragment IncPackage on Package {
    id
    title
    description
    merchant { id name address }
    costPoints
    totalStock
    remainingStock
    perPersonLimit
    eligibleRoles
    validFrom
    validUntil
    status
  }
`);

export const IncManagedPackagesDoc = graphql(`
  query IncManagedPackages($scopeId: ID!, $status: String, $first: Int, $after: String) {
    managedPackages(scopeId: $scopeId, status: $status, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...IncPackage }
    }
  }
`);

/** The titles of a scope's packages, for the redemptions list (which has only their ids). */
export const IncPackageTitlesDoc = graphql(`
  query IncPackageTitles($scopeId: ID!, $first: Int, $after: String) {
    managedPackages(scopeId: $scopeId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id title }
    }
  }
`);

export const IncCreatePackageDoc = graphql(`
  mutation IncCreatePackage($input: CreatePackageInput!) {
    createIncentivePackage(input: $input) { ...IncPackage }
  }
`);

export const IncSetPackageStatusDoc = graphql(`
  mutation IncSetPackageStatus($id: ID!, $status: PackageStatus!) {
    setIncentivePackageStatus(id: $id, status: $status) { ...IncPackage }
  }
`);

export const IncRedemptionFields = graphql(`
  fragment IncRedemption on Redemption { id code status points expiresAt usedAt packageId createdAt }
`);

export const IncVerifyRedemptionDoc = graphql(`
  mutation IncVerifyRedemption($code: String!) {
    verifyRedemption(code: $code) { ...IncRedemption }
  }
`);

export const IncCancelRedemptionDoc = graphql(`
  mutation IncCancelRedemption($id: ID!) {
    cancelRedemption(id: $id) { ...IncRedemption }
  }
`);

export const IncIssuedRedemptionsDoc = graphql(`
  query IncIssuedRedemptions($scopeId: ID!, $status: String, $first: Int, $after: String) {
    issuedRedemptions(scopeId: $scopeId, status: $status, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id status points packageId createdAt expiresAt usedAt endedAt }
    }
  }
`);

export const IncVotePeriodFields = graphql(`
  fragment IncVotePeriod on VotePeriod {
    id
    title
    scopeId
    status
    opensAt
    closesAt
    winners
    leaderboard(first: 10) { headId headName votes rank winner }
  }
`);

export const IncVotePeriodsDoc = graphql(`
  query IncVotePeriods($first: Int, $after: String) {
    votePeriods(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...IncVotePeriod }
    }
  }
`);

export const IncOpenVoteDoc = graphql(`
  mutation IncOpenVote($scopeId: ID!, $title: String!, $closesAt: DateTime!, $winners: Int!) {
    openVotePeriod(scopeId: $scopeId, title: $title, closesAt: $closesAt, winners: $winners) { ...IncVotePeriod }
  }
`);

export const IncCloseVoteDoc = graphql(`
  mutation IncCloseVote($id: ID!) {
    closeVotePeriod(id: $id) { ...IncVotePeriod }
  }
`);

export const IncStatisticsDoc = graphql(`
  query IncStatistics($scopeId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroupBy!) {
    incentiveStatistics(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy) {
      rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }
      totals { pointsEarned pointsSpent issued used cancelled expired }
    }
  }
`);
