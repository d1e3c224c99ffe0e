import { graphql } from '../../gql';

export const TicketQueueDoc = graphql(`
  query TicketQueue($first: Int, $after: String, $status: Status, $escalated: Boolean) {
    ticketQueue(first: $first, after: $after, status: $status, escalated: $escalated) {
      pageInfo { hasNextPage endCursor }
      nodes { ...QueueRow }
    }
  }
`);

export const TaskInboxDoc = graphql(`
  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $escalated: Boolean) {
    taskInbox(first: $first, after: $after, status: $status, category: $category, escalated: $escalated) {
      pageInfo { hasNextPage endCursor }
      nodes { ...QueueRow }
    }
  }
`);

export const TicketQueueChangedDoc = graphql(`
  subscription TicketQueueChanged($status: Status, $escalated: Boolean) {
    ticketQueueChanged(status: $status, escalated: $escalated) {
      cursor
      kind
      inList
      report { ...QueueRow }
    }
  }
`);

export const TaskInboxChangedDoc = graphql(`
  subscription TaskInboxChanged($status: Status, $category: ID, $escalated: Boolean) {
    taskInboxChanged(status: $status, category: $category, escalated: $escalated) {
      cursor
      kind
      inList
      report { ...QueueRow }
    }
  }
`);

export const CategoriesDoc = graphql(`
  query Categories {
    categories { id code nameZh nameEn active }
  }
`);
