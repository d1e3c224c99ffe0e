// Formatting the assessment's figures and the ranking's movements.
import type { KpiMetric } from '../../gql/graphql';

export const DASH = '—';

/** 0..1 → "12.3%"; null → "—". */
export function formatRate(v: number | null | undefined): string {
  if (v == null) return DASH;
  const p = v * 100;
  return `${p.toFixed(p === 0 || p === 100 ? 0 : 1)}%`;
}

/** Hours → "3.5 h" (≥ 100 h: no decimals). */
export function formatHours(v: number | null | undefined, unit = 'h'): string {
  if (v == null) return DASH;
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`;
}

export function formatNumber(v: number | null | undefined, digits = 0): string {
  if (v == null) return DASH;
  return digits ? v.toFixed(digits) : String(Math.round(v));
}

export type MetricKind = 'hours' | 'rate' | 'rating' | 'ratio' | 'count';

export function metricKind(m: KpiMetric): MetricKind {
  if (m.includes('HOURS')) return 'hours';
  if (m.endsWith('_RATE')) return 'rate';
  if (m === 'AVERAGE_RATING') return 'rating';
  if (m === 'ESCALATIONS_PER_REPORT') return 'ratio';
  return 'count';
}

export function formatMetric(m: KpiMetric, v: number | null | undefined, hourUnit = 'h'): string {
  switch (metricKind(m)) {
    case 'hours':
      return formatHours(v, hourUnit);
    case 'rate':
      return formatRate(v);
    case 'rating':
    case 'ratio':
      return formatNumber(v, 2);
    default:
      return formatNumber(v);
  }
}

export interface Move {
  dir: 'up' | 'down' | 'same' | 'new' | 'none';
  /** "↑2", "↓1", "–", "" */
  text: string;
}

/** The ranking's `change` (previousRank − rank: positive moved up) as an arrow. */
export function rankMove(e: { rank: number | null; previousRank: number | null; change: number | null }): Move {
  if (e.change != null) {
    if (e.change > 0) return { dir: 'up', text: `↑${e.change}` };
    if (e.change < 0) return { dir: 'down', text: `↓${-e.change}` };
    return { dir: 'same', text: '–' };
  }
  if (e.rank != null && e.previousRank == null) return { dir: 'new', text: '' };
  return { dir: 'none', text: '' };
}

/** Ranks held by more than one entry (ties: "1, 2, 2, 4"). */
export function tiedRanks(entries: { rank: number | null }[]): Set<number> {
  const count = new Map<number, number>();
  for (const e of entries) if (e.rank != null) count.set(e.rank, (count.get(e.rank) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n > 1).map(([r]) => r));
}

/** Percent done of an export job (null: not known yet). */
export function exportProgress(job: { status: string; rowsDone: number; rowsTotal: number | null }): number | null {
  if (job.status === 'DONE' || job.status === 'EXPIRED') return 100;
  if (!job.rowsTotal) return job.status === 'RUNNING' && job.rowsTotal === 0 ? 100 : null;
  return Math.min(100, Math.floor((job.rowsDone / job.rowsTotal) * 100));
}

/** The export link of a scope and period (`/export/reports.csv?…`). */
export function exportHref(format: 'csv' | 'xlsx', scopeId: string, from: string, to: string, categoryId?: string | null): string {
  const q = new URLSearchParams({ scopeId, from, to });
  if (categoryId) q.set('categoryId', categoryId);
  return `/export/reports.${format}?${q.toString()}`;
}
