// Merchants this browser registered (the schema has no merchant list): kept in localStorage so the package form
// and the staff appointment can offer them.
export interface KnownMerchant {
  id: string;
  name: string;
  address: string;
}

export const MERCHANTS_KEY = 'linli.console.merchants';

export function loadMerchants(): KnownMerchant[] {
  try {
    const v: unknown = JSON.parse(globalThis.localStorage?.getItem(MERCHANTS_KEY) ?? '[]');
    return Array.isArray(v) ? (v as KnownMerchant[]).filter((m) => m && typeof m.id === 'string') : [];
  } catch {
    return [];
  }
}

/** Adds (or refreshes) a merchant, newest first, at most 50. */
export function rememberMerchant(list: KnownMerchant[], m: KnownMerchant): KnownMerchant[] {
  const next = [m, ...list.filter((x) => x.id !== m.id)].slice(0, 50);
  try {
    globalThis.localStorage?.setItem(MERCHANTS_KEY, JSON.stringify(next));
  } catch {
    /* private mode */
  }
  return next;
}
