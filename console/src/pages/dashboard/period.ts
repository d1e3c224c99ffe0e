// The dashboard's period: months, quarters or years picked in the console, sent as Beijing dates (included).
import type { KpiGroupBy } from '../../gql/graphql';

export type PeriodMode = 'month' | 'quarter' | 'year';

/** A calendar month: year and month 0..11. */
export interface Ym {
  y: number;
  m: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Today's date in Beijing (UTC+8, no daylight saving), `YYYY-MM-DD`. */
export function beijingToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function ymOf(date: string): Ym {
  return { y: Number(date.slice(0, 4)), m: Number(date.slice(5, 7)) - 1 };
}

export function addMonths(a: Ym, n: number): Ym {
  const i = a.y * 12 + a.m + n;
  return { y: Math.floor(i / 12), m: ((i % 12) + 12) % 12 };
}

function lastDay(y: number, m: number): number {
  return new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
}

/** The first month of the period (month, quarter or year) that holds `a`. */
export function periodStart(mode: PeriodMode, a: Ym): Ym {
  if (mode === 'year') return { y: a.y, m: 0 };
  if (mode === 'quarter') return { y: a.y, m: Math.floor(a.m / 3) * 3 };
  return a;
}

/** The last month of the period that holds `a`. */
export function periodEnd(mode: PeriodMode, a: Ym): Ym {
  if (mode === 'year') return { y: a.y, m: 11 };
  if (mode === 'quarter') return { y: a.y, m: Math.floor(a.m / 3) * 3 + 2 };
  return a;
}

/**
 * `from`..`to` (Beijing dates, both included) of the periods from `start` to `end`: the first day of the first
 * period to the last day of the last, cut to `today` (no figures from the future).
 */
export function periodDates(mode: PeriodMode, start: Ym, end: Ym, today: string): { from: string; to: string } {
  const [a, b] = start.y * 12 + start.m <= end.y * 12 + end.m ? [start, end] : [end, start];
  const s = periodStart(mode, a);
  const e = periodEnd(mode, b);
  const from = `${s.y}-${pad(s.m + 1)}-01`;
  let to = `${e.y}-${pad(e.m + 1)}-${pad(lastDay(e.y, e.m))}`;
  if (to > today) to = today < from ? from : today;
  return { from, to };
}

/** The default: the last three months, this one included. */
export function defaultPeriod(today: string): { mode: PeriodMode; start: Ym; end: Ym } {
  const end = ymOf(today);
  return { mode: 'month', start: addMonths(end, -2), end };
}

export function groupByOf(mode: PeriodMode): KpiGroupBy {
  return mode === 'year' ? 'YEAR' : mode === 'quarter' ? 'QUARTER' : 'MONTH';
}

/** A row's label on the chart: `2026-03`, `2026 Q1`, `2026`, or the day/week's first day. */
export function periodLabel(groupBy: KpiGroupBy, period: string): string {
  const { y, m } = ymOf(period);
  if (groupBy === 'YEAR') return String(y);
  if (groupBy === 'QUARTER') return `${y} Q${Math.floor(m / 3) + 1}`;
  if (groupBy === 'MONTH') return `${y}-${pad(m + 1)}`;
  return period;
}

/** Beijing midnight of a date as an RFC 3339 instant (for DateTime arguments). */
export function beijingMidnight(date: string): string {
  return `${date}T00:00:00+08:00`;
}

/** The day after `date` (`YYYY-MM-DD`). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
