import { describe, expect, it } from 'vitest';
import { addMonths, beijingToday, defaultPeriod, nextDay, periodDates, periodLabel } from './period';

describe('dashboard period', () => {
  it('takes the Beijing date', () => {
    expect(beijingToday(new Date('2026-03-31T15:59:00Z'))).toBe('2026-03-31');
    expect(beijingToday(new Date('2026-03-31T16:00:00Z'))).toBe('2026-04-01');
  });
  it('defaults to the last three months, this one included, cut to today', () => {
    const p = defaultPeriod('2026-02-10');
    expect(p.start).toEqual({ y: 2025, m: 11 });
    expect(periodDates(p.mode, p.start, p.end, '2026-02-10')).toEqual({ from: '2025-12-01', to: '2026-02-10' });
  });
  it('months, quarters and years', () => {
    expect(periodDates('month', { y: 2024, m: 1 }, { y: 2024, m: 1 }, '2026-01-01')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(periodDates('quarter', { y: 2025, m: 4 }, { y: 2025, m: 7 }, '2026-01-01')).toEqual({ from: '2025-04-01', to: '2025-09-30' });
    expect(periodDates('year', { y: 2025, m: 5 }, { y: 2025, m: 5 }, '2025-06-15')).toEqual({ from: '2025-01-01', to: '2025-06-15' });
    expect(periodDates('month', { y: 2025, m: 5 }, { y: 2025, m: 2 }, '2026-01-01')).toEqual({ from: '2025-03-01', to: '2025-06-30' });
  });
  it('adds months across years', () => {
    expect(addMonths({ y: 2026, m: 0 }, -1)).toEqual({ y: 2025, m: 11 });
    expect(addMonths({ y: 2026, m: 11 }, 1)).toEqual({ y: 2027, m: 0 });
  });
  it('labels periods', () => {
    expect(periodLabel('QUARTER', '2026-04-01')).toBe('2026 Q2');
    expect(periodLabel('MONTH', '2026-04-01')).toBe('2026-04');
    expect(periodLabel('YEAR', '2026-01-01')).toBe('2026');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
});
