// The queue's current filters, kept per tab and per queue in sessionStorage (also read at start-up, to ask for the
// queue's first page early: see lib/firstPage.ts).
import type { QueueFilters, QueueKind } from '../../lib/filters';

// The current filters survive going to a report and back (per tab, per queue).
const SESSION_KEY = 'linli.console.queueFilters.';
export function loadSessionFilters(kind: QueueKind): QueueFilters {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(SESSION_KEY + kind) ?? '{}');
    return v && typeof v === 'object' ? (v as QueueFilters) : {};
  } catch {
    return {};
  }
}
export function storeSessionFilters(kind: QueueKind, f: QueueFilters) {
  try {
    sessionStorage.setItem(SESSION_KEY + kind, JSON.stringify(f));
  } catch {
    /* ignore */
  }
}
