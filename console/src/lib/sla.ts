// SLA clocks: time left (or over) until a due time, as short text.
import { t } from './i18n';

/** 95 → "1 h 35 min"; 1500 → "1 d 1 h"; 12 → "12 min". */
export function formatMinutes(totalMinutes: number): string {
  const m = Math.max(0, Math.floor(Math.abs(totalMinutes)));
  if (m < 60) return t('time.minutes', { n: m });
  if (m < 24 * 60) return t('time.hoursMinutes', { h: Math.floor(m / 60), m: m % 60 });
  const d = Math.floor(m / (24 * 60));
  const h = Math.floor((m % (24 * 60)) / 60);
  return t('time.daysHours', { d, h });
}

export type ClockState = 'none' | 'paused' | 'ok' | 'warn' | 'over';

export interface Clock {
  state: ClockState;
  /** The stage went past its due time (the server's `breached`), even if the current holder still has time. */
  breached: boolean;
  /** Minutes until due (negative: over). */
  minutes: number | null;
  text: string;
}

/** A stage clock from the report's `sla`: due (and warn) time, paused flag, and now. */
export function slaClock(
  sla: { dueAt?: string | null; warnAt?: string | null; paused?: boolean; breached?: boolean } | null | undefined,
  now: Date = new Date(),
): Clock {
  if (!sla) return { state: 'none', breached: false, minutes: null, text: t('time.none') };
  const breached = !!sla.breached;
  if (sla.paused) return { state: 'paused', breached, minutes: null, text: t('time.paused') };
  if (!sla.dueAt) return { state: breached ? 'over' : 'none', breached, minutes: null, text: breached ? t('report.breached') : t('time.none') };
  const due = new Date(sla.dueAt).getTime();
  if (Number.isNaN(due)) return { state: 'none', breached, minutes: null, text: t('time.none') };
  // Due times are to the second: floor toward the past, so 30 s over shows as over.
  const minutes = Math.floor((due - now.getTime()) / 60000);
  if (minutes < 0) return { state: 'over', breached, minutes, text: t('time.over', { d: formatMinutes(-minutes) }) };
  // Breached but escalated: the new holder still has time; shown as a warning.
  const warn = sla.warnAt ? new Date(sla.warnAt).getTime() : NaN;
  const state: ClockState = breached || (!Number.isNaN(warn) && now.getTime() >= warn) ? 'warn' : 'ok';
  return { state, breached, minutes, text: t('time.left', { d: formatMinutes(minutes) }) };
}

export function clockColor(state: ClockState): string | undefined {
  switch (state) {
    case 'over':
      return 'red';
    case 'warn':
      return 'orange';
    case 'ok':
      return 'green';
    default:
      return undefined;
  }
}

/** Local date-time text for an ISO time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return t('time.none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
