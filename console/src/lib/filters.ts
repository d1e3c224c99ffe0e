// Queue filters: all but "urgent" go to the server as query variables (and as the live subscription's, whose
// `inList` says whether a changed report still passes them); "urgent" filters the loaded rows; and the sort.
import type { Status } from '../gql/graphql';

export type QueueKind = 'ticketQueue' | 'taskInbox';
export type SortKey = 'default' | 'due' | 'waiting' | 'support' | 'newest';

export interface QueueFilters {
  /** Server: `status` (both queues). Empty: the queue's default set. */
  status?: Status;
  /** Server: `category`. */
  categoryId?: string;
  /** Server: `escalated` (both queues). */
  escalated?: boolean;
  /** Server: `compound`. */
  compoundId?: string;
  /** Server: `overdue` (past the current due time). */
  overdue?: boolean;
  /** Server: `supported` (residents said "me too"). */
  supported?: boolean;
  /** Client-side (no server argument): urgency URGENT. */
  urgent?: boolean;
  /** Server: `search`, words of the description (at most 50 characters). */
  search?: string;
  sort?: SortKey;
}

export interface QueueVariables {
  first: number;
  after?: string | null;
  status?: Status | null;
  category?: string | null;
  escalated?: boolean | null;
  compound?: string | null;
  overdue?: boolean | null;
  supported?: boolean | null;
  search?: string | null;
}

/** The longest search the server takes. */
export const SEARCH_MAX = 50;

export const PAGE_SIZE = 50;

/** The server arguments for the queue's query (and its subscription, without first/after). */
export function toVariables(kind: QueueKind, f: QueueFilters, after?: string | null, first = PAGE_SIZE): QueueVariables {
  const v: QueueVariables = { first };
  if (after) v.after = after;
  if (f.status) v.status = f.status;
  if (f.escalated) v.escalated = true;
  if (f.categoryId) v.category = f.categoryId;
  if (f.compoundId) v.compound = f.compoundId;
  if (f.overdue) v.overdue = true;
  if (f.supported) v.supported = true;
  const q = f.search?.trim();
  if (q) v.search = [...q].slice(0, SEARCH_MAX).join('');
  void kind;
  return v;
}

/** The subscription's variables: the query's filters without paging. */
export function toSubscriptionVariables(kind: QueueKind, f: QueueFilters): Omit<QueueVariables, 'first' | 'after'> {
  const { first: _first, after: _after, ...rest } = toVariables(kind, f);
  return rest;
}

/** The filters the server cannot apply for this queue (so the page says they only filter loaded rows). */
export function clientSideKeys(_kind: QueueKind, f: QueueFilters): (keyof QueueFilters)[] {
  const keys: (keyof QueueFilters)[] = [];
  if (f.urgent) keys.push('urgent');
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

/** The filters the server does not apply (urgency), over the loaded rows. */
export function applyClientFilters<R extends FilterableRow>(_kind: QueueKind, rows: R[], f: QueueFilters): R[] {
  return rows.filter((r) => !f.urgent || r.urgency === 'URGENT');
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
