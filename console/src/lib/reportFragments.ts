// The report fields a queue row (and the overdue board) shows.
import { graphql } from '../gql';

export const QueueRowFragment = graphql(`
  fragment QueueRow on Report {
    id
    status
    version
    description
    urgency
    supportCount
    waitingSince
    availableActions
    category { id code nameZh nameEn }
    compound { id name }
    assignedCompany { id name }
    location { unit room publicArea building { id name } }
    milestones { submittedAt }
    sla { dueAt warnAt breached paused stage acknowledgeOverdue resolveOverdue }
    escalation { level escalated steps dueAt }
  }
`);
