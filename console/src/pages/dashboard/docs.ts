import { graphql } from '../../gql';

export const KpiFiguresFragment = graphql(`
  fragment DashFigures on KpiFigures {
    received
    counted
    resolved
    supports
    supportedReports
    timeToAcknowledge { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }
    timeToDispatch { reports p50BusinessHours p90BusinessHours }
    timeToResolve { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }
    timeToClose { reports p50BusinessHours p90BusinessHours }
    breachRate { acknowledge handle start resolve any }
    escalationsPerReport
    escalatedShare
    reopenRate
    confirmationRate
    autoCloseRate
    resolvedWithinSlaRate
    rated
    averageRating
    acknowledgedWithinSlaRate
    handledByHeads
    dispatched
    firstTimeFixRate
  }
`);

export const DashKpisDoc = graphql(`
  query DashKpis($scopeId: ID!, $from: NaiveDate!, $to: NaiveDate!, $groupBy: KpiGroupBy!, $categoryId: ID) {
    kpis(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy, byCategory: false, categoryId: $categoryId) {
      scopeId
      from
      to
      groupBy
      rows { period figures { ...DashFigures } }
      total { ...DashFigures }
    }
  }
`);

export const DashRankingDoc = graphql(`
  query DashRanking($scope: KpiRanked!, $childrenOf: ID!, $metric: KpiMetric!, $from: NaiveDate!, $to: NaiveDate!, $minimumSample: Int!) {
    kpiRanking(scope: $scope, childrenOf: $childrenOf, metric: $metric, from: $from, to: $to, minimumSample: $minimumSample) {
      metric
      direction
      from
      to
      previousFrom
      previousTo
      minimumSample
      entries { id name sample value rank insufficientData previousSample previousValue previousRank change }
    }
  }
`);

export const DashCategoriesDoc = graphql(`
  query DashCategories {
    categories { id nameZh nameEn active }
  }
`);

export const DashRequestExportDoc = graphql(`
  mutation DashRequestExport($input: RequestExportInput!) {
    requestExport(input: $input) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }
  }
`);

export const DashExportJobDoc = graphql(`
  query DashExportJob($id: ID!) {
    exportJob(id: $id) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }
  }
`);
