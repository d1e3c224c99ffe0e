import { describe, expect, it } from 'vitest';
import { bulkEnabled, eligibleRows, runLimited } from './bulk';

describe('bulk eligibility', () => {
  const rows = [
    { id: 'a', availableActions: ['ACKNOWLEDGE', 'COMMENT'] as const },
    { id: 'b', availableActions: ['ACKNOWLEDGE', 'DISPATCH'] as const },
    { id: 'c', availableActions: ['START_WORK'] as const },
  ];
  it('eligible rows', () => {
    expect(eligibleRows(rows, 'ACKNOWLEDGE').map((r) => r.id)).toEqual(['a', 'b']);
    expect(eligibleRows(rows, 'RESOLVE')).toEqual([]);
  });
  it('enabled only when every selected row allows it', () => {
    expect(bulkEnabled(rows.slice(0, 2), 'ACKNOWLEDGE')).toBe(true);
    expect(bulkEnabled(rows, 'ACKNOWLEDGE')).toBe(false);
    expect(bulkEnabled([], 'ACKNOWLEDGE')).toBe(false);
  });
});

describe('runLimited', () => {
  it('keeps at most `limit` running and returns results in order', async () => {
    let running = 0;
    let peak = 0;
    const out = await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 * (8 - n)));
      running--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });
  it('empty input', async () => {
    expect(await runLimited([], 4, async () => 1)).toEqual([]);
  });
});
