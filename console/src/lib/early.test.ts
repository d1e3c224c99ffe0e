import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeClient } from './client';
import { clearEarly, EARLY_MAX_AGE_MS, sendEarly } from './early';
import { MeDoc } from './me';
import { TicketQueueDoc } from '../pages/queue/docs';
import { consolePath, isQueuePath, prefetchFirstPage } from './firstPage';
import { rememberQueueKinds, forgetQueueKinds } from './queueHint';
import { PAGE_SIZE } from './filters';
import { getConfig } from './api';

type Call = { url: string; init: RequestInit };
let calls: Call[] = [];
const me = { me: { id: 'usr_1', nickname: '张三', phone: null, roles: [], __typename: 'User' } };

beforeEach(() => {
  calls = [];
  clearEarly();
  forgetQueueKinds();
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ data: me }), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('early requests', () => {
  it('are what urql sends, and the client takes their answer instead of asking again', async () => {
    const client = makeClient();
    sendEarly(client, MeDoc, {});
    expect(calls).toHaveLength(1);
    const res = await client.query(MeDoc, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(calls).toHaveLength(1);
    expect(res.data?.me.nickname).toBe('张三');
    // Taken once: the next request goes to the network, byte for byte the early one.
    await client.query(MeDoc, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(calls).toHaveLength(2);
    expect(calls[1].url).toBe(calls[0].url);
    expect(calls[1].init.body).toBe(calls[0].init.body);
    expect(calls[1].init.headers).toEqual(calls[0].init.headers);
    expect(JSON.parse(calls[0].init.body as string).query).toContain('__typename');
  });

  it('are not taken by another request, nor when stale', async () => {
    const client = makeClient();
    sendEarly(client, TicketQueueDoc, { first: 10 });
    await client.query(TicketQueueDoc, { first: 20 }, { requestPolicy: 'network-only' }).toPromise();
    expect(calls).toHaveLength(2);
    vi.useFakeTimers({ toFake: ['Date'] });
    sendEarly(client, MeDoc, {});
    vi.setSystemTime(Date.now() + EARLY_MAX_AGE_MS + 1);
    await client.query(MeDoc, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(calls).toHaveLength(4);
  });

  it('are sent again when they failed', async () => {
    const client = makeClient();
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new Error('offline'))));
    sendEarly(client, MeDoc, {});
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ data: me }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    const res = await client.query(MeDoc, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(res.error).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});

describe('first page', () => {
  const bodies = () => calls.map((c) => JSON.parse(c.init.body as string) as { operationName: string; variables: unknown });
  it('asks for the config on the login page, me elsewhere, and for the queue the user had', async () => {
    const client = makeClient();
    prefetchFirstPage(client, { pathname: '/console/login', search: '' });
    expect(calls.map((c) => c.url)).toEqual(['/console/api/config']);
    await getConfig(); // the login page's: the early answer
    expect(calls).toHaveLength(1);
    calls = [];
    prefetchFirstPage(client, { pathname: '/console/dashboard', search: '' });
    expect(bodies().map((b) => b.operationName)).toEqual(['Me']);
    clearEarly();
    calls = [];
    prefetchFirstPage(client, { pathname: '/console/queue', search: '' });
    expect(bodies().map((b) => b.operationName)).toEqual(['Me']);
    clearEarly();
    calls = [];
    rememberQueueKinds(['ticketQueue', 'taskInbox']);
    prefetchFirstPage(client, { pathname: '/console/queue', search: '?q=taskInbox' });
    expect(bodies()).toMatchObject([{ operationName: 'Me' }, { operationName: 'TaskInbox', variables: { first: PAGE_SIZE } }]);
    clearEarly();
    calls = [];
    prefetchFirstPage(client, { pathname: '/console/', search: '?q=taskInbox' });
    expect(bodies()).toMatchObject([{ operationName: 'Me' }, { operationName: 'TicketQueue', variables: { first: PAGE_SIZE } }]);
  });
  it('paths', () => {
    expect(consolePath('/console')).toBe('/');
    expect(consolePath('/console/')).toBe('/');
    expect(consolePath('/console/queue')).toBe('/queue');
    expect(consolePath('/consolex')).toBe('/consolex');
    expect(isQueuePath('/queue')).toBe(true);
    expect(isQueuePath('/reports/x')).toBe(false);
  });
});
