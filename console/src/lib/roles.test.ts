import { describe, expect, it } from 'vitest';
import { canAccess, capabilities, menuRoutes, type RoleScope } from './roles';

const r = (role: RoleScope['role'], scopeId = 's'): RoleScope => ({ appointmentId: role + scopeId, role, scopeId, scopeName: 'n', scopeType: 'X' });

describe('roles', () => {
  it('property staff: queue and overdue, no admin', () => {
    const c = capabilities([r('PROPERTY_STAFF')]);
    expect(c.hasTicketQueue).toBe(true);
    expect(c.hasInbox).toBe(false);
    expect(menuRoutes(c)).toEqual(['queue', 'overdue']);
    expect(canAccess('grid', c)).toBe(false);
  });
  it('head: inbox and overdue', () => {
    const c = capabilities([r('NEIGHBOUR_HEAD')]);
    expect(c.hasInbox).toBe(true);
    expect(menuRoutes(c)).toEqual(['queue', 'overdue']);
  });
  it('admin: everything', () => {
    const c = capabilities([r('COMMUNITY_ADMIN')]);
    expect(menuRoutes(c)).toEqual(['queue', 'overdue', 'dashboard', 'grid', 'grid-import', 'moderation', 'incentives', 'audit', 'integrations']);
    expect(c.adminScopes).toHaveLength(1);
  });
  it('nobody: only sessions', () => {
    const c = capabilities([]);
    expect(menuRoutes(c)).toEqual([]);
    expect(canAccess('sessions', c)).toBe(true);
    expect(canAccess('queue', c)).toBe(false);
    expect(canAccess('audit', c)).toBe(false);
  });
});
