import { describe, expect, it } from 'vitest';
import { groupByLevel } from './group';

describe('groupByLevel', () => {
  it('groups in order, default neighbour head', () => {
    const g = groupByLevel([
      { id: 'a', escalation: { level: 'PROPERTY' as const } },
      { id: 'b', escalation: null },
      { id: 'c', escalation: { level: 'PROPERTY' as const } },
    ]);
    expect(g.get('PROPERTY')!.map((r) => r.id)).toEqual(['a', 'c']);
    expect(g.get('NEIGHBOUR_HEAD')!.map((r) => r.id)).toEqual(['b']);
    expect(g.get('GROUP_HEAD')).toBeUndefined();
  });
});
