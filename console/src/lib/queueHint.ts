// The signed-in user's queues as of their last visit, kept in localStorage, so that a later start-up can ask for the
// queue's first page at once instead of after `me` (lib/firstPage.ts). Only a hint: the page still picks its queue
// from `me`, and a wrong hint costs one unused request.
import type { QueueKind } from './filters';

const KEY = 'linli.console.queueKinds';
const KINDS: readonly QueueKind[] = ['ticketQueue', 'taskInbox'];

export function rememberQueueKinds(kinds: readonly QueueKind[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(kinds));
  } catch {
    /* ignore */
  }
}

export function rememberedQueueKinds(): QueueKind[] | null {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return Array.isArray(v) ? v.filter((k): k is QueueKind => KINDS.includes(k as QueueKind)) : null;
  } catch {
    return null;
  }
}

export function forgetQueueKinds(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* ignore */
  }
}
