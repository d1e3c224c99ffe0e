// Smoke test of the admin pages: each renders in jsdom with a signed-in community admin, over a mock GraphQL
// client (Me answered; the page's own queries answered with canned data or a server error), without throwing.
import { act, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { MemoryRouter } from 'react-router';
import { Client, makeResult, type Exchange, type Operation } from '@urql/core';
import { Provider } from 'urql';
import { filter, map, pipe } from 'wonka';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MeProvider } from '../../lib/me';

const me = {
  me: {
    __typename: 'Me',
    id: 'usr_admin',
    nickname: '社区管理员',
    phone: null,
    roles: [{ __typename: 'Appointment', id: 'apt_1', role: 'COMMUNITY_ADMIN', active: true, scope: { __typename: 'Community', id: 'com_1', name: '幸福社区' } }],
  },
};

const conn = (nodes: unknown[]) => ({ pageInfo: { hasNextPage: false, endCursor: null }, nodes });

function answer(op: Operation): Record<string, unknown> | null {
  const name = op.query.definitions.map((d) => ('name' in d && d.name ? d.name.value : '')).join('');
  switch (name) {
    case 'Me':
      return me;
    case 'ModerationQueue':
      return { moderationQueue: conn([{ id: 'cmt_1', kind: 'COMMENT', reportId: 'rpt_1', text: '文字', moderation: 'REVIEW', at: '2026-12-01T00:00:00Z' }]) };
    case 'AuditLog':
      return {
        auditLog: conn([
          { seq: 1, at: '2026-12-01T00:00:00Z', actor: { id: 'usr_admin', nickname: 'A' }, actorRole: 'COMMUNITY_ADMIN', scopeKind: 'COMMUNITY', scopeId: 'com_1', action: 'UNIT_CREATED', objectKind: 'AREA', objectId: 'are_1', before: null, after: '{"name":"一片"}', reason: null, requestId: 'req', hash: 'abc' },
        ]),
      };
    case 'DashRanking':
      return {
        kpiRanking: {
          metric: 'MEDIAN_BUSINESS_HOURS_TO_RESOLVE', direction: 'LOWER_IS_BETTER', from: '2026-10-01', to: '2026-12-03', previousFrom: '2026-07-01', previousTo: '2026-09-30', minimumSample: 20,
          entries: [
            { id: 'cpd_1', name: 'A', sample: 30, value: 3.2, rank: 1, insufficientData: false, previousSample: 20, previousValue: 4, previousRank: 2, change: 1 },
            { id: 'cpd_2', name: 'B', sample: 3, value: null, rank: null, insufficientData: true, previousSample: 0, previousValue: null, previousRank: null, change: null },
          ],
        },
      };
    default:
      return null;
  }
}

const mockExchange: Exchange = () => (ops$) =>
  pipe(
    ops$,
    filter((op) => op.kind !== 'teardown'),
    map((op) => {
      const data = answer(op);
      return makeResult(op, data ? { data } : { data: null, errors: [{ message: '服务器说不行', extensions: { code: 'FORBIDDEN' } }] });
    }),
  );

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: vi.fn().mockImplementation((query: string) => ({ matches: false, media: query, onchange: null, addListener: vi.fn(), removeListener: vi.fn(), addEventListener: vi.fn(), removeEventListener: vi.fn(), dispatchEvent: vi.fn() })),
  });
  if (!('ResizeObserver' in window)) {
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }
});

let container: HTMLDivElement | null = null;
afterEach(() => {
  container?.remove();
  container = null;
});

async function render(Page: ComponentType): Promise<HTMLDivElement> {
  const client = new Client({ url: '/graphql', exchanges: [mockExchange] });
  container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => {
    root.render(
      <Provider value={client}>
        <MeProvider>
          <MemoryRouter>
            <Page />
          </MemoryRouter>
        </MeProvider>
      </Provider>,
    );
  });
  await act(async () => {
    await new Promise((r) => setTimeout(r, 50));
  });
  return container;
}

describe('admin pages render', () => {
  it('moderation lists the queue', async () => {
    const el = await render((await import('../moderation')).default);
    expect(el.querySelectorAll('[data-testid="moderation-row"]').length).toBe(1);
  });
  it('audit lists entries', async () => {
    const el = await render((await import('../audit')).default);
    expect(el.querySelectorAll('[data-testid="audit-row"]').length).toBe(1);
  });
  it('grid shows the tree', async () => {
    const el = await render((await import('./index')).default);
    expect(el.querySelector('[data-testid="grid-tree"]')).not.toBeNull();
    expect(el.textContent).toContain('幸福社区');
  });
  it('grid import shows the upload', async () => {
    const el = await render((await import('../grid-import')).default);
    expect(el.querySelector('input[type="file"][data-testid="import-file"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="import-apply"]')?.hasAttribute('disabled')).toBe(true);
  });
  it('dashboard shows the server error, the ranking and the export links', async () => {
    const el = await render((await import('../dashboard')).default);
    expect(el.querySelector('[data-testid="error"]')?.textContent).toContain('服务器说不行');
    expect(el.querySelectorAll('[data-testid="ranking-row"]').length).toBe(2);
    expect(el.querySelector('[data-testid="ranking-insufficient"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="export-csv"]')?.getAttribute('href')).toMatch(/^\/export\/reports\.csv\?scopeId=com_1&from=\d{4}-\d{2}-01&to=/);
  });
  it('incentives renders its tabs', async () => {
    const el = await render((await import('../incentives')).default);
    expect(el.querySelector('[data-testid="incentives-page"]')).not.toBeNull();
  });
});
