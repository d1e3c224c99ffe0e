import { graphql } from '../../gql';

export const ReportDetailDoc = graphql(`
  query ReportDetail($id: ID!, $timelineAfter: String, $commentsAfter: String) {
    report(id: $id) {
      ...QueueRow
      anonymous
      moderation
      rating
      ratingComment
      autoClosed
      reopenCount
      duplicateOf
      lastUrgedAt
      supportedByMe
      reporter { id name phone }
      neighbourhood { id name head { id nickname } }
      community { id name }
      location { latitude longitude compound { id name address } }
      milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt confirmedAt closedAt firstReopenedAt endedAt }
      sla { acknowledgeBy resolveBy stageBusinessMinutes overallBusinessMinutes }
      escalation { holder since }
      photos { ...PhotoFields }
      timeline(first: 100, after: $timelineAfter) {
        pageInfo { hasNextPage endCursor }
        nodes { id kind actorRole actorName fromStatus toStatus note moderation at escalation { fromLevel toLevel reason } }
      }
      comments(first: 50, after: $commentsAfter) {
        pageInfo { hasNextPage endCursor }
        nodes { id body moderation authorRole authorName at photos { ...PhotoFields } }
      }
    }
  }
`);

export const PhotoFieldsFragment = graphql(`
  fragment PhotoFields on Photo {
    id
    phase
    hidden
    url
    thumbnailUrl
    width
    height
    createdAt
  }
`);

export const ReportUpdatedDoc = graphql(`
  subscription ReportUpdated($id: ID!) {
    reportUpdated(id: $id) { cursor kind report { id status version } }
  }
`);

export const ReportSupportersDoc = graphql(`
  query ReportSupporters($id: ID!, $first: Int, $after: String) {
    report(id: $id) {
      id
      supporters(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { name isMe at merged }
      }
    }
  }
`);
