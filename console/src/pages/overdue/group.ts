import type { GridLevel } from '../../gql/graphql';

export const LEVELS: GridLevel[] = ['PROPERTY', 'NEIGHBOUR_HEAD', 'GROUP_HEAD', 'AREA_HEAD', 'COMMUNITY_ADMIN', 'STREET_ADMIN'];

/** Rows by the level that holds them (no escalation info: the neighbour head), order kept. */
export function groupByLevel<R extends { escalation?: { level: GridLevel } | null }>(rows: R[]): Map<GridLevel, R[]> {
  const m = new Map<GridLevel, R[]>();
  for (const r of rows) {
    const l = r.escalation?.level ?? 'NEIGHBOUR_HEAD';
    const list = m.get(l);
    if (list) list.push(r);
    else m.set(l, [r]);
  }
  return m;
}
