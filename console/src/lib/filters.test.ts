import { describe, expect, it } from 'vitest';
import { applyClientFilters, clientSideKeys, serverKey, sortRows, toSubscriptionVariables, toVariables, type FilterableRow } from './filters';

const row = (id: string, o: Partial<FilterableRow> = {}): FilterableRow => ({
  id,
  description: 'blocked drain',
  urgency: 'NORMAL',
  supportCount: 0,
  waitingSince: '2026-01-01T00:00:00Z',
  category: { id: 'cat1' },
  compound: { id: 'cmp1' },
  milestones: { submittedAt: '2026-01-01T00:00:00Z' },
  sla: { breached: false, dueAt: null },
  ...o,
});

describe('toVariables', () => {
  it('passes every filter but urgency to the server', () => {
    expect(
      toVariables('taskInbox', { status: 'SUBMITTED', categoryId: 'c', escalated: true, compoundId: 'x', overdue: true, supported: true, urgent: true, search: '  漏水 ' }),
    ).toEqual({ first: 50, status: 'SUBMITTED', category: 'c', compound: 'x', escalated: true, overdue: true, supported: true, search: '漏水' });
  });
  it('the queue takes the same filters, with paging', () => {
    expect(toVariables('ticketQueue', { categoryId: 'c' }, 'cur', 20)).toEqual({ first: 20, after: 'cur', category: 'c' });
  });
  it('a search is cut at the server limit, by characters', () => {
    expect(toVariables('ticketQueue', { search: '堵'.repeat(60) }).search).toBe('堵'.repeat(50));
    expect(toVariables('ticketQueue', { search: '   ' }).search).toBeUndefined();
  });
  it('the subscription has the filters without paging', () => {
    expect(toSubscriptionVariables('ticketQueue', { supported: true, search: 'x' })).toEqual({ supported: true, search: 'x' });
  });
  it('escalated false is omitted (means all)', () => {
    expect(toVariables('taskInbox', { escalated: false })).toEqual({ first: 50 });
  });
  it('serverKey ignores client-side filters', () => {
    expect(serverKey('taskInbox', { status: 'SUBMITTED', urgent: true })).toBe(serverKey('taskInbox', { status: 'SUBMITTED' }));
    expect(serverKey('taskInbox', { search: 'x' })).not.toBe(serverKey('taskInbox', {}));
    expect(serverKey('taskInbox', {})).not.toBe(serverKey('ticketQueue', {}));
  });
});

describe('client-side filters', () => {
  const rows = [
    row('a', { supportCount: 2 }),
    row('b', { sla: { breached: true, dueAt: '2026-01-01T01:00:00Z' }, compound: { id: 'cmp2' } }),
    row('c', { urgency: 'URGENT', category: { id: 'cat2' }, description: '电梯故障' }),
  ];
  it('lists what the server cannot do', () => {
    expect(clientSideKeys('ticketQueue', { categoryId: 'c', status: 'DISPATCHED', overdue: true, search: 'x' })).toEqual([]);
    expect(clientSideKeys('taskInbox', { urgent: true, compoundId: 'x' })).toEqual(['urgent']);
  });
  it('filters only what the server does not', () => {
    expect(applyClientFilters('ticketQueue', rows, { urgent: true }).map((r) => r.id)).toEqual(['c']);
    // the server's filters are not applied again (its overdue is "past due now", which the row may not say yet)
    expect(applyClientFilters('ticketQueue', rows, { supported: true, overdue: true, compoundId: 'cmp1', categoryId: 'cat2', search: '电梯' })).toHaveLength(3);
  });
  it('sorts', () => {
    const r = [
      row('x', { supportCount: 1, sla: { breached: false, dueAt: '2026-01-03T00:00:00Z' }, milestones: { submittedAt: '2026-01-02T00:00:00Z' } }),
      row('y', { supportCount: 5, sla: { breached: false, dueAt: null }, milestones: { submittedAt: '2026-01-03T00:00:00Z' } }),
      row('z', { supportCount: 3, sla: { breached: false, dueAt: '2026-01-02T00:00:00Z' }, milestones: { submittedAt: '2026-01-01T00:00:00Z' } }),
    ];
    expect(sortRows(r, 'default').map((x) => x.id)).toEqual(['x', 'y', 'z']);
    expect(sortRows(r, 'due').map((x) => x.id)).toEqual(['z', 'x', 'y']);
    expect(sortRows(r, 'support').map((x) => x.id)).toEqual(['y', 'z', 'x']);
    expect(sortRows(r, 'newest').map((x) => x.id)).toEqual(['y', 'x', 'z']);
  });
});
