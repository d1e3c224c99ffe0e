// Saved queue filters in localStorage (per browser), by name.
import type { QueueFilters } from './filters';

export const SAVED_FILTERS_KEY = 'linli.console.savedFilters';

export interface SavedFilter {
  name: string;
  filters: QueueFilters;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadSavedFilters(store: Storage | null = storage()): SavedFilter[] {
  if (!store) return [];
  try {
    const raw = store.getItem(SAVED_FILTERS_KEY);
    if (!raw) return [];
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v)) return [];
    return v.filter(
      (x): x is SavedFilter => !!x && typeof x === 'object' && typeof (x as SavedFilter).name === 'string' && typeof (x as SavedFilter).filters === 'object' && (x as SavedFilter).filters !== null,
    );
  } catch {
    return [];
  }
}

function write(list: SavedFilter[], store: Storage | null) {
  try {
    store?.setItem(SAVED_FILTERS_KEY, JSON.stringify(list));
  } catch {
    /* quota or private mode */
  }
}

/** Save (or replace by name); returns the new list. Empty fields are dropped. */
export function saveFilter(name: string, filters: QueueFilters, store: Storage | null = storage()): SavedFilter[] {
  const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== '' && v !== false)) as QueueFilters;
  const n = name.trim();
  if (!n) return loadSavedFilters(store);
  const list = loadSavedFilters(store).filter((s) => s.name !== n);
  list.push({ name: n, filters: clean });
  list.sort((a, b) => a.name.localeCompare(b.name));
  write(list, store);
  return list;
}

export function deleteSavedFilter(name: string, store: Storage | null = storage()): SavedFilter[] {
  const list = loadSavedFilters(store).filter((s) => s.name !== name);
  write(list, store);
  return list;
}
