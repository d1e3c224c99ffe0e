// The incentives tabs' lists of a scope (merchants, managed packages, issued redemptions): their status filters,
// the merchant options of the package form and staff appointment, and the package titles of the redemptions.

export const PACKAGE_STATUSES = ['DRAFT', 'ACTIVE', 'ENDED'] as const;
export const REDEMPTION_STATUSES = ['ISSUED', 'USED', 'CANCELLED', 'EXPIRED'] as const;
/** The status filter's "all" choice (the query's `status: null`). */
export const ALL = 'ALL';

/** The `status` argument for a filter choice: null for all, or an unknown value. */
export function statusArg(choice: string, statuses: readonly string[]): string | null {
  return statuses.includes(choice) ? choice : null;
}

export interface MerchantLike {
  id: string;
  name: string;
  address?: string;
}

/** Select options "name (address)", one per merchant, in the order given; searchable by name and address. */
export function merchantOptions(list: readonly MerchantLike[], lang: 'zh' | 'en' = 'zh'): { value: string; label: string }[] {
  const seen = new Set<string>();
  const out: { value: string; label: string }[] = [];
  for (const m of list) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const label = m.address ? (lang === 'en' ? `${m.name} (${m.address})` : `${m.name}（${m.address}）`) : m.name;
    out.push({ value: m.id, label });
  }
  return out;
}

/** Package id → title, from the packages loaded (later lists win: they are fresher). */
export function packageTitles(...lists: readonly (readonly { id: string; title: string }[])[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lists) for (const p of l) m.set(p.id, p.title);
  return m;
}

/** A redemption's package: its title if loaded, else its id. */
export function packageLabel(titles: ReadonlyMap<string, string>, packageId: string): { text: string; known: boolean } {
  const title = titles.get(packageId);
  return title ? { text: title, known: true } : { text: packageId, known: false };
}

/** The scope to show: the one picked if it is still one of the admin's, else their first (none: undefined). */
export function currentScope(picked: string | undefined, scopes: readonly { scopeId: string }[]): string | undefined {
  if (picked && scopes.some((s) => s.scopeId === picked)) return picked;
  return scopes[0]?.scopeId;
}

/** The scope the merchants, packages, redemptions and statistics tabs share. */
export interface ScopeProps {
  scopeId: string | undefined;
  setScopeId: (id: string) => void;
}
