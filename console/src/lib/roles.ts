// What the signed-in user may do in the console, from `me.roles` (active appointments).
import type { Role } from '../gql/graphql';
import type { QueueKind } from './filters';

export interface RoleScope {
  appointmentId: string;
  role: Role;
  scopeId: string;
  scopeName: string;
  scopeType: string;
}

export const HEAD_ROLES: readonly Role[] = ['NEIGHBOUR_HEAD', 'GROUP_HEAD', 'AREA_HEAD'];
export const ADMIN_ROLES: readonly Role[] = ['COMMUNITY_ADMIN', 'STREET_ADMIN', 'DISTRICT_ADMIN'];

export type RouteKey =
  | 'queue'
  | 'report'
  | 'overdue'
  | 'sessions'
  | 'dashboard'
  | 'grid'
  | 'grid-import'
  | 'moderation'
  | 'incentives'
  | 'audit'
  | 'integrations';

export const ADMIN_ROUTES: readonly RouteKey[] = ['dashboard', 'grid', 'grid-import', 'moderation', 'incentives', 'audit', 'integrations'];

export interface Capabilities {
  isStaff: boolean;
  isHead: boolean;
  isAdmin: boolean;
  /** Has a task inbox (a head or an admin). */
  hasInbox: boolean;
  /** Has a ticket queue (property staff). */
  hasTicketQueue: boolean;
  /** Scopes for overdueReports: heads' units, admins' units, staff's companies. */
  overdueScopes: RoleScope[];
  /** Scopes the user administers (community, street, district). */
  adminScopes: RoleScope[];
  roles: RoleScope[];
}

export function capabilities(roles: RoleScope[]): Capabilities {
  const has = (list: readonly Role[]) => roles.some((r) => list.includes(r.role));
  const isStaff = roles.some((r) => r.role === 'PROPERTY_STAFF');
  const isHead = has(HEAD_ROLES);
  const isAdmin = has(ADMIN_ROLES);
  const overdueScopes = roles.filter((r) => r.role !== 'MERCHANT_STAFF');
  const adminScopes = roles.filter((r) => ADMIN_ROLES.includes(r.role));
  return {
    isStaff,
    isHead,
    isAdmin,
    hasInbox: isHead || isAdmin,
    hasTicketQueue: isStaff,
    overdueScopes,
    adminScopes,
    roles,
  };
}

export function canAccess(route: RouteKey, caps: Capabilities): boolean {
  switch (route) {
    case 'sessions':
      return true;
    case 'queue':
    case 'report':
      return caps.hasInbox || caps.hasTicketQueue;
    case 'overdue':
      return caps.overdueScopes.length > 0;
    default:
      return ADMIN_ROUTES.includes(route) ? caps.isAdmin : false;
  }
}

/** The menu entries in order, for the side menu. */
export function menuRoutes(caps: Capabilities): RouteKey[] {
  const all: RouteKey[] = ['queue', 'overdue', 'dashboard', 'grid', 'grid-import', 'moderation', 'incentives', 'audit', 'integrations'];
  return all.filter((r) => canAccess(r, caps));
}

/** The queues the user has, the ticket queue first. */
export function queueKinds(caps: Pick<Capabilities, 'hasTicketQueue' | 'hasInbox'>): QueueKind[] {
  return [...(caps.hasTicketQueue ? (['ticketQueue'] as const) : []), ...(caps.hasInbox ? (['taskInbox'] as const) : [])];
}

/** The queue the queue page shows: the one asked for (`?q=`) when the user has it, else their first. */
export function pickQueueKind(kinds: readonly QueueKind[], asked: string | null): QueueKind {
  return asked && (kinds as readonly string[]).includes(asked) ? (asked as QueueKind) : (kinds[0] ?? 'taskInbox');
}
