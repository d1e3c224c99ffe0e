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

const conn = (nodes: unknown[], hasNextPage = false) => ({ pageInfo: { hasNextPage, endCursor: hasNextPage ? 'c1' : null }, nodes });

const pkg = (id: string, title: string, status: string) => ({
  id, title, description: '', merchant: { id: 'mch_1', name: '便民超市', address: '幸福路 1 号' }, costPoints: 10, totalStock: 5, remainingStock: 4,
  perPersonLimit: 1, eligibleRoles: ['NEIGHBOUR_HEAD'], validFrom: '2026-12-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z', status,
});
const redemption = (id: string, packageId: string, status: string) => ({
  id, status, points: 10, packageId, createdAt: '2026-12-01T00:00:00Z', expiresAt: '2026-12-04T00:00:00Z', usedAt: null, endedAt: null,
});

const hook = (id: string, status: string, failures: number, lastError: string | null = null) => ({
  id, scopeId: 'com_1', url: `https://wo.example.com/${id}`, events: ['REPORT_ACTED', 'REPORT_SUBMITTED'], status, failures,
  nextAttemptAt: '2026-12-01T00:10:00Z', lastError, createdAt: '2026-12-01T00:00:00Z', previousSecretValidUntil: null,
});

/** The operations the mock answered, by name, with their variables. */
const asked: { name: string; variables: Record<string, unknown> }[] = [];

function answer(op: Operation): Record<string, unknown> | null {
  const name = op.query.definitions.map((d) => (d.kind === 'OperationDefinition' && d.name ? d.name.value : '')).join('');
  asked.push({ name, variables: (op.variables ?? {}) as Record<string, unknown> });
  switch (name) {
    case 'IncMerchants':
      return { merchants: conn([{ id: 'mch_1', name: '便民超市', address: '幸福路 1 号' }], true) };
    case 'IncManagedPackages':
      return { managedPackages: conn([pkg('pkg_1', '理发券', 'ACTIVE'), pkg('pkg_2', '洗车券', 'DRAFT')]) };
    case 'IncPackageTitles':
      return { managedPackages: conn([{ id: 'pkg_1', title: '理发券' }]) };
    case 'IncIssuedRedemptions':
      return { issuedRedemptions: conn([redemption('red_1', 'pkg_1', 'ISSUED'), redemption('red_2', 'pkg_9', 'USED')]) };
    case 'ReportSupporters':
      return {
        report: {
          id: 'rpt_1',
          supporters: conn([
            { name: '赵**', isMe: false, at: '2026-12-01T01:00:00Z', merged: false },
            { name: '钱小二', isMe: true, at: '2026-12-01T02:00:00Z', merged: true },
          ]),
        },
      };
    case 'GridResidentSearch':
      return {
        residences: {
          nodes: [
            { id: 'res_1', unit: 1, room: '301', user: { id: 'usr_1', nickname: '张三' }, building: { id: 'bld_1', name: '1号楼', compound: { id: 'cpd_1', name: '幸福家园' } } },
            { id: 'res_2', unit: 2, room: '402', user: { id: 'usr_1', nickname: '张三' }, building: { id: 'bld_1', name: '1号楼', compound: { id: 'cpd_1', name: '幸福家园' } } },
          ],
        },
      };
    case 'IntWebhooks':
      return { webhooks: conn([hook('whk_1', 'ACTIVE', 0), hook('whk_2', 'PAUSED', 12, 'HTTP 500')]) };
    case 'IntCreateWebhook':
      return { createWebhook: { secret: 'whsec_shown-once', webhook: hook('whk_3', 'ACTIVE', 0) } };
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
  asked.length = 0;
});

const wait = (ms: number) => act(async () => {
  await new Promise((r) => setTimeout(r, ms));
});

async function clickTab(label: string) {
  const tab = [...document.querySelectorAll<HTMLElement>('.ant-tabs-tab-btn')].find((e) => e.textContent === label);
  expect(tab).toBeDefined();
  await act(async () => tab!.click());
  await wait(50);
}

