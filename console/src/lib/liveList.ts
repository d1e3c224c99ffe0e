// Patching a loaded list from a subscription's change: replace the row, drop it (inList false), or put it first.
export interface Change<R extends { id: string }> {
  inList?: boolean | null;
  report: R;
}

export function applyChange<R extends { id: string }>(rows: R[], change: Change<R>): R[] {
  const i = rows.findIndex((r) => r.id === change.report.id);
  if (change.inList === false) return i < 0 ? rows : rows.filter((r) => r.id !== change.report.id);
  if (i >= 0) {
    const out = rows.slice();
    out[i] = change.report;
    return out;
  }
  return [change.report, ...rows];
}

/** Merge a next page into the loaded rows (a row already loaded, moved by a live change, is kept once). */
export function appendPage<R extends { id: string }>(rows: R[], page: R[]): R[] {
  const seen = new Set(rows.map((r) => r.id));
  return [...rows, ...page.filter((r) => !seen.has(r.id))];
}
