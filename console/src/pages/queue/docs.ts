import { graphql } from '../../gql';

export const TicketQueueDoc = graphql(`
  query TicketQueue($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {
    ticketQueue(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {
      pageInfo { hasNextPage endCursor }
      nodes { ...QueueRow }
    }
  }
`);

export const TaskInboxDoc = graphql(`
  query TaskInbox($first: Int, $after: String, $status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {
    taskInbox(first: $first, after: $after, status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {
      pageInfo { hasNextPage endCursor }
      nodes { ...QueueRow }
    }
  }
`);

export const TicketQueueChangedDoc = graphql(`
  subscription TicketQueueChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {
    ticketQueueChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {
      cursor
      kind
      inList
      report { ...QueueRow }
    }
  }
`);

export const TaskInboxChangedDoc = graphql(`
  subscription TaskInboxChanged($status: Status, $category: ID, $compound: ID, $escalated: Boolean, $overdue: Boolean, $supported: Boolean, $search: String) {
    taskInboxChanged(status: $status, category: $category, compound: $compound, escalated: $escalated, overdue: $overdue, supported: $supported, search: $search) {
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
