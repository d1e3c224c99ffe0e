// Finding the person to appoint: the search term sent to `residences(search)` and the picker's options (one per
// resident, with where they live).
import type { Lang } from '../../lib/i18n';

/** The server refuses a longer search. */
export const SEARCH_MAX_CHARS = 50;

const PHONE = /^\d{11}$/;

/** The typed text without spaces, hyphens and a +86 / 86 country prefix, if that leaves only digits. */
function phoneDigits(raw: string): string | null {
  const d = raw.replace(/[\s-]/g, '').replace(/^\+?86(?=\d{11}$)/, '');
  return /^\d+$/.test(d) ? d : null;
}

/**
 * The `search` for what the admin typed: trimmed, runs of spaces made one, at most 50 characters; a phone number
 * typed with spaces, hyphens or +86 becomes its 11 digits (the server matches a phone only whole). Empty: null
 * (no filter).
 */
export function searchTerm(raw: string): string | null {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const digits = phoneDigits(text);
  if (digits && PHONE.test(digits)) return digits;
  return [...text].slice(0, SEARCH_MAX_CHARS).join('');
}

/**
 * Whether the text looks like part of a phone number (digits only, 4 to 10 of them, or a wrong 11): the server
 * never matches part of a phone, so the picker says to type it whole.
 */
export function isPartialPhone(raw: string): boolean {
  const d = phoneDigits(raw.trim());
  return !!d && d.length >= 4 && !PHONE.test(d);
}

export interface ResidenceHit {
  id: string;
  unit: number;
  room: string;
  user: { id: string; nickname: string };
  building: { name: string; compound?: { name: string } | null };
}

/** Where a residence is: "幸福家园 1号楼 2单元 301" / "幸福家园 1号楼 unit 2 301". */
export function homeText(r: Pick<ResidenceHit, 'unit' | 'room' | 'building'>, lang: Lang): string {
  const unit = lang === 'en' ? `unit ${r.unit}` : `${r.unit}单元`;
  return [r.building.compound?.name, r.building.name, unit, r.room].filter(Boolean).join(' ');
}

export interface ResidentOption {
  /** The user's id: what `appoint` takes. */
  value: string;
  nickname: string;
  /** Their verified homes in the community, in the server's order. */
  homes: string[];
}

/** One option per user (someone with two flats shows once, with both), in the order the server gave. */
export function residentOptions(hits: readonly ResidenceHit[], lang: Lang): ResidentOption[] {
  const byUser = new Map<string, ResidentOption>();
  for (const h of hits) {
    const home = homeText(h, lang);
    const o = byUser.get(h.user.id);
    if (!o) byUser.set(h.user.id, { value: h.user.id, nickname: h.user.nickname, homes: [home] });
    else if (!o.homes.includes(home)) o.homes.push(home);
  }
  return [...byUser.values()];
}

/** The options with the chosen one kept (a new search must not blank the chosen person out). */
export function keepPicked(options: ResidentOption[], picked: ResidentOption | null): ResidentOption[] {
  if (!picked || options.some((o) => o.value === picked.value)) return options;
  return [picked, ...options];
}
