// What the first page needs, asked for at start-up, all at once, before React renders: without this the requests
// come one after the other (the page's chunk only once `me` is in, the queue's rows only once the chunk is in).
// - the login page: the console's config (its dev logins);
// - every other page: `me` (MeProvider's query);
// - the queue (`/`, `/queue`): its first page of rows, for the queue the user had last time (lib/queueHint.ts)
//   with this tab's filters, exactly as the page will ask for it (lib/early.ts gives the page this answer).
// The page's chunk is loaded by routes.ts's preloadRoute (in a build, index.html's preload script has started it already).
import type { Client } from '@urql/core';
import { MeDoc } from './meDoc';
import { PAGE_SIZE, toVariables } from './filters';
import { rememberedQueueKinds } from './queueHint';
import { pickQueueKind } from './roles';
import { sendEarly } from './early';
import { prefetchConfig } from './api';
import { loadSessionFilters } from '../pages/queue/session';
import { TaskInboxDoc, TicketQueueDoc } from '../pages/queue/docs';

/** The console's path without its base: `/queue`, `/reports/…`, `/` (the queue). */
export function consolePath(pathname: string): string {
  return pathname.replace(/^\/console(?=\/|$)/, '') || '/';
}

export function isQueuePath(path: string): boolean {
  return path === '/' || path === '/queue' || path === '/queue/';
}

export function prefetchFirstPage(client: Client, loc: { pathname: string; search: string } = window.location): void {
  const path = consolePath(loc.pathname);
  if (path === '/login' || path.startsWith('/login/')) {
    prefetchConfig();
    return;
  }
  sendEarly(client, MeDoc, {});
  if (!isQueuePath(path)) return;
  const kinds = rememberedQueueKinds();
  if (!kinds?.length) return;
  // `/` redirects to `/queue` without its query string.
  const kind = pickQueueKind(kinds, path === '/' ? null : new URLSearchParams(loc.search).get('q'));
  const vars = toVariables(kind, loadSessionFilters(kind), null, PAGE_SIZE);
  if (kind === 'ticketQueue') sendEarly(client, TicketQueueDoc, vars);
  else sendEarly(client, TaskInboxDoc, vars);
}
