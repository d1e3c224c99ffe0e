// Report.supporters as the viewer may see them: a key for each (they have no id) and how many the viewer is not
// shown (everyone but heads, the company and admins sees only their own support).

export interface SupporterLike {
  name: string;
  isMe: boolean;
  at: string;
  merged: boolean;
}

/** A key for merging pages: the same support twice (a page boundary moved) is one. */
export function supporterKey(s: SupporterLike): string {
  return `${s.at}\u0000${s.name}\u0000${s.isMe ? 1 : 0}${s.merged ? 1 : 0}`;
}

/** How many supporters are counted but not listed to this viewer, once every page is loaded (0 while more pages remain). */
export function hiddenSupporters(count: number, listed: number, hasNext: boolean): number {
  return hasNext ? 0 : Math.max(0, count - listed);
}
