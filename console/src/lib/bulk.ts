// Bulk actions over selected queue rows: which rows allow the action (their availableActions), and running one
// mutation per report with limited concurrency, collecting each row's failure.
import type { Action } from '../gql/graphql';

export const BULK_ACTIONS = ['ACKNOWLEDGE', 'DISPATCH', 'START_WORK', 'RESOLVE'] as const satisfies readonly Action[];
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface ActionableRow {
  id: string;
  availableActions: readonly Action[];
}

/** The selected rows that allow the action. */
export function eligibleRows<R extends ActionableRow>(rows: R[], action: BulkAction): R[] {
  return rows.filter((r) => r.availableActions.includes(action));
}

/** The action is enabled when the selection is non-empty and every selected row allows it. */
export function bulkEnabled(rows: ActionableRow[], action: BulkAction): boolean {
  return rows.length > 0 && rows.every((r) => r.availableActions.includes(action));
}

export interface BulkOutcome {
  id: string;
  ok: boolean;
  message?: string;
  code?: string;
}

/** Run `task` over `items`, at most `limit` at a time, in order of start; never rejects. */
export async function runLimited<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
