/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  subscription NotificationAdded {\n    notificationAdded { cursor notification { id kind title body reportId at read } }\n  }\n": typeof types.NotificationAddedDocument,
    "\n  query Me {\n    me {\n      id\n      nickname\n      phone\n      roles {\n        id\n        role\n        active\n        scope {\n          id\n          __typename\n          ... on District { name }\n          ... on Street { name }\n          ... on Community { name }\n          ... on Compound { name }\n          ... on Area { name }\n          ... on Group { name }\n          ... on Neighbourhood { name }\n          ... on PropertyCompany { name }\n          ... on Merchant { name }\n        }\n      }\n    }\n  }\n": typeof types.MeDocument,
    "mutation AcknowledgeReport($id: ID!, $note: String) { acknowledgeReport(id: $id, note: $note) { ...QueueRow } }": typeof types.AcknowledgeReportDocument,
    "mutation DispatchReport($id: ID!, $note: String) { dispatchReport(id: $id, note: $note) { ...QueueRow } }": typeof types.DispatchReportDocument,
    "mutation StartWork($id: ID!, $note: String) { startWork(id: $id, note: $note) { ...QueueRow } }": typeof types.StartWorkDocument,
    "mutation ResolveReport($id: ID!, $note: String, $photoIds: [ID!]) { resolveReport(id: $id, note: $note, photoIds: $photoIds) { ...QueueRow } }": typeof types.ResolveReportDocument,
    "mutation CloseReport($id: ID!, $note: String) { closeReport(id: $id, note: $note) { ...QueueRow } }": typeof types.CloseReportDocument,
    "mutation RejectReport($id: ID!, $reason: String!) { rejectReport(id: $id, reason: $reason) { ...QueueRow } }": typeof types.RejectReportDocument,
    "mutation MarkDuplicate($id: ID!, $originalId: ID!) { markDuplicate(id: $id, originalId: $originalId) { ...QueueRow } }": typeof types.MarkDuplicateDocument,
    "mutation CancelReport($id: ID!, $reason: String) { cancelReport(id: $id, reason: $reason) { ...QueueRow } }": typeof types.CancelReportDocument,
    "mutation ReopenReport($id: ID!, $reason: String!, $photoIds: [ID!]) { reopenReport(id: $id, reason: $reason, photoIds: $photoIds) { ...QueueRow } }": typeof types.ReopenReportDocument,
    "mutation UrgeReport($id: ID!) { urgeReport(id: $id) { ...QueueRow } }": typeof types.UrgeReportDocument,
    "\n  mutation AddComment($id: ID!, $body: String!, $photoIds: [ID!]) {\n    addComment(id: $id, body: $body, photoIds: $photoIds) { id }\n  }\n": typeof types.AddCommentDocument,
    "\n  fragment QueueRow on Report {\n    id\n    status\n    version\n    description\n    urgency\n    supportCount\n    waitingSince\n    availableActions\n    category { id code nameZh nameEn }\n    compound { id name }\n    assignedCompany { id name }\n    location { unit room publicArea building { id name } }\n    milestones { submittedAt }\n    sla { dueAt warnAt breached paused stage acknowledgeOverdue resolveOverdue }\n    escalation { level escalated steps dueAt }\n  }\n": typeof types.QueueRowFragmentDoc,
    "\n  query AuditLog($scopeId: ID!, $actorId: ID, $action: AuditAction, $objectId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {\n    auditLog(scopeId: $scopeId, actorId: $actorId, action: $action, objectId: $objectId, from: $from, to: $to, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  fragment DashFigures on KpiFigures {\n    received\n    counted\n    resolved\n    supports\n    supportedReports\n    timeToAcknowledge { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToDispatch { reports p50BusinessHours p90BusinessHours }\n    timeToResolve { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToClose { reports p50BusinessHours p90BusinessHours }\n    breachRate { acknowledge handle start resolve any }\n    escalationsPerReport\n    escalatedShare\n    reopenRate\n    confirmationRate\n    autoCloseRate\n    resolvedWithinSlaRate\n    rated\n    averageRating\n    acknowledgedWithinSlaRate\n    handledByHeads\n    dispatched\n    firstTimeFixRate\n  }\n": typeof types.DashFiguresFragmentDoc,
    "\n  query DashKpis($scopeId: ID!, $from: NaiveDate!, $to: NaiveDate!, $groupBy: KpiGroupBy!, $categoryId: ID) {\n    kpis(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy, byCategory: false, categoryId: $categoryId) {\n      scopeId\n      from\n      to\n      groupBy\n      rows { period figures { ...DashFigures } }\n      total { ...DashFigures }\n    }\n  }\n": typeof types.DashKpisDocument,
    "\n  query DashRanking($scope: KpiRanked!, $childrenOf: ID!, $metric: KpiMetric!, $from: NaiveDate!, $to: NaiveDate!, $minimumSample: Int!) {\n    kpiRanking(scope: $scope, childrenOf: $childrenOf, metric: $metric, from: $from, to: $to, minimumSample: $minimumSample) {\n      metric\n      direction\n      from\n      to\n      previousFrom\n      previousTo\n      minimumSample\n      entries { id name sample value rank insufficientData previousSample previousValue previousRank change }\n    }\n  }\n": typeof types.DashRankingDocument,
    "\n  query DashCategories {\n    categories { id nameZh nameEn active }\n  }\n": typeof types.DashCategoriesDocument,
    "\n  mutation DashRequestExport($input: RequestExportInput!) {\n    requestExport(input: $input) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n": typeof types.DashRequestExportDocument,
    "\n  query DashExportJob($id: ID!) {\n    exportJob(id: $id) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n": typeof types.DashExportJobDocument,
    "\n  mutation PreviewGridImport($input: GridImportInput!) {\n    previewGridImport(input: $input) {\n      valid\n      creates\n      unchanged\n      errors\n      warnings\n      rows {\n        line\n        area\n        group\n        neighbourhood\n        compound\n        building\n        unit\n        headName\n        headPhone\n        outcome\n        messages { column severity code message }\n      }\n    }\n  }\n": typeof types.PreviewGridImportDocument,
    "\n  mutation ApplyGridImport($input: GridImportInput!) {\n    applyGridImport(input: $input) { areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed }\n  }\n": typeof types.ApplyGridImportDocument,
    "\n  query GridDistricts($first: Int, $after: String) {\n    districts(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name }\n    }\n  }\n": typeof types.GridDistrictsDocument,
    "\n  query GridStreets($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        streets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": typeof types.GridStreetsDocument,
    "\n  query GridCompanies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        propertyCompanies(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": typeof types.GridCompaniesDocument,
    "\n  query GridCommunities($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Street {\n        communities(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": typeof types.GridCommunitiesDocument,
    "\n  query GridCompounds($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        compounds(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes { id name address propertyCompany { id name } }\n        }\n      }\n    }\n  }\n": typeof types.GridCompoundsDocument,
    "\n  query GridAreas($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        areas(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n": typeof types.GridAreasDocument,
    "\n  query GridBuildings($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Compound {\n        buildings(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name unitCount } }\n      }\n    }\n  }\n": typeof types.GridBuildingsDocument,
    "\n  query GridGroups($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Area {\n        groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n": typeof types.GridGroupsDocument,
    "\n  query GridNeighbourhoods($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Group {\n        neighbourhoods(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes {\n            id\n            name\n            head { id nickname }\n            compound { id name }\n            units { unit building { id name } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.GridNeighbourhoodsDocument,
    "\n  query GridAppointments($scopeId: ID!, $activeOnly: Boolean!, $first: Int, $after: String) {\n    appointments(scopeId: $scopeId, activeOnly: $activeOnly, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id role active startsAt endsAt user { id nickname } }\n    }\n  }\n": typeof types.GridAppointmentsDocument,
    "\n  mutation GridAppoint($input: AppointInput!) {\n    appoint(input: $input) { id role active startsAt endsAt user { id nickname } }\n  }\n": typeof types.GridAppointDocument,
    "\n  mutation GridRevoke($id: ID!) {\n    revokeAppointment(id: $id) { id role active startsAt endsAt user { id nickname } }\n  }\n": typeof types.GridRevokeDocument,
    "\n  query GridResidences($scopeId: ID!, $status: ResidenceStatus, $first: Int, $after: String) {\n    residences(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        status\n        unit\n        room\n        createdAt\n        building { id name compound { id name } }\n        neighbourhood { id name }\n        user { id nickname }\n      }\n    }\n  }\n": typeof types.GridResidencesDocument,
    "\n  mutation GridVerifyResidence($id: ID!) {\n    verifyResidence(id: $id) { id status reviewedAt }\n  }\n": typeof types.GridVerifyResidenceDocument,
    "\n  mutation GridRejectResidence($id: ID!, $reason: String!) {\n    rejectResidence(id: $id, reason: $reason) { id status reviewedAt rejectReason }\n  }\n": typeof types.GridRejectResidenceDocument,
    "\n  query GridResidentSearch($scopeId: ID!, $q: String, $first: Int) {\n    residences(scopeId: $scopeId, status: VERIFIED, search: $q, first: $first) {\n      nodes { id unit room user { id nickname } building { id name compound { id name } } }\n    }\n  }\n": typeof types.GridResidentSearchDocument,
    "\n  query IncMerchants($scopeId: ID!, $first: Int, $after: String) {\n    merchants(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name address }\n    }\n  }\n": typeof types.IncMerchantsDocument,
    "\n  mutation IncRegisterMerchant($scopeId: ID!, $name: String!, $address: String!) {\n    registerMerchant(scopeId: $scopeId, name: $name, address: $address) { id name address }\n  }\n": typeof types.IncRegisterMerchantDocument,
    "\n  fragment IncPackage on Package {\n    id\n    title\n    description\n    merchant { id name address }\n    costPoints\n    totalStock\n    remainingStock\n    perPersonLimit\n    eligibleRoles\n    validFrom\n    validUntil\n    status\n  }\n": typeof types.IncPackageFragmentDoc,
    "\n  query IncManagedPackages($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncPackage }\n    }\n  }\n": typeof types.IncManagedPackagesDocument,
    "\n  query IncPackageTitles($scopeId: ID!, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title }\n    }\n  }\n": typeof types.IncPackageTitlesDocument,
    "\n  mutation IncCreatePackage($input: CreatePackageInput!) {\n    createIncentivePackage(input: $input) { ...IncPackage }\n  }\n": typeof types.IncCreatePackageDocument,
    "\n  mutation IncSetPackageStatus($id: ID!, $status: PackageStatus!) {\n    setIncentivePackageStatus(id: $id, status: $status) { ...IncPackage }\n  }\n": typeof types.IncSetPackageStatusDocument,
    "\n  fragment IncRedemption on Redemption { id code status points expiresAt usedAt packageId createdAt }\n": typeof types.IncRedemptionFragmentDoc,
    "\n  mutation IncVerifyRedemption($code: String!) {\n    verifyRedemption(code: $code) { ...IncRedemption }\n  }\n": typeof types.IncVerifyRedemptionDocument,
    "\n  mutation IncCancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) { ...IncRedemption }\n  }\n": typeof types.IncCancelRedemptionDocument,
    "\n  query IncIssuedRedemptions($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    issuedRedemptions(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id status points packageId createdAt expiresAt usedAt endedAt }\n    }\n  }\n": typeof types.IncIssuedRedemptionsDocument,
    "\n  fragment IncVotePeriod on VotePeriod {\n    id\n    title\n    scopeId\n    status\n    opensAt\n    closesAt\n    winners\n    leaderboard(first: 10) { headId headName votes rank winner }\n  }\n": typeof types.IncVotePeriodFragmentDoc,
    "\n  query IncVotePeriods($first: Int, $after: String) {\n    votePeriods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncVotePeriod }\n    }\n  }\n": typeof types.IncVotePeriodsDocument,
    "\n  mutation IncOpenVote($scopeId: ID!, $title: String!, $closesAt: DateTime!, $winners: Int!) {\n    openVotePeriod(scopeId: $scopeId, title: $title, closesAt: $closesAt, winners: $winners) { ...IncVotePeriod }\n  }\n": typeof types.IncOpenVoteDocument,
    "\n  mutation IncCloseVote($id: ID!) {\n    closeVotePeriod(id: $id) { ...IncVotePeriod }\n  }\n": typeof types.IncCloseVoteDocument,
    "\n  query IncStatistics($scopeId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroupBy!) {\n    incentiveStatistics(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy) {\n      rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }\n      totals { pointsEarned pointsSpent issued used cancelled expired }\n    }\n  }\n": typeof types.IncStatisticsDocument,
    "\n  fragment IntWebhook on Webhook {\n    id\n    scopeId\n    url\n    events\n    status\n    failures\n    nextAttemptAt\n    lastError\n    createdAt\n    previousSecretValidUntil\n  }\n": typeof types.IntWebhookFragmentDoc,
    "\n  query IntWebhooks($scopeId: ID!, $first: Int, $after: String) {\n    webhooks(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IntWebhook }\n    }\n  }\n": typeof types.IntWebhooksDocument,
    "\n  mutation IntCreateWebhook($scopeId: ID!, $url: String!, $events: [WebhookEvent!]!) {\n    createWebhook(scopeId: $scopeId, url: $url, events: $events) { secret webhook { ...IntWebhook } }\n  }\n": typeof types.IntCreateWebhookDocument,
    "\n  mutation IntUpdateWebhook($id: ID!, $url: String, $events: [WebhookEvent!]) {\n    updateWebhook(id: $id, url: $url, events: $events) { ...IntWebhook }\n  }\n": typeof types.IntUpdateWebhookDocument,
    "\n  mutation IntRotateWebhook($id: ID!) {\n    rotateWebhookSecret(id: $id) { secret webhook { ...IntWebhook } }\n  }\n": typeof types.IntRotateWebhookDocument,
    "\n  mutation IntResumeWebhook($id: ID!) {\n    resumeWebhook(id: $id) { ...IntWebhook }\n  }\n": typeof types.IntResumeWebhookDocument,
    "\n  mutation IntDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) { id status }\n  }\n": typeof types.IntDeleteWebhookDocument,
    "\n  query IntDeliveries($webhookId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { eventId eventType attempt ok statusCode error durationMs at }\n    }\n  }\n": typeof types.IntDeliveriesDocument,
    "\n  query IntApiKeys($districtId: ID!, $first: Int, $after: String) {\n    apiKeys(districtId: $districtId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name scopes hint createdAt lastUsedAt revokedAt }\n    }\n  }\n": typeof types.IntApiKeysDocument,
    "\n  mutation IntCreateApiKey($districtId: ID!, $name: String!, $scopes: [ApiScope!]!) {\n    createApiKey(districtId: $districtId, name: $name, scopes: $scopes) { secret key { id name scopes hint createdAt lastUsedAt revokedAt } }\n  }\n": typeof types.IntCreateApiKeyDocument,
    "\n  mutation IntRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id name scopes hint createdAt lastUsedAt revokedAt }\n  }\n": typeof types.IntRevokeApiKeyDocument,
    "\n  query ModerationQueue($first: Int, $after: String) {\n    moderationQueue(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id kind reportId text moderation at }\n    }\n  }\n": typeof types.ModerationQueueDocument,
    "\n  mutation ModerateContent($id: ID!, $approve: Boolean!) {\n    moderateContent(id: $id, approve: $approve)\n  }\n": typeof types.ModerateContentDocument,
    "\n  query OverdueReports($scopeId: ID!, $state: OverdueState!, $first: Int, $after: String) {\n    overdueReports(scopeId: $scopeId, state: $state, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": typeof types.OverdueReportsDocument,
    "\n  query TicketQueue($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueue(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": typeof types.TicketQueueDocument,
    "\n  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInbox(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": typeof types.TaskInboxDocument,
    "\n  subscription TicketQueueChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueueChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n": typeof types.TicketQueueChangedDocument,
    "\n  subscription TaskInboxChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInboxChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n": typeof types.TaskInboxChangedDocument,
    "\n  query Categories {\n    categories { id code nameZh nameEn active }\n  }\n": typeof types.CategoriesDocument,
    "\n  query ReportDetail($id: ID!, $timelineAfter: String, $commentsAfter: String) {\n    report(id: $id) {\n      ...QueueRow\n      anonymous\n      moderation\n      rating\n      ratingComment\n      autoClosed\n      reopenCount\n      duplicateOf\n      lastUrgedAt\n      supportedByMe\n      reporter { id name phone }\n      neighbourhood { id name head { id nickname } }\n      community { id name }\n      location { latitude longitude compound { id name address } }\n      milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt confirmedAt closedAt firstReopenedAt endedAt }\n      sla { acknowledgeBy resolveBy stageBusinessMinutes overallBusinessMinutes }\n      escalation { holder since }\n      photos { ...PhotoFields }\n      timeline(first: 100, after: $timelineAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id kind actorRole actorName fromStatus toStatus note moderation at escalation { fromLevel toLevel reason } }\n      }\n      comments(first: 50, after: $commentsAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id body moderation authorRole authorName at photos { ...PhotoFields } }\n      }\n    }\n  }\n": typeof types.ReportDetailDocument,
    "\n  fragment PhotoFields on Photo {\n    id\n    phase\n    hidden\n    url\n    thumbnailUrl\n    width\n    height\n    createdAt\n  }\n": typeof types.PhotoFieldsFragmentDoc,
    "\n  subscription ReportUpdated($id: ID!) {\n    reportUpdated(id: $id) { cursor kind report { id status version } }\n  }\n": typeof types.ReportUpdatedDocument,
    "\n  query ReportSupporters($id: ID!, $first: Int, $after: String) {\n    report(id: $id) {\n      id\n      supporters(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n        nodes { name isMe at merged }\n      }\n    }\n  }\n": typeof types.ReportSupportersDocument,
    "\n  fragment ConsoleSessionFields on ConsoleSession {\n    id\n    via\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n    active\n    current\n    userAgent\n  }\n": typeof types.ConsoleSessionFieldsFragmentDoc,
    "\n  query MySessions($first: Int, $after: String) {\n    mySessions(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...ConsoleSessionFields }\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...ConsoleSessionFields }\n  }\n": typeof types.RevokeSessionDocument,
};
const documents: Documents = {
    "\n  subscription NotificationAdded {\n    notificationAdded { cursor notification { id kind title body reportId at read } }\n  }\n": types.NotificationAddedDocument,
    "\n  query Me {\n    me {\n      id\n      nickname\n      phone\n      roles {\n        id\n        role\n        active\n        scope {\n          id\n          __typename\n          ... on District { name }\n          ... on Street { name }\n          ... on Community { name }\n          ... on Compound { name }\n          ... on Area { name }\n          ... on Group { name }\n          ... on Neighbourhood { name }\n          ... on PropertyCompany { name }\n          ... on Merchant { name }\n        }\n      }\n    }\n  }\n": types.MeDocument,
    "mutation AcknowledgeReport($id: ID!, $note: String) { acknowledgeReport(id: $id, note: $note) { ...QueueRow } }": types.AcknowledgeReportDocument,
    "mutation DispatchReport($id: ID!, $note: String) { dispatchReport(id: $id, note: $note) { ...QueueRow } }": types.DispatchReportDocument,
    "mutation StartWork($id: ID!, $note: String) { startWork(id: $id, note: $note) { ...QueueRow } }": types.StartWorkDocument,
    "mutation ResolveReport($id: ID!, $note: String, $photoIds: [ID!]) { resolveReport(id: $id, note: $note, photoIds: $photoIds) { ...QueueRow } }": types.ResolveReportDocument,
    "mutation CloseReport($id: ID!, $note: String) { closeReport(id: $id, note: $note) { ...QueueRow } }": types.CloseReportDocument,
    "mutation RejectReport($id: ID!, $reason: String!) { rejectReport(id: $id, reason: $reason) { ...QueueRow } }": types.RejectReportDocument,
    "mutation MarkDuplicate($id: ID!, $originalId: ID!) { markDuplicate(id: $id, originalId: $originalId) { ...QueueRow } }": types.MarkDuplicateDocument,
    "mutation CancelReport($id: ID!, $reason: String) { cancelReport(id: $id, reason: $reason) { ...QueueRow } }": types.CancelReportDocument,
    "mutation ReopenReport($id: ID!, $reason: String!, $photoIds: [ID!]) { reopenReport(id: $id, reason: $reason, photoIds: $photoIds) { ...QueueRow } }": types.ReopenReportDocument,
    "mutation UrgeReport($id: ID!) { urgeReport(id: $id) { ...QueueRow } }": types.UrgeReportDocument,
    "\n  mutation AddComment($id: ID!, $body: String!, $photoIds: [ID!]) {\n    addComment(id: $id, body: $body, photoIds: $photoIds) { id }\n  }\n": types.AddCommentDocument,
    "\n  fragment QueueRow on Report {\n    id\n    status\n    version\n    description\n    urgency\n    supportCount\n    waitingSince\n    availableActions\n    category { id code nameZh nameEn }\n    compound { id name }\n    assignedCompany { id name }\n    location { unit room publicArea building { id name } }\n    milestones { submittedAt }\n    sla { dueAt warnAt breached paused stage acknowledgeOverdue resolveOverdue }\n    escalation { level escalated steps dueAt }\n  }\n": types.QueueRowFragmentDoc,
    "\n  query AuditLog($scopeId: ID!, $actorId: ID, $action: AuditAction, $objectId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {\n    auditLog(scopeId: $scopeId, actorId: $actorId, action: $action, objectId: $objectId, from: $from, to: $to, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }\n    }\n  }\n": types.AuditLogDocument,
    "\n  fragment DashFigures on KpiFigures {\n    received\n    counted\n    resolved\n    supports\n    supportedReports\n    timeToAcknowledge { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToDispatch { reports p50BusinessHours p90BusinessHours }\n    timeToResolve { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToClose { reports p50BusinessHours p90BusinessHours }\n    breachRate { acknowledge handle start resolve any }\n    escalationsPerReport\n    escalatedShare\n    reopenRate\n    confirmationRate\n    autoCloseRate\n    resolvedWithinSlaRate\n    rated\n    averageRating\n    acknowledgedWithinSlaRate\n    handledByHeads\n    dispatched\n    firstTimeFixRate\n  }\n": types.DashFiguresFragmentDoc,
    "\n  query DashKpis($scopeId: ID!, $from: NaiveDate!, $to: NaiveDate!, $groupBy: KpiGroupBy!, $categoryId: ID) {\n    kpis(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy, byCategory: false, categoryId: $categoryId) {\n      scopeId\n      from\n      to\n      groupBy\n      rows { period figures { ...DashFigures } }\n      total { ...DashFigures }\n    }\n  }\n": types.DashKpisDocument,
    "\n  query DashRanking($scope: KpiRanked!, $childrenOf: ID!, $metric: KpiMetric!, $from: NaiveDate!, $to: NaiveDate!, $minimumSample: Int!) {\n    kpiRanking(scope: $scope, childrenOf: $childrenOf, metric: $metric, from: $from, to: $to, minimumSample: $minimumSample) {\n      metric\n      direction\n      from\n      to\n      previousFrom\n      previousTo\n      minimumSample\n      entries { id name sample value rank insufficientData previousSample previousValue previousRank change }\n    }\n  }\n": types.DashRankingDocument,
    "\n  query DashCategories {\n    categories { id nameZh nameEn active }\n  }\n": types.DashCategoriesDocument,
    "\n  mutation DashRequestExport($input: RequestExportInput!) {\n    requestExport(input: $input) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n": types.DashRequestExportDocument,
    "\n  query DashExportJob($id: ID!) {\n    exportJob(id: $id) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n": types.DashExportJobDocument,
    "\n  mutation PreviewGridImport($input: GridImportInput!) {\n    previewGridImport(input: $input) {\n      valid\n      creates\n      unchanged\n      errors\n      warnings\n      rows {\n        line\n        area\n        group\n        neighbourhood\n        compound\n        building\n        unit\n        headName\n        headPhone\n        outcome\n        messages { column severity code message }\n      }\n    }\n  }\n": types.PreviewGridImportDocument,
    "\n  mutation ApplyGridImport($input: GridImportInput!) {\n    applyGridImport(input: $input) { areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed }\n  }\n": types.ApplyGridImportDocument,
    "\n  query GridDistricts($first: Int, $after: String) {\n    districts(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name }\n    }\n  }\n": types.GridDistrictsDocument,
    "\n  query GridStreets($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        streets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": types.GridStreetsDocument,
    "\n  query GridCompanies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        propertyCompanies(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": types.GridCompaniesDocument,
    "\n  query GridCommunities($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Street {\n        communities(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n": types.GridCommunitiesDocument,
    "\n  query GridCompounds($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        compounds(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes { id name address propertyCompany { id name } }\n        }\n      }\n    }\n  }\n": types.GridCompoundsDocument,
    "\n  query GridAreas($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        areas(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n": types.GridAreasDocument,
    "\n  query GridBuildings($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Compound {\n        buildings(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name unitCount } }\n      }\n    }\n  }\n": types.GridBuildingsDocument,
    "\n  query GridGroups($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Area {\n        groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n": types.GridGroupsDocument,
    "\n  query GridNeighbourhoods($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Group {\n        neighbourhoods(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes {\n            id\n            name\n            head { id nickname }\n            compound { id name }\n            units { unit building { id name } }\n          }\n        }\n      }\n    }\n  }\n": types.GridNeighbourhoodsDocument,
    "\n  query GridAppointments($scopeId: ID!, $activeOnly: Boolean!, $first: Int, $after: String) {\n    appointments(scopeId: $scopeId, activeOnly: $activeOnly, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id role active startsAt endsAt user { id nickname } }\n    }\n  }\n": types.GridAppointmentsDocument,
    "\n  mutation GridAppoint($input: AppointInput!) {\n    appoint(input: $input) { id role active startsAt endsAt user { id nickname } }\n  }\n": types.GridAppointDocument,
    "\n  mutation GridRevoke($id: ID!) {\n    revokeAppointment(id: $id) { id role active startsAt endsAt user { id nickname } }\n  }\n": types.GridRevokeDocument,
    "\n  query GridResidences($scopeId: ID!, $status: ResidenceStatus, $first: Int, $after: String) {\n    residences(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        status\n        unit\n        room\n        createdAt\n        building { id name compound { id name } }\n        neighbourhood { id name }\n        user { id nickname }\n      }\n    }\n  }\n": types.GridResidencesDocument,
    "\n  mutation GridVerifyResidence($id: ID!) {\n    verifyResidence(id: $id) { id status reviewedAt }\n  }\n": types.GridVerifyResidenceDocument,
    "\n  mutation GridRejectResidence($id: ID!, $reason: String!) {\n    rejectResidence(id: $id, reason: $reason) { id status reviewedAt rejectReason }\n  }\n": types.GridRejectResidenceDocument,
    "\n  query GridResidentSearch($scopeId: ID!, $q: String, $first: Int) {\n    residences(scopeId: $scopeId, status: VERIFIED, search: $q, first: $first) {\n      nodes { id unit room user { id nickname } building { id name compound { id name } } }\n    }\n  }\n": types.GridResidentSearchDocument,
    "\n  query IncMerchants($scopeId: ID!, $first: Int, $after: String) {\n    merchants(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name address }\n    }\n  }\n": types.IncMerchantsDocument,
    "\n  mutation IncRegisterMerchant($scopeId: ID!, $name: String!, $address: String!) {\n    registerMerchant(scopeId: $scopeId, name: $name, address: $address) { id name address }\n  }\n": types.IncRegisterMerchantDocument,
    "\n  fragment IncPackage on Package {\n    id\n    title\n    description\n    merchant { id name address }\n    costPoints\n    totalStock\n    remainingStock\n    perPersonLimit\n    eligibleRoles\n    validFrom\n    validUntil\n    status\n  }\n": types.IncPackageFragmentDoc,
    "\n  query IncManagedPackages($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncPackage }\n    }\n  }\n": types.IncManagedPackagesDocument,
    "\n  query IncPackageTitles($scopeId: ID!, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title }\n    }\n  }\n": types.IncPackageTitlesDocument,
    "\n  mutation IncCreatePackage($input: CreatePackageInput!) {\n    createIncentivePackage(input: $input) { ...IncPackage }\n  }\n": types.IncCreatePackageDocument,
    "\n  mutation IncSetPackageStatus($id: ID!, $status: PackageStatus!) {\n    setIncentivePackageStatus(id: $id, status: $status) { ...IncPackage }\n  }\n": types.IncSetPackageStatusDocument,
    "\n  fragment IncRedemption on Redemption { id code status points expiresAt usedAt packageId createdAt }\n": types.IncRedemptionFragmentDoc,
    "\n  mutation IncVerifyRedemption($code: String!) {\n    verifyRedemption(code: $code) { ...IncRedemption }\n  }\n": types.IncVerifyRedemptionDocument,
    "\n  mutation IncCancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) { ...IncRedemption }\n  }\n": types.IncCancelRedemptionDocument,
    "\n  query IncIssuedRedemptions($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    issuedRedemptions(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id status points packageId createdAt expiresAt usedAt endedAt }\n    }\n  }\n": types.IncIssuedRedemptionsDocument,
    "\n  fragment IncVotePeriod on VotePeriod {\n    id\n    title\n    scopeId\n    status\n    opensAt\n    closesAt\n    winners\n    leaderboard(first: 10) { headId headName votes rank winner }\n  }\n": types.IncVotePeriodFragmentDoc,
    "\n  query IncVotePeriods($first: Int, $after: String) {\n    votePeriods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncVotePeriod }\n    }\n  }\n": types.IncVotePeriodsDocument,
    "\n  mutation IncOpenVote($scopeId: ID!, $title: String!, $closesAt: DateTime!, $winners: Int!) {\n    openVotePeriod(scopeId: $scopeId, title: $title, closesAt: $closesAt, winners: $winners) { ...IncVotePeriod }\n  }\n": types.IncOpenVoteDocument,
    "\n  mutation IncCloseVote($id: ID!) {\n    closeVotePeriod(id: $id) { ...IncVotePeriod }\n  }\n": types.IncCloseVoteDocument,
    "\n  query IncStatistics($scopeId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroupBy!) {\n    incentiveStatistics(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy) {\n      rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }\n      totals { pointsEarned pointsSpent issued used cancelled expired }\n    }\n  }\n": types.IncStatisticsDocument,
    "\n  fragment IntWebhook on Webhook {\n    id\n    scopeId\n    url\n    events\n    status\n    failures\n    nextAttemptAt\n    lastError\n    createdAt\n    previousSecretValidUntil\n  }\n": types.IntWebhookFragmentDoc,
    "\n  query IntWebhooks($scopeId: ID!, $first: Int, $after: String) {\n    webhooks(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IntWebhook }\n    }\n  }\n": types.IntWebhooksDocument,
    "\n  mutation IntCreateWebhook($scopeId: ID!, $url: String!, $events: [WebhookEvent!]!) {\n    createWebhook(scopeId: $scopeId, url: $url, events: $events) { secret webhook { ...IntWebhook } }\n  }\n": types.IntCreateWebhookDocument,
    "\n  mutation IntUpdateWebhook($id: ID!, $url: String, $events: [WebhookEvent!]) {\n    updateWebhook(id: $id, url: $url, events: $events) { ...IntWebhook }\n  }\n": types.IntUpdateWebhookDocument,
    "\n  mutation IntRotateWebhook($id: ID!) {\n    rotateWebhookSecret(id: $id) { secret webhook { ...IntWebhook } }\n  }\n": types.IntRotateWebhookDocument,
    "\n  mutation IntResumeWebhook($id: ID!) {\n    resumeWebhook(id: $id) { ...IntWebhook }\n  }\n": types.IntResumeWebhookDocument,
    "\n  mutation IntDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) { id status }\n  }\n": types.IntDeleteWebhookDocument,
    "\n  query IntDeliveries($webhookId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { eventId eventType attempt ok statusCode error durationMs at }\n    }\n  }\n": types.IntDeliveriesDocument,
    "\n  query IntApiKeys($districtId: ID!, $first: Int, $after: String) {\n    apiKeys(districtId: $districtId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name scopes hint createdAt lastUsedAt revokedAt }\n    }\n  }\n": types.IntApiKeysDocument,
    "\n  mutation IntCreateApiKey($districtId: ID!, $name: String!, $scopes: [ApiScope!]!) {\n    createApiKey(districtId: $districtId, name: $name, scopes: $scopes) { secret key { id name scopes hint createdAt lastUsedAt revokedAt } }\n  }\n": types.IntCreateApiKeyDocument,
    "\n  mutation IntRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id name scopes hint createdAt lastUsedAt revokedAt }\n  }\n": types.IntRevokeApiKeyDocument,
    "\n  query ModerationQueue($first: Int, $after: String) {\n    moderationQueue(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id kind reportId text moderation at }\n    }\n  }\n": types.ModerationQueueDocument,
    "\n  mutation ModerateContent($id: ID!, $approve: Boolean!) {\n    moderateContent(id: $id, approve: $approve)\n  }\n": types.ModerateContentDocument,
    "\n  query OverdueReports($scopeId: ID!, $state: OverdueState!, $first: Int, $after: String) {\n    overdueReports(scopeId: $scopeId, state: $state, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": types.OverdueReportsDocument,
    "\n  query TicketQueue($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueue(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": types.TicketQueueDocument,
    "\n  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInbox(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n": types.TaskInboxDocument,
    "\n  subscription TicketQueueChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueueChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n": types.TicketQueueChangedDocument,
    "\n  subscription TaskInboxChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInboxChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n": types.TaskInboxChangedDocument,
    "\n  query Categories {\n    categories { id code nameZh nameEn active }\n  }\n": types.CategoriesDocument,
    "\n  query ReportDetail($id: ID!, $timelineAfter: String, $commentsAfter: String) {\n    report(id: $id) {\n      ...QueueRow\n      anonymous\n      moderation\n      rating\n      ratingComment\n      autoClosed\n      reopenCount\n      duplicateOf\n      lastUrgedAt\n      supportedByMe\n      reporter { id name phone }\n      neighbourhood { id name head { id nickname } }\n      community { id name }\n      location { latitude longitude compound { id name address } }\n      milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt confirmedAt closedAt firstReopenedAt endedAt }\n      sla { acknowledgeBy resolveBy stageBusinessMinutes overallBusinessMinutes }\n      escalation { holder since }\n      photos { ...PhotoFields }\n      timeline(first: 100, after: $timelineAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id kind actorRole actorName fromStatus toStatus note moderation at escalation { fromLevel toLevel reason } }\n      }\n      comments(first: 50, after: $commentsAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id body moderation authorRole authorName at photos { ...PhotoFields } }\n      }\n    }\n  }\n": types.ReportDetailDocument,
    "\n  fragment PhotoFields on Photo {\n    id\n    phase\n    hidden\n    url\n    thumbnailUrl\n    width\n    height\n    createdAt\n  }\n": types.PhotoFieldsFragmentDoc,
    "\n  subscription ReportUpdated($id: ID!) {\n    reportUpdated(id: $id) { cursor kind report { id status version } }\n  }\n": types.ReportUpdatedDocument,
    "\n  query ReportSupporters($id: ID!, $first: Int, $after: String) {\n    report(id: $id) {\n      id\n      supporters(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n        nodes { name isMe at merged }\n      }\n    }\n  }\n": types.ReportSupportersDocument,
    "\n  fragment ConsoleSessionFields on ConsoleSession {\n    id\n    via\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n    active\n    current\n    userAgent\n  }\n": types.ConsoleSessionFieldsFragmentDoc,
    "\n  query MySessions($first: Int, $after: String) {\n    mySessions(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...ConsoleSessionFields }\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...ConsoleSessionFields }\n  }\n": types.RevokeSessionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationAdded {\n    notificationAdded { cursor notification { id kind title body reportId at read } }\n  }\n"): (typeof documents)["\n  subscription NotificationAdded {\n    notificationAdded { cursor notification { id kind title body reportId at read } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      nickname\n      phone\n      roles {\n        id\n        role\n        active\n        scope {\n          id\n          __typename\n          ... on District { name }\n          ... on Street { name }\n          ... on Community { name }\n          ... on Compound { name }\n          ... on Area { name }\n          ... on Group { name }\n          ... on Neighbourhood { name }\n          ... on PropertyCompany { name }\n          ... on Merchant { name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      nickname\n      phone\n      roles {\n        id\n        role\n        active\n        scope {\n          id\n          __typename\n          ... on District { name }\n          ... on Street { name }\n          ... on Community { name }\n          ... on Compound { name }\n          ... on Area { name }\n          ... on Group { name }\n          ... on Neighbourhood { name }\n          ... on PropertyCompany { name }\n          ... on Merchant { name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AcknowledgeReport($id: ID!, $note: String) { acknowledgeReport(id: $id, note: $note) { ...QueueRow } }"): (typeof documents)["mutation AcknowledgeReport($id: ID!, $note: String) { acknowledgeReport(id: $id, note: $note) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DispatchReport($id: ID!, $note: String) { dispatchReport(id: $id, note: $note) { ...QueueRow } }"): (typeof documents)["mutation DispatchReport($id: ID!, $note: String) { dispatchReport(id: $id, note: $note) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation StartWork($id: ID!, $note: String) { startWork(id: $id, note: $note) { ...QueueRow } }"): (typeof documents)["mutation StartWork($id: ID!, $note: String) { startWork(id: $id, note: $note) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ResolveReport($id: ID!, $note: String, $photoIds: [ID!]) { resolveReport(id: $id, note: $note, photoIds: $photoIds) { ...QueueRow } }"): (typeof documents)["mutation ResolveReport($id: ID!, $note: String, $photoIds: [ID!]) { resolveReport(id: $id, note: $note, photoIds: $photoIds) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CloseReport($id: ID!, $note: String) { closeReport(id: $id, note: $note) { ...QueueRow } }"): (typeof documents)["mutation CloseReport($id: ID!, $note: String) { closeReport(id: $id, note: $note) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RejectReport($id: ID!, $reason: String!) { rejectReport(id: $id, reason: $reason) { ...QueueRow } }"): (typeof documents)["mutation RejectReport($id: ID!, $reason: String!) { rejectReport(id: $id, reason: $reason) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation MarkDuplicate($id: ID!, $originalId: ID!) { markDuplicate(id: $id, originalId: $originalId) { ...QueueRow } }"): (typeof documents)["mutation MarkDuplicate($id: ID!, $originalId: ID!) { markDuplicate(id: $id, originalId: $originalId) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelReport($id: ID!, $reason: String) { cancelReport(id: $id, reason: $reason) { ...QueueRow } }"): (typeof documents)["mutation CancelReport($id: ID!, $reason: String) { cancelReport(id: $id, reason: $reason) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReopenReport($id: ID!, $reason: String!, $photoIds: [ID!]) { reopenReport(id: $id, reason: $reason, photoIds: $photoIds) { ...QueueRow } }"): (typeof documents)["mutation ReopenReport($id: ID!, $reason: String!, $photoIds: [ID!]) { reopenReport(id: $id, reason: $reason, photoIds: $photoIds) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UrgeReport($id: ID!) { urgeReport(id: $id) { ...QueueRow } }"): (typeof documents)["mutation UrgeReport($id: ID!) { urgeReport(id: $id) { ...QueueRow } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($id: ID!, $body: String!, $photoIds: [ID!]) {\n    addComment(id: $id, body: $body, photoIds: $photoIds) { id }\n  }\n"): (typeof documents)["\n  mutation AddComment($id: ID!, $body: String!, $photoIds: [ID!]) {\n    addComment(id: $id, body: $body, photoIds: $photoIds) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QueueRow on Report {\n    id\n    status\n    version\n    description\n    urgency\n    supportCount\n    waitingSince\n    availableActions\n    category { id code nameZh nameEn }\n    compound { id name }\n    assignedCompany { id name }\n    location { unit room publicArea building { id name } }\n    milestones { submittedAt }\n    sla { dueAt warnAt breached paused stage acknowledgeOverdue resolveOverdue }\n    escalation { level escalated steps dueAt }\n  }\n"): (typeof documents)["\n  fragment QueueRow on Report {\n    id\n    status\n    version\n    description\n    urgency\n    supportCount\n    waitingSince\n    availableActions\n    category { id code nameZh nameEn }\n    compound { id name }\n    assignedCompany { id name }\n    location { unit room publicArea building { id name } }\n    milestones { submittedAt }\n    sla { dueAt warnAt breached paused stage acknowledgeOverdue resolveOverdue }\n    escalation { level escalated steps dueAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($scopeId: ID!, $actorId: ID, $action: AuditAction, $objectId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {\n    auditLog(scopeId: $scopeId, actorId: $actorId, action: $action, objectId: $objectId, from: $from, to: $to, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($scopeId: ID!, $actorId: ID, $action: AuditAction, $objectId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {\n    auditLog(scopeId: $scopeId, actorId: $actorId, action: $action, objectId: $objectId, from: $from, to: $to, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashFigures on KpiFigures {\n    received\n    counted\n    resolved\n    supports\n    supportedReports\n    timeToAcknowledge { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToDispatch { reports p50BusinessHours p90BusinessHours }\n    timeToResolve { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToClose { reports p50BusinessHours p90BusinessHours }\n    breachRate { acknowledge handle start resolve any }\n    escalationsPerReport\n    escalatedShare\n    reopenRate\n    confirmationRate\n    autoCloseRate\n    resolvedWithinSlaRate\n    rated\n    averageRating\n    acknowledgedWithinSlaRate\n    handledByHeads\n    dispatched\n    firstTimeFixRate\n  }\n"): (typeof documents)["\n  fragment DashFigures on KpiFigures {\n    received\n    counted\n    resolved\n    supports\n    supportedReports\n    timeToAcknowledge { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToDispatch { reports p50BusinessHours p90BusinessHours }\n    timeToResolve { reports p50BusinessHours p90BusinessHours p50Hours p90Hours }\n    timeToClose { reports p50BusinessHours p90BusinessHours }\n    breachRate { acknowledge handle start resolve any }\n    escalationsPerReport\n    escalatedShare\n    reopenRate\n    confirmationRate\n    autoCloseRate\n    resolvedWithinSlaRate\n    rated\n    averageRating\n    acknowledgedWithinSlaRate\n    handledByHeads\n    dispatched\n    firstTimeFixRate\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashKpis($scopeId: ID!, $from: NaiveDate!, $to: NaiveDate!, $groupBy: KpiGroupBy!, $categoryId: ID) {\n    kpis(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy, byCategory: false, categoryId: $categoryId) {\n      scopeId\n      from\n      to\n      groupBy\n      rows { period figures { ...DashFigures } }\n      total { ...DashFigures }\n    }\n  }\n"): (typeof documents)["\n  query DashKpis($scopeId: ID!, $from: NaiveDate!, $to: NaiveDate!, $groupBy: KpiGroupBy!, $categoryId: ID) {\n    kpis(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy, byCategory: false, categoryId: $categoryId) {\n      scopeId\n      from\n      to\n      groupBy\n      rows { period figures { ...DashFigures } }\n      total { ...DashFigures }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashRanking($scope: KpiRanked!, $childrenOf: ID!, $metric: KpiMetric!, $from: NaiveDate!, $to: NaiveDate!, $minimumSample: Int!) {\n    kpiRanking(scope: $scope, childrenOf: $childrenOf, metric: $metric, from: $from, to: $to, minimumSample: $minimumSample) {\n      metric\n      direction\n      from\n      to\n      previousFrom\n      previousTo\n      minimumSample\n      entries { id name sample value rank insufficientData previousSample previousValue previousRank change }\n    }\n  }\n"): (typeof documents)["\n  query DashRanking($scope: KpiRanked!, $childrenOf: ID!, $metric: KpiMetric!, $from: NaiveDate!, $to: NaiveDate!, $minimumSample: Int!) {\n    kpiRanking(scope: $scope, childrenOf: $childrenOf, metric: $metric, from: $from, to: $to, minimumSample: $minimumSample) {\n      metric\n      direction\n      from\n      to\n      previousFrom\n      previousTo\n      minimumSample\n      entries { id name sample value rank insufficientData previousSample previousValue previousRank change }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashCategories {\n    categories { id nameZh nameEn active }\n  }\n"): (typeof documents)["\n  query DashCategories {\n    categories { id nameZh nameEn active }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashRequestExport($input: RequestExportInput!) {\n    requestExport(input: $input) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n"): (typeof documents)["\n  mutation DashRequestExport($input: RequestExportInput!) {\n    requestExport(input: $input) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashExportJob($id: ID!) {\n    exportJob(id: $id) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n"): (typeof documents)["\n  query DashExportJob($id: ID!) {\n    exportJob(id: $id) { id status format rowsDone rowsTotal createdAt finishedAt downloadUrl expiresAt fileBytes }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PreviewGridImport($input: GridImportInput!) {\n    previewGridImport(input: $input) {\n      valid\n      creates\n      unchanged\n      errors\n      warnings\n      rows {\n        line\n        area\n        group\n        neighbourhood\n        compound\n        building\n        unit\n        headName\n        headPhone\n        outcome\n        messages { column severity code message }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PreviewGridImport($input: GridImportInput!) {\n    previewGridImport(input: $input) {\n      valid\n      creates\n      unchanged\n      errors\n      warnings\n      rows {\n        line\n        area\n        group\n        neighbourhood\n        compound\n        building\n        unit\n        headName\n        headPhone\n        outcome\n        messages { column severity code message }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApplyGridImport($input: GridImportInput!) {\n    applyGridImport(input: $input) { areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed }\n  }\n"): (typeof documents)["\n  mutation ApplyGridImport($input: GridImportInput!) {\n    applyGridImport(input: $input) { areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridDistricts($first: Int, $after: String) {\n    districts(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name }\n    }\n  }\n"): (typeof documents)["\n  query GridDistricts($first: Int, $after: String) {\n    districts(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridStreets($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        streets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridStreets($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        streets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridCompanies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        propertyCompanies(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridCompanies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on District {\n        propertyCompanies(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridCommunities($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Street {\n        communities(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridCommunities($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Street {\n        communities(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridCompounds($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        compounds(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes { id name address propertyCompany { id name } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridCompounds($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        compounds(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes { id name address propertyCompany { id name } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridAreas($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        areas(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridAreas($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Community {\n        areas(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridBuildings($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Compound {\n        buildings(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name unitCount } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridBuildings($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Compound {\n        buildings(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name unitCount } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridGroups($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Area {\n        groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridGroups($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Area {\n        groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridNeighbourhoods($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Group {\n        neighbourhoods(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes {\n            id\n            name\n            head { id nickname }\n            compound { id name }\n            units { unit building { id name } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridNeighbourhoods($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      id\n      ... on Group {\n        neighbourhoods(first: $first, after: $after) {\n          pageInfo { hasNextPage endCursor }\n          nodes {\n            id\n            name\n            head { id nickname }\n            compound { id name }\n            units { unit building { id name } }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridAppointments($scopeId: ID!, $activeOnly: Boolean!, $first: Int, $after: String) {\n    appointments(scopeId: $scopeId, activeOnly: $activeOnly, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id role active startsAt endsAt user { id nickname } }\n    }\n  }\n"): (typeof documents)["\n  query GridAppointments($scopeId: ID!, $activeOnly: Boolean!, $first: Int, $after: String) {\n    appointments(scopeId: $scopeId, activeOnly: $activeOnly, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id role active startsAt endsAt user { id nickname } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GridAppoint($input: AppointInput!) {\n    appoint(input: $input) { id role active startsAt endsAt user { id nickname } }\n  }\n"): (typeof documents)["\n  mutation GridAppoint($input: AppointInput!) {\n    appoint(input: $input) { id role active startsAt endsAt user { id nickname } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GridRevoke($id: ID!) {\n    revokeAppointment(id: $id) { id role active startsAt endsAt user { id nickname } }\n  }\n"): (typeof documents)["\n  mutation GridRevoke($id: ID!) {\n    revokeAppointment(id: $id) { id role active startsAt endsAt user { id nickname } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridResidences($scopeId: ID!, $status: ResidenceStatus, $first: Int, $after: String) {\n    residences(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        status\n        unit\n        room\n        createdAt\n        building { id name compound { id name } }\n        neighbourhood { id name }\n        user { id nickname }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GridResidences($scopeId: ID!, $status: ResidenceStatus, $first: Int, $after: String) {\n    residences(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        status\n        unit\n        room\n        createdAt\n        building { id name compound { id name } }\n        neighbourhood { id name }\n        user { id nickname }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GridVerifyResidence($id: ID!) {\n    verifyResidence(id: $id) { id status reviewedAt }\n  }\n"): (typeof documents)["\n  mutation GridVerifyResidence($id: ID!) {\n    verifyResidence(id: $id) { id status reviewedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GridRejectResidence($id: ID!, $reason: String!) {\n    rejectResidence(id: $id, reason: $reason) { id status reviewedAt rejectReason }\n  }\n"): (typeof documents)["\n  mutation GridRejectResidence($id: ID!, $reason: String!) {\n    rejectResidence(id: $id, reason: $reason) { id status reviewedAt rejectReason }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GridResidentSearch($scopeId: ID!, $q: String, $first: Int) {\n    residences(scopeId: $scopeId, status: VERIFIED, search: $q, first: $first) {\n      nodes { id unit room user { id nickname } building { id name compound { id name } } }\n    }\n  }\n"): (typeof documents)["\n  query GridResidentSearch($scopeId: ID!, $q: String, $first: Int) {\n    residences(scopeId: $scopeId, status: VERIFIED, search: $q, first: $first) {\n      nodes { id unit room user { id nickname } building { id name compound { id name } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncMerchants($scopeId: ID!, $first: Int, $after: String) {\n    merchants(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name address }\n    }\n  }\n"): (typeof documents)["\n  query IncMerchants($scopeId: ID!, $first: Int, $after: String) {\n    merchants(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name address }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncRegisterMerchant($scopeId: ID!, $name: String!, $address: String!) {\n    registerMerchant(scopeId: $scopeId, name: $name, address: $address) { id name address }\n  }\n"): (typeof documents)["\n  mutation IncRegisterMerchant($scopeId: ID!, $name: String!, $address: String!) {\n    registerMerchant(scopeId: $scopeId, name: $name, address: $address) { id name address }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncPackage on Package {\n    id\n    title\n    description\n    merchant { id name address }\n    costPoints\n    totalStock\n    remainingStock\n    perPersonLimit\n    eligibleRoles\n    validFrom\n    validUntil\n    status\n  }\n"): (typeof documents)["\n  fragment IncPackage on Package {\n    id\n    title\n    description\n    merchant { id name address }\n    costPoints\n    totalStock\n    remainingStock\n    perPersonLimit\n    eligibleRoles\n    validFrom\n    validUntil\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncManagedPackages($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncPackage }\n    }\n  }\n"): (typeof documents)["\n  query IncManagedPackages($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncPackage }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncPackageTitles($scopeId: ID!, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title }\n    }\n  }\n"): (typeof documents)["\n  query IncPackageTitles($scopeId: ID!, $first: Int, $after: String) {\n    managedPackages(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id title }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncCreatePackage($input: CreatePackageInput!) {\n    createIncentivePackage(input: $input) { ...IncPackage }\n  }\n"): (typeof documents)["\n  mutation IncCreatePackage($input: CreatePackageInput!) {\n    createIncentivePackage(input: $input) { ...IncPackage }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncSetPackageStatus($id: ID!, $status: PackageStatus!) {\n    setIncentivePackageStatus(id: $id, status: $status) { ...IncPackage }\n  }\n"): (typeof documents)["\n  mutation IncSetPackageStatus($id: ID!, $status: PackageStatus!) {\n    setIncentivePackageStatus(id: $id, status: $status) { ...IncPackage }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncRedemption on Redemption { id code status points expiresAt usedAt packageId createdAt }\n"): (typeof documents)["\n  fragment IncRedemption on Redemption { id code status points expiresAt usedAt packageId createdAt }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncVerifyRedemption($code: String!) {\n    verifyRedemption(code: $code) { ...IncRedemption }\n  }\n"): (typeof documents)["\n  mutation IncVerifyRedemption($code: String!) {\n    verifyRedemption(code: $code) { ...IncRedemption }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncCancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) { ...IncRedemption }\n  }\n"): (typeof documents)["\n  mutation IncCancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) { ...IncRedemption }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncIssuedRedemptions($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    issuedRedemptions(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id status points packageId createdAt expiresAt usedAt endedAt }\n    }\n  }\n"): (typeof documents)["\n  query IncIssuedRedemptions($scopeId: ID!, $status: String, $first: Int, $after: String) {\n    issuedRedemptions(scopeId: $scopeId, status: $status, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id status points packageId createdAt expiresAt usedAt endedAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncVotePeriod on VotePeriod {\n    id\n    title\n    scopeId\n    status\n    opensAt\n    closesAt\n    winners\n    leaderboard(first: 10) { headId headName votes rank winner }\n  }\n"): (typeof documents)["\n  fragment IncVotePeriod on VotePeriod {\n    id\n    title\n    scopeId\n    status\n    opensAt\n    closesAt\n    winners\n    leaderboard(first: 10) { headId headName votes rank winner }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncVotePeriods($first: Int, $after: String) {\n    votePeriods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncVotePeriod }\n    }\n  }\n"): (typeof documents)["\n  query IncVotePeriods($first: Int, $after: String) {\n    votePeriods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IncVotePeriod }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncOpenVote($scopeId: ID!, $title: String!, $closesAt: DateTime!, $winners: Int!) {\n    openVotePeriod(scopeId: $scopeId, title: $title, closesAt: $closesAt, winners: $winners) { ...IncVotePeriod }\n  }\n"): (typeof documents)["\n  mutation IncOpenVote($scopeId: ID!, $title: String!, $closesAt: DateTime!, $winners: Int!) {\n    openVotePeriod(scopeId: $scopeId, title: $title, closesAt: $closesAt, winners: $winners) { ...IncVotePeriod }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncCloseVote($id: ID!) {\n    closeVotePeriod(id: $id) { ...IncVotePeriod }\n  }\n"): (typeof documents)["\n  mutation IncCloseVote($id: ID!) {\n    closeVotePeriod(id: $id) { ...IncVotePeriod }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncStatistics($scopeId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroupBy!) {\n    incentiveStatistics(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy) {\n      rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }\n      totals { pointsEarned pointsSpent issued used cancelled expired }\n    }\n  }\n"): (typeof documents)["\n  query IncStatistics($scopeId: ID!, $from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroupBy!) {\n    incentiveStatistics(scopeId: $scopeId, from: $from, to: $to, groupBy: $groupBy) {\n      rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }\n      totals { pointsEarned pointsSpent issued used cancelled expired }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IntWebhook on Webhook {\n    id\n    scopeId\n    url\n    events\n    status\n    failures\n    nextAttemptAt\n    lastError\n    createdAt\n    previousSecretValidUntil\n  }\n"): (typeof documents)["\n  fragment IntWebhook on Webhook {\n    id\n    scopeId\n    url\n    events\n    status\n    failures\n    nextAttemptAt\n    lastError\n    createdAt\n    previousSecretValidUntil\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntWebhooks($scopeId: ID!, $first: Int, $after: String) {\n    webhooks(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IntWebhook }\n    }\n  }\n"): (typeof documents)["\n  query IntWebhooks($scopeId: ID!, $first: Int, $after: String) {\n    webhooks(scopeId: $scopeId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...IntWebhook }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntCreateWebhook($scopeId: ID!, $url: String!, $events: [WebhookEvent!]!) {\n    createWebhook(scopeId: $scopeId, url: $url, events: $events) { secret webhook { ...IntWebhook } }\n  }\n"): (typeof documents)["\n  mutation IntCreateWebhook($scopeId: ID!, $url: String!, $events: [WebhookEvent!]!) {\n    createWebhook(scopeId: $scopeId, url: $url, events: $events) { secret webhook { ...IntWebhook } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntUpdateWebhook($id: ID!, $url: String, $events: [WebhookEvent!]) {\n    updateWebhook(id: $id, url: $url, events: $events) { ...IntWebhook }\n  }\n"): (typeof documents)["\n  mutation IntUpdateWebhook($id: ID!, $url: String, $events: [WebhookEvent!]) {\n    updateWebhook(id: $id, url: $url, events: $events) { ...IntWebhook }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntRotateWebhook($id: ID!) {\n    rotateWebhookSecret(id: $id) { secret webhook { ...IntWebhook } }\n  }\n"): (typeof documents)["\n  mutation IntRotateWebhook($id: ID!) {\n    rotateWebhookSecret(id: $id) { secret webhook { ...IntWebhook } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntResumeWebhook($id: ID!) {\n    resumeWebhook(id: $id) { ...IntWebhook }\n  }\n"): (typeof documents)["\n  mutation IntResumeWebhook($id: ID!) {\n    resumeWebhook(id: $id) { ...IntWebhook }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) { id status }\n  }\n"): (typeof documents)["\n  mutation IntDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntDeliveries($webhookId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { eventId eventType attempt ok statusCode error durationMs at }\n    }\n  }\n"): (typeof documents)["\n  query IntDeliveries($webhookId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { eventId eventType attempt ok statusCode error durationMs at }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntApiKeys($districtId: ID!, $first: Int, $after: String) {\n    apiKeys(districtId: $districtId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name scopes hint createdAt lastUsedAt revokedAt }\n    }\n  }\n"): (typeof documents)["\n  query IntApiKeys($districtId: ID!, $first: Int, $after: String) {\n    apiKeys(districtId: $districtId, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id name scopes hint createdAt lastUsedAt revokedAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntCreateApiKey($districtId: ID!, $name: String!, $scopes: [ApiScope!]!) {\n    createApiKey(districtId: $districtId, name: $name, scopes: $scopes) { secret key { id name scopes hint createdAt lastUsedAt revokedAt } }\n  }\n"): (typeof documents)["\n  mutation IntCreateApiKey($districtId: ID!, $name: String!, $scopes: [ApiScope!]!) {\n    createApiKey(districtId: $districtId, name: $name, scopes: $scopes) { secret key { id name scopes hint createdAt lastUsedAt revokedAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IntRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id name scopes hint createdAt lastUsedAt revokedAt }\n  }\n"): (typeof documents)["\n  mutation IntRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id name scopes hint createdAt lastUsedAt revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModerationQueue($first: Int, $after: String) {\n    moderationQueue(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id kind reportId text moderation at }\n    }\n  }\n"): (typeof documents)["\n  query ModerationQueue($first: Int, $after: String) {\n    moderationQueue(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { id kind reportId text moderation at }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ModerateContent($id: ID!, $approve: Boolean!) {\n    moderateContent(id: $id, approve: $approve)\n  }\n"): (typeof documents)["\n  mutation ModerateContent($id: ID!, $approve: Boolean!) {\n    moderateContent(id: $id, approve: $approve)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverdueReports($scopeId: ID!, $state: OverdueState!, $first: Int, $after: String) {\n    overdueReports(scopeId: $scopeId, state: $state, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"): (typeof documents)["\n  query OverdueReports($scopeId: ID!, $state: OverdueState!, $first: Int, $after: String) {\n    overdueReports(scopeId: $scopeId, state: $state, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TicketQueue($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueue(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"): (typeof documents)["\n  query TicketQueue($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueue(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInbox(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"): (typeof documents)["\n  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInbox(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...QueueRow }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TicketQueueChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueueChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n"): (typeof documents)["\n  subscription TicketQueueChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    ticketQueueChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TaskInboxChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInboxChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n"): (typeof documents)["\n  subscription TaskInboxChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {\n    taskInboxChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {\n      cursor\n      kind\n      inList\n      report { ...QueueRow }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Categories {\n    categories { id code nameZh nameEn active }\n  }\n"): (typeof documents)["\n  query Categories {\n    categories { id code nameZh nameEn active }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReportDetail($id: ID!, $timelineAfter: String, $commentsAfter: String) {\n    report(id: $id) {\n      ...QueueRow\n      anonymous\n      moderation\n      rating\n      ratingComment\n      autoClosed\n      reopenCount\n      duplicateOf\n      lastUrgedAt\n      supportedByMe\n      reporter { id name phone }\n      neighbourhood { id name head { id nickname } }\n      community { id name }\n      location { latitude longitude compound { id name address } }\n      milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt confirmedAt closedAt firstReopenedAt endedAt }\n      sla { acknowledgeBy resolveBy stageBusinessMinutes overallBusinessMinutes }\n      escalation { holder since }\n      photos { ...PhotoFields }\n      timeline(first: 100, after: $timelineAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id kind actorRole actorName fromStatus toStatus note moderation at escalation { fromLevel toLevel reason } }\n      }\n      comments(first: 50, after: $commentsAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id body moderation authorRole authorName at photos { ...PhotoFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReportDetail($id: ID!, $timelineAfter: String, $commentsAfter: String) {\n    report(id: $id) {\n      ...QueueRow\n      anonymous\n      moderation\n      rating\n      ratingComment\n      autoClosed\n      reopenCount\n      duplicateOf\n      lastUrgedAt\n      supportedByMe\n      reporter { id name phone }\n      neighbourhood { id name head { id nickname } }\n      community { id name }\n      location { latitude longitude compound { id name address } }\n      milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt confirmedAt closedAt firstReopenedAt endedAt }\n      sla { acknowledgeBy resolveBy stageBusinessMinutes overallBusinessMinutes }\n      escalation { holder since }\n      photos { ...PhotoFields }\n      timeline(first: 100, after: $timelineAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id kind actorRole actorName fromStatus toStatus note moderation at escalation { fromLevel toLevel reason } }\n      }\n      comments(first: 50, after: $commentsAfter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id body moderation authorRole authorName at photos { ...PhotoFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PhotoFields on Photo {\n    id\n    phase\n    hidden\n    url\n    thumbnailUrl\n    width\n    height\n    createdAt\n  }\n"): (typeof documents)["\n  fragment PhotoFields on Photo {\n    id\n    phase\n    hidden\n    url\n    thumbnailUrl\n    width\n    height\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReportUpdated($id: ID!) {\n    reportUpdated(id: $id) { cursor kind report { id status version } }\n  }\n"): (typeof documents)["\n  subscription ReportUpdated($id: ID!) {\n    reportUpdated(id: $id) { cursor kind report { id status version } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReportSupporters($id: ID!, $first: Int, $after: String) {\n    report(id: $id) {\n      id\n      supporters(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n        nodes { name isMe at merged }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReportSupporters($id: ID!, $first: Int, $after: String) {\n    report(id: $id) {\n      id\n      supporters(first: $first, after: $after) {\n        pageInfo { hasNextPage endCursor }\n        nodes { name isMe at merged }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleSessionFields on ConsoleSession {\n    id\n    via\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n    active\n    current\n    userAgent\n  }\n"): (typeof documents)["\n  fragment ConsoleSessionFields on ConsoleSession {\n    id\n    via\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n    active\n    current\n    userAgent\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions($first: Int, $after: String) {\n    mySessions(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...ConsoleSessionFields }\n    }\n  }\n"): (typeof documents)["\n  query MySessions($first: Int, $after: String) {\n    mySessions(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      nodes { ...ConsoleSessionFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...ConsoleSessionFields }\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...ConsoleSessionFields }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;