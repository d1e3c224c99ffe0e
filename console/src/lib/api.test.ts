import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { devLogin, getConfig, pollScan, startScan, uploadPhoto } from './api';
import { setLang } from './i18n';

type Call = { url: string; init: RequestInit };
let calls: Call[] = [];
function answer(status: number, body: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }),
  );
}
const header = (c: Call, name: string) => (c.init.headers as Record<string, string>)[name];

describe('console api', () => {
  beforeEach(() => {
    calls = [];
    setLang('en');
  });
  afterEach(() => vi.unstubAllGlobals());

  it('dev login sends the CSRF header, the language and the cookie', async () => {
    answer(200, { ok: true });
    expect(await devLogin('dev:staff')).toEqual({ ok: true });
    const c = calls[0];
    expect(c.url).toBe('/console/api/dev-login');
    expect(c.init.method).toBe('POST');
    expect(c.init.credentials).toBe('same-origin');
    expect(header(c, 'X-Linli-Console')).toBe('1');
    expect(header(c, 'Accept-Language')).toBe('en');
    expect(header(c, 'Content-Type')).toBe('application/json');
    expect(JSON.parse(c.init.body as string)).toEqual({ code: 'dev:staff' });
  });

  it('passes the server error through', async () => {
    answer(403, { ok: false, error: { code: 'FORBIDDEN', message: 'Dev logins are off' } });
    expect(await devLogin('dev:x')).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Dev logins are off' } });
  });

  it('a non-JSON failure becomes an HTTP error', async () => {
    answer(502, 'Bad gateway');
    const r = await startScan();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('HTTP_502');
  });

  it('config: production when unreachable or odd', async () => {
    answer(404, 'nope');
    expect(await getConfig()).toEqual({ mode: 'production', devLogins: [] });
    answer(200, { mode: 'dev', devLogins: [{ code: 'dev:head', label: '邻长' }] });
    expect(await getConfig()).toEqual({ mode: 'dev', devLogins: [{ code: 'dev:head', label: '邻长' }] });
  });

  it('scan start and poll', async () => {
    answer(200, { ok: true, scene: 'abc', expiresAt: '2026-01-01T00:00:00Z', imageUrl: '/console/api/scan/abc/code' });
    const s = await startScan();
    expect(s).toMatchObject({ ok: true, scene: 'abc' });
    answer(200, { ok: true, status: 'APPROVED' });
    expect(await pollScan('a/b')).toEqual({ ok: true, status: 'APPROVED' });
    expect(calls[1].url).toBe('/console/api/scan/a%2Fb');
  });

  it('upload: multipart, no JSON content type', async () => {
    answer(200, { ok: true, mediaId: 'pho_1' });
    const r = await uploadPhoto(new Blob(['x'], { type: 'image/png' }), 'a.png');
    expect(r).toMatchObject({ ok: true, mediaId: 'pho_1' });
    expect(calls[0].url).toBe('/upload');
    expect(calls[0].init.body).toBeInstanceOf(FormData);
    expect(header(calls[0], 'Content-Type')).toBeUndefined();
    expect(header(calls[0], 'X-Linli-Console')).toBe('1');
  });
});
