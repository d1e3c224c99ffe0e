import { describe, expect, it } from 'vitest';
import { applyClientFilters, clientSideKeys, serverKey, sortRows, toVariables, type FilterableRow } from './filters';

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
  it('passes server-side filters only', () => {
    expect(toVariables('taskInbox', { status: 'SUBMITTED', categoryId: 'c', escalated: true, compoundId: 'x', overdue: true })).toEqual({
      first: 50,
      status: 'SUBMITTED',
      category: 'c',
      escalated: true,
    });
  });
  it('ticketQueue has no category argument', () => {
    expect(toVariables('ticketQueue', { categoryId: 'c' }, 'cur', 20)).toEqual({ first: 20, after: 'cur' });
  });
  it('escalated false is omitted (means all)', () => {
    expect(toVariables('taskInbox', { escalated: false })).toEqual({ first: 50 });
  });
  it('serverKey ignores client-side filters', () => {
    expect(serverKey('taskInbox', { status: 'SUBMITTED', search: 'x' })).toBe(serverKey('taskInbox', { status: 'SUBMITTED' }));
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
    expect(clientSideKeys('ticketQueue', { categoryId: 'c', status: 'DISPATCHED' })).toEqual(['categoryId']);
    expect(clientSideKeys('taskInbox', { categoryId: 'c', overdue: true, search: ' ' })).toEqual(['overdue']);
  });
  it('filters', () => {
    expect(applyClientFilters('ticketQueue', rows, { supported: true }).map((r) => r.id)).toEqual(['a']);
    expect(applyClientFilters('ticketQueue', rows, { overdue: true }).map((r) => r.id)).toEqual(['b']);
    expect(applyClientFilters('ticketQueue', rows, { compoundId: 'cmp1' }).map((r) => r.id)).toEqual(['a', 'c']);
    expect(applyClientFilters('ticketQueue', rows, { urgent: true }).map((r) => r.id)).toEqual(['c']);
    expect(applyClientFilters('ticketQueue', rows, { categoryId: 'cat2' }).map((r) => r.id)).toEqual(['c']);
    // the inbox's category is the server's job: not filtered again
    expect(applyClientFilters('taskInbox', rows, { categoryId: 'cat2' })).toHaveLength(3);
    expect(applyClientFilters('taskInbox', rows, { search: '电梯' }).map((r) => r.id)).toEqual(['c']);
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
