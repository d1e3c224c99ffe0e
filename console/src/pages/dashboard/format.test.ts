import { describe, expect, it } from 'vitest';
import { exportHref, exportProgress, formatHours, formatMetric, formatRate, rankMove, tiedRanks } from './format';

describe('KPI formatting', () => {
  it('rates and hours', () => {
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(null)).toBe('—');
    expect(formatHours(3.456)).toBe('3.5 h');
    expect(formatHours(123.4)).toBe('123 h');
    expect(formatHours(undefined)).toBe('—');
  });
  it('by metric', () => {
    expect(formatMetric('MEDIAN_BUSINESS_HOURS_TO_RESOLVE', 5.25)).toBe('5.3 h');
    expect(formatMetric('BREACH_RATE', 0.05)).toBe('5.0%');
    expect(formatMetric('AVERAGE_RATING', 4.5)).toBe('4.50');
    expect(formatMetric('ESCALATIONS_PER_REPORT', 0.333)).toBe('0.33');
    expect(formatMetric('REPORTS', 42)).toBe('42');
  });
});

describe('ranking', () => {
  it('change arrows', () => {
    expect(rankMove({ rank: 1, previousRank: 3, change: 2 })).toEqual({ dir: 'up', text: '↑2' });
    expect(rankMove({ rank: 4, previousRank: 2, change: -2 })).toEqual({ dir: 'down', text: '↓2' });
    expect(rankMove({ rank: 2, previousRank: 2, change: 0 }).dir).toBe('same');
    expect(rankMove({ rank: 2, previousRank: null, change: null }).dir).toBe('new');
    expect(rankMove({ rank: null, previousRank: 1, change: null }).dir).toBe('none');
  });
  it('ties', () => {
    expect([...tiedRanks([{ rank: 1 }, { rank: 2 }, { rank: 2 }, { rank: 4 }, { rank: null }, { rank: null }])]).toEqual([2]);
  });
});

describe('exports', () => {
  it('links and progress', () => {
    expect(exportHref('csv', 'dst_1', '2026-01-01', '2026-03-31')).toBe('/export/reports.csv?scopeId=dst_1&from=2026-01-01&to=2026-03-31');
    expect(exportHref('xlsx', 'com_1', '2026-01-01', '2026-01-31', 'cat_2')).toContain('&categoryId=cat_2');
    expect(exportProgress({ status: 'RUNNING', rowsDone: 50, rowsTotal: 200 })).toBe(25);
    expect(exportProgress({ status: 'QUEUED', rowsDone: 0, rowsTotal: null })).toBe(null);
    expect(exportProgress({ status: 'DONE', rowsDone: 10, rowsTotal: 10 })).toBe(100);
  });
});
