// Queue filters: which go to the server as query variables, which filter the loaded rows client-side, and the sort.
import type { Status } from '../gql/graphql';

export type QueueKind = 'ticketQueue' | 'taskInbox';
export type SortKey = 'default' | 'due' | 'waiting' | 'support' | 'newest';

export interface QueueFilters {
  /** Server: `status` (both queues). Empty: the queue's default set. */
  status?: Status;
  /** Server: `category` (taskInbox only; client-side for ticketQueue). */
  categoryId?: string;
  /** Server: `escalated` (both queues). */
  escalated?: boolean;
  /** Client-side (no server argument): compound of the location. */
  compoundId?: string;
  /** Client-side: the stage is breached. */
  overdue?: boolean;
  /** Client-side: supportCount > 0. */
  supported?: boolean;
  /** Client-side: urgency URGENT. */
  urgent?: boolean;
  /** Client-side: text in the description. */
  search?: string;
  sort?: SortKey;
}

export interface QueueVariables {
  first: number;
  after?: string | null;
  status?: Status | null;
  category?: string | null;
  escalated?: boolean | null;
}

export const PAGE_SIZE = 50;

/** The server arguments for the queue's query (and its subscription, without first/after). */
export function toVariables(kind: QueueKind, f: QueueFilters, after?: string | null, first = PAGE_SIZE): QueueVariables {
  const v: QueueVariables = { first };
  if (after) v.after = after;
  if (f.status) v.status = f.status;
  if (f.escalated) v.escalated = true;
  if (kind === 'taskInbox' && f.categoryId) v.category = f.categoryId;
  return v;
}

/** The filters the server cannot apply for this queue (so the page says they only filter loaded rows). */
export function clientSideKeys(kind: QueueKind, f: QueueFilters): (keyof QueueFilters)[] {
  const keys: (keyof QueueFilters)[] = [];
  if (kind === 'ticketQueue' && f.categoryId) keys.push('categoryId');
  if (f.compoundId) keys.push('compoundId');
  if (f.overdue) keys.push('overdue');
  if (f.supported) keys.push('supported');
  if (f.urgent) keys.push('urgent');
  if (f.search?.trim()) keys.push('search');
  return keys;
}

export interface FilterableRow {
  id: string;
  description: string;
  urgency: string;
  supportCount: number;
  waitingSince: string;
  category: { id: string };
  compound: { id: string };
  milestones: { submittedAt: string };
  sla: { breached: boolean; dueAt?: string | null };
}

export function applyClientFilters<R extends FilterableRow>(kind: QueueKind, rows: R[], f: QueueFilters): R[] {
  const q = f.search?.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (kind === 'taskInbox' || !f.categoryId || r.category.id === f.categoryId) &&
      (!f.compoundId || r.compound.id === f.compoundId) &&
      (!f.overdue || r.sla.breached) &&
      (!f.supported || r.supportCount > 0) &&
      (!f.urgent || r.urgency === 'URGENT') &&
      (!q || r.description.toLowerCase().includes(q) || r.id.toLowerCase().includes(q)),
  );
}

const time = (s: string | null | undefined, missing: number) => {
  if (!s) return missing;
  const v = new Date(s).getTime();
  return Number.isNaN(v) ? missing : v;
};

/** Sort the (filtered) rows; 'default' keeps the server's order (escalated first, longest waiting…). */
export function sortRows<R extends FilterableRow>(rows: R[], sort: SortKey | undefined): R[] {
  const out = [...rows];
  switch (sort) {
    case 'due':
      return out.sort((a, b) => time(a.sla.dueAt, Infinity) - time(b.sla.dueAt, Infinity));
    case 'waiting':
      return out.sort((a, b) => time(a.waitingSince, Infinity) - time(b.waitingSince, Infinity));
    case 'support':
      return out.sort((a, b) => b.supportCount - a.supportCount);
    case 'newest':
      return out.sort((a, b) => time(b.milestones.submittedAt, 0) - time(a.milestones.submittedAt, 0));
    default:
      return out;
  }
}

/** A stable key of the server-side part (a change means reloading from the first page). */
export function serverKey(kind: QueueKind, f: QueueFilters): string {
  const { first: _f, ...rest } = toVariables(kind, f);
  return kind + JSON.stringify(rest);
}
