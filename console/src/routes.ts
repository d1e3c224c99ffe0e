// The pages' chunks, by route: App's lazy pages, and preloadRoute() for start-up (main.tsx), which starts loading the
// chunk of the page at hand alongside `me` instead of after it. (In a build, the preload script that vite.config.ts
// adds to index.html starts it even earlier, alongside the entry; it maps addresses to pages the same way.)
import type { ComponentType } from 'react';
import type { RouteKey } from './lib/roles';
import { consolePath, isQueuePath } from './lib/firstPage';

type PageModule = Promise<{ default: ComponentType }>;

export const loadLogin = (): PageModule => import('./pages/login');

export const loaders: Record<RouteKey, () => PageModule> = {
  queue: () => import('./pages/queue'),
  report: () => import('./pages/report'),
  overdue: () => import('./pages/overdue'),
  sessions: () => import('./pages/sessions'),
  dashboard: () => import('./pages/dashboard'),
  grid: () => import('./pages/grid'),
  'grid-import': () => import('./pages/grid-import'),
  moderation: () => import('./pages/moderation'),
  incentives: () => import('./pages/incentives'),
  audit: () => import('./pages/audit'),
  integrations: () => import('./pages/integrations'),
};

export const ROUTES: { path: string; key: RouteKey }[] = [
  { path: 'queue', key: 'queue' },
  { path: 'reports/:id', key: 'report' },
  { path: 'overdue', key: 'overdue' },
  { path: 'sessions', key: 'sessions' },
  { path: 'dashboard', key: 'dashboard' },
  { path: 'grid', key: 'grid' },
  { path: 'grid-import', key: 'grid-import' },
  { path: 'moderation', key: 'moderation' },
  { path: 'incentives', key: 'incentives' },
  { path: 'audit', key: 'audit' },
  { path: 'integrations', key: 'integrations' },
];

/** The loader of the page's chunk at this path (`/console/…`), if it is a page's. */
export function routeLoader(pathname: string): (() => PageModule) | null {
  const path = consolePath(pathname);
  if (isQueuePath(path)) return loaders.queue;
  const first = path.split('/')[1] ?? '';
  if (first === 'login') return loadLogin;
  const route = ROUTES.find((r) => r.path.split('/')[0] === first);
  return route ? loaders[route.key] : null;
}

/** Starts loading the chunk of the page at this path; a failure shows when the page renders. */
export function preloadRoute(pathname: string): void {
  void routeLoader(pathname)?.().catch(() => {});
}
