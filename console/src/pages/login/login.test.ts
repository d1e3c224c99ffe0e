import { describe, expect, it } from 'vitest';
import { nextTarget } from './index';

describe('nextTarget', () => {
  it('stays inside the console', () => {
    expect(nextTarget('/reports/rpt_1?x=1')).toBe('/console/reports/rpt_1?x=1');
    expect(nextTarget(null)).toBe('/console/queue');
    expect(nextTarget('//evil.example')).toBe('/console/queue');
    expect(nextTarget('https://evil.example')).toBe('/console/queue');
    expect(nextTarget('/login')).toBe('/console/queue');
  });
});