/** Types into a React-controlled input (the native setter, then an input event). */
function type(input: HTMLInputElement, text: string) {
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  set.call(input, text);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

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

// Each test's first import of a page transforms much of antd: on a busy 2-core machine that alone can pass 5 s.
describe('admin pages render', { timeout: 30_000 }, () => {
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
  it('incentives lists the scope\'s merchants, packages and redemptions', async () => {
    const el = await render((await import('../incentives')).default);
    expect(el.querySelector('[data-testid="incentives-page"]')).not.toBeNull();
    expect(asked.find((a) => a.name === 'IncMerchants')?.variables).toMatchObject({ scopeId: 'com_1', first: 50, after: null });
    expect(el.querySelectorAll('[data-testid="merchant-row"]').length).toBe(1);
    expect(el.querySelector('[data-testid="merchant-more"]')).not.toBeNull();
    await clickTab('礼包');
    expect(asked.find((a) => a.name === 'IncManagedPackages')?.variables).toMatchObject({ scopeId: 'com_1', status: null });
    expect([...el.querySelectorAll('[data-testid="package-row"]')].map((r) => r.getAttribute('data-status'))).toEqual(['ACTIVE', 'DRAFT']);
    await clickTab('兑换核销');
    const rows = [...el.querySelectorAll('[data-testid="redemption-row"]')];
    expect(rows.map((r) => r.querySelector('[data-testid="redemption-package"]')?.textContent)).toEqual(['理发券', 'pkg_9']);
    expect(rows[0].querySelector('[data-testid="redemption-cancel"]')).not.toBeNull();
    expect(rows[1].querySelector('[data-testid="redemption-cancel"]')).toBeNull();
  });
  it('integrations: a scope\'s webhooks as they stand, one made with its secret shown once; keys for district admins only', async () => {
    const el = await render((await import('../integrations')).default);
    expect(asked.find((a) => a.name === 'IntWebhooks')?.variables).toMatchObject({ scopeId: 'com_1', first: 50, after: null });
    const rows = () => [...el.querySelectorAll('[data-testid="webhook-row"]')];
    expect(rows().map((r) => r.querySelector('[data-testid="webhook-status"]')?.getAttribute('data-status'))).toEqual(['ACTIVE', 'PAUSED']);
    expect(rows()[0].textContent).toContain('新报事');
    expect(rows()[0].querySelector('[data-testid="webhook-resume"]')).toBeNull();
    expect(rows()[1].querySelector('[data-testid="webhook-resume"]')).not.toBeNull();
    expect(rows()[1].querySelector('[data-testid="webhook-error"]')?.textContent).toContain('HTTP 500');
    // A bad URL is refused in the form, without asking the server.
    const url = el.querySelector<HTMLInputElement>('[data-testid="webhook-url"]')!;
    await act(async () => type(url, 'wo.example.com/hook'));
    await act(async () => el.querySelector<HTMLButtonElement>('[data-testid="webhook-submit"]')!.click());
    await wait(100);
    expect(asked.some((a) => a.name === 'IntCreateWebhook')).toBe(false);
    await act(async () => type(url, 'https://wo.example.com/new'));
    await act(async () => el.querySelector<HTMLButtonElement>('[data-testid="webhook-submit"]')!.click());
    await wait(150);
    expect(asked.find((a) => a.name === 'IntCreateWebhook')?.variables).toEqual({ scopeId: 'com_1', url: 'https://wo.example.com/new', events: ['REPORT_SUBMITTED', 'REPORT_ACTED'] });
    expect(document.querySelector('[data-testid="secret-value"]')?.textContent).toContain('whsec_shown-once');
    expect(rows().length).toBe(3);
    await clickTab('API 密钥');
    expect(el.querySelector('[data-testid="keys-only"]')).not.toBeNull();
    expect(asked.some((a) => a.name === 'IntApiKeys')).toBe(false);
  });
  it('report supporters: names as given, me marked, the hidden ones counted', async () => {
    const Supporters = (await import('../report/Supporters')).default;
    const el = await render(() => <Supporters id="rpt_1" count={3} />);
    expect(asked.find((a) => a.name === 'ReportSupporters')?.variables).toMatchObject({ id: 'rpt_1', first: 20, after: null });
    const tags = [...el.querySelectorAll('[data-testid="report-supporter"]')];
    expect(tags.map((x) => x.textContent)).toEqual(['赵**', '钱小二 (我)重复报事合并']);
    expect(tags[1].getAttribute('data-me')).toBe('true');
    expect(el.querySelector('[data-testid="report-supporters-hidden"]')?.textContent).toContain('1');
  });
  it('no supporters: no query', async () => {
    const Supporters = (await import('../report/Supporters')).default;
    const el = await render(() => <Supporters id="rpt_1" count={0} />);
    expect(asked.some((a) => a.name === 'ReportSupporters')).toBe(false);
    expect(el.querySelector('[data-testid="report-supporter-list"]')).toBeNull();
  });
  it('resident picker: lists on open, searches once the typing pauses, one option per person', async () => {
    const Picker = (await import('./ResidentPicker')).default;
    const el = await render(() => <Picker communityId="com_1" />);
    const selector = el.querySelector<HTMLElement>('.ant-select-selector')!;
    await act(async () => {
      selector.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    });
    await wait(50);
    const searches = () => asked.filter((a) => a.name === 'GridResidentSearch');
    expect(searches().map((a) => a.variables)).toEqual([{ scopeId: 'com_1', q: null, first: 20 }]);
    const input = el.querySelector<HTMLInputElement>('input[type="search"]')!;
    await act(async () => type(input, '138 0013'));
    await act(async () => type(input, '138 0013 8000'));
    await wait(100);
    expect(searches()).toHaveLength(1);
    await wait(300);
    expect(searches().map((a) => a.variables.q)).toEqual([null, '13800138000']);
    const options = [...document.querySelectorAll('[data-testid="appoint-user-option"]')];
    expect(options.map((o) => o.getAttribute('data-id'))).toEqual(['usr_1']);
    expect(options[0].textContent).toContain('幸福家园 1号楼 2单元 402');
  });
});
