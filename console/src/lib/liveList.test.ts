import { describe, expect, it } from 'vitest';
import { appendPage, applyChange } from './liveList';

describe('live list', () => {
  const rows = [{ id: 'a', v: 1 }, { id: 'b', v: 1 }];
  it('patches, removes, inserts', () => {
    expect(applyChange(rows, { inList: true, report: { id: 'b', v: 2 } })).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 2 }]);
    expect(applyChange(rows, { inList: false, report: { id: 'a', v: 2 } })).toEqual([{ id: 'b', v: 1 }]);
    expect(applyChange(rows, { inList: false, report: { id: 'z', v: 2 } })).toBe(rows);
    expect(applyChange(rows, { inList: true, report: { id: 'c', v: 1 } }).map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });
  it('appends pages without duplicates', () => {
    expect(appendPage(rows, [{ id: 'b', v: 9 }, { id: 'c', v: 1 }]).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
