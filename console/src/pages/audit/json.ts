// The audit log's before/after JSON texts, shown pretty and compared key by key.

/** Pretty JSON (2 spaces); text that is not JSON as it is; none: "". */
export function prettyJson(s: string | null | undefined): string {
  if (s == null || s === '') return '';
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

/** The top-level keys whose values differ between before and after (both objects), sorted. */
export function changedKeys(before: string | null | undefined, after: string | null | undefined): string[] {
  const parse = (s: string | null | undefined): Record<string, unknown> | null => {
    if (!s) return null;
    try {
      const v: unknown = JSON.parse(s);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const a = parse(before) ?? {};
  const b = parse(after) ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** [from, to) instants of Beijing dates `from`..`to` (both included), for auditLog's DateTime arguments. */
export function auditRange(from: string | null, to: string | null): { from: string | null; to: string | null } {
  const next = (d: string) => {
    const x = new Date(`${d}T00:00:00Z`);
    x.setUTCDate(x.getUTCDate() + 1);
    return x.toISOString().slice(0, 10);
  };
  return { from: from ? `${from}T00:00:00+08:00` : null, to: to ? `${next(to)}T00:00:00+08:00` : null };
}
