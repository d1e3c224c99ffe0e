// Scan-to-login (扫码登录) in a real browser: `node scan.mjs <path/to/linli> [screenshot-dir]`.
//
// The script runs everything itself: a fake WeChat (api.weixin.qq.com's stable_token and getwxacodeunlimit, quirks
// included: the image itself on success, JSON with an errcode on failure, the access token in the query string
// only) on a random port in this process; the server (`serve --demo`, dev mode, SQLite in a temporary folder) on
// 127.0.0.1:$CONSOLE_SCAN_PORT (default 18124; e2e.mjs uses 18123) with WECHAT_API_BASE pointing at the fake; and
// Debian's chromium through playwright-core. Exits non-zero on the first failure, saying which step.
//
// 1. The login page shows the fake's mini-program code, drawn for the scene the page was given.
// 2. A resident (no role) "scans" another page's code: FORBIDDEN NO_CONSOLE_ROLE, that page stays on the login.
// 3. Nobody without the page's secret cookie can collect its session, before or after the approval.
// 4. The community admin approves from the "mini-program" (GraphQL with their own bearer token); the page,
//    polling, moves on by itself into the console as that user, with an HttpOnly, SameSite=Strict session cookie.
// 5. A scene is approved once (a second approval is a CONFLICT); a WeChat error is never shown as an image.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const bin = process.argv[2];
if (!bin) {
  console.error('usage: node scan.mjs <path/to/linli> [screenshot-dir]');
  process.exit(2);
}
const shots = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'linli-scan-shots-'));
fs.mkdirSync(shots, { recursive: true });
const port = Number(process.env.CONSOLE_SCAN_PORT ?? 18124);
const base = `http://127.0.0.1:${port}`;
const APPID = 'wx-test';
const SECRET = 'test-secret';
const LOGIN_PAGE = 'pages/console-login/index';

let step = 'start';
const fail = (msg) => { throw new Error(`${step}: ${msg}`); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// The fake WeChat.

/** A PNG of a `size`×`size` grey image drawn by `dark(x, y)` (what the fake answers for every code). */
function png(size, dark) {
  const raw = Buffer.alloc((size + 1) * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw[y * (size + 1) + 1 + x] = dark(x, y) ? 0x10 : 0xff;
  const crcTable = [...Array(256)].map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
/** Something that looks like a code: three finder squares and a pseudo-random pattern, 25 modules of 8 px. */
const CODE_SIZE = 200;
const CODE_PNG = png(CODE_SIZE, (x, y) => {
  const mx = Math.floor(x / 8), my = Math.floor(y / 8);
  const finder = (ox, oy) => {
    const dx = mx - ox, dy = my - oy;
    if (dx < 0 || dy < 0 || dx > 6 || dy > 6) return null;
    return dx === 0 || dy === 0 || dx === 6 || dy === 6 || (dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4);
  };
  const f = finder(0, 0) ?? finder(18, 0) ?? finder(0, 18);
  if (f !== null) return f;
  if (mx <= 7 && my <= 7 || mx >= 17 && my <= 7 || mx <= 7 && my >= 17) return false;
  return ((mx * 7919 + my * 104729) ^ (mx * my)) % 3 === 0;
});

/** The pages of the released mini-program (with check_path, any other page is 41030). */
const RELEASED_PAGES = ['pages/index/index', LOGIN_PAGE];
const SCENE_CHARS = "!#$&'()*+,/:;=?@-._~";

const fake = {
  token: '',
  tokensIssued: 0,
  /** Every getwxacodeunlimit that drew an image: { scene, page, env_version, check_path, width }. */
  codes: [],
  /** Every call: { method, path, errcode? }. */
  calls: [],
  /** Calls to anything this flow should not need. */
  unexpected: [],
  /** errcodes the next getwxacodeunlimit calls answer, in order. */
  script: [],
};
const err = (errcode, msg) => ({ errcode, errmsg: `${msg}, rid: 668f2aa4-51c08c03-3d141241` });

async function fakeHandler(req, res) {
  const url = new URL(req.url, 'http://fake');
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('utf8');
  const call = { method: req.method, path: url.pathname };
  fake.calls.push(call);
  // Errors are HTTP 200 with an errcode; the token endpoints answer JSON as text/plain.
  const json = (v, type = 'application/json; encoding=utf-8') => {
    if (v.errcode) call.errcode = v.errcode;
    res.writeHead(200, { 'content-type': type });
    res.end(JSON.stringify(v));
  };
  const parse = () => { try { return JSON.parse(raw); } catch { return undefined; } };

  if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
    const b = parse() ?? {};
    if (b.appid !== APPID) return json(err(40013, 'invalid appid'), 'text/plain');
    if (b.secret !== SECRET) return json(err(40125, 'invalid appsecret'), 'text/plain');
    if (b.grant_type !== 'client_credential') return json(err(40002, 'invalid grant_type'), 'text/plain');
    // Normal mode: the same token while it is valid; force_refresh rotates it. Success has no errcode at all.
    if (!fake.token || b.force_refresh === true) {
      fake.token = `T${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      fake.tokensIssued++;
    }
    return json({ access_token: fake.token, expires_in: 7200 }, 'text/plain');
  }
  if (url.pathname === '/cgi-bin/token') {
    // The old endpoint invalidates every earlier token: the server must not use it (it uses stable_token).
    fake.unexpected.push(`${req.method} ${url.pathname} (the replica-unsafe token endpoint)`);
    return json(err(40164, 'invalid ip, not in whitelist'), 'text/plain');
  }
  if (req.method === 'POST' && url.pathname === '/wxa/getwxacodeunlimit') {
    if (fake.script.length) return json(err(fake.script.shift(), 'scripted error'));
    const b = parse();
    if (!b || typeof b !== 'object' || Array.isArray(b)) return json(err(47001, 'data format error'));
    if ('access_token' in b) return json(err(47001, 'data format error'));
    const token = url.searchParams.get('access_token');
    if (!token) return json(err(41001, 'access_token missing'));
    if (!fake.token || token !== fake.token) return json(err(40001, 'invalid credential, access_token is invalid or not latest'));
    const scene = b.scene;
    if (typeof scene !== 'string' || !scene || [...scene].length > 32 || ![...scene].every((c) => /[0-9A-Za-z]/.test(c) || SCENE_CHARS.includes(c))) {
      return json(err(40097, 'invalid args: scene'));
    }
    const page = b.page ?? 'pages/index/index';
    if (typeof page !== 'string' || page.startsWith('/') || page.includes('?')) return json(err(41030, 'invalid page'));
    const checkPath = b.check_path ?? true;
    if (checkPath && !RELEASED_PAGES.includes(page)) return json(err(41030, 'invalid page'));
    const width = b.width ?? 430;
    if (typeof width !== 'number' || width < 280 || width > 1280) return json(err(40097, 'invalid args: width'));
    const env = b.env_version ?? 'release';
    if (!['release', 'trial', 'develop'].includes(env)) return json(err(40097, 'invalid args: env_version'));
    fake.codes.push({ scene, page, env_version: env, check_path: checkPath, width });
    // Success is the image itself: no JSON, no errcode.
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': CODE_PNG.length });
    return res.end(CODE_PNG);
  }
  fake.unexpected.push(`${req.method} ${url.pathname}`);
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(err(40066, 'invalid url')));
}

const fakeServer = http.createServer((req, res) => {
  fakeHandler(req, res).catch((e) => { res.writeHead(500); res.end(String(e)); });
});
await new Promise((r) => fakeServer.listen(0, '127.0.0.1', r));
const fakeBase = `http://127.0.0.1:${fakeServer.address().port}`;

// ---------------------------------------------------------------------------------------------------------------
// The server.

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-scan-'));
const logPath = path.join(work, 'server.log');
let server = null;
let serverExit = null;

async function portFree(p) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function startServer() {
  if (!(await portFree(port))) fail(`127.0.0.1:${port} is already taken (set CONSOLE_SCAN_PORT)`);
  const env = { ...process.env };
  // Nothing of the caller's own configuration: this server is the test's.
  for (const k of Object.keys(env)) if (/^(LINLI_|WECHAT_|DATABASE_|REDIS_|AWS_)/.test(k)) delete env[k];
  Object.assign(env, {
    LINLI_LISTEN: `127.0.0.1:${port}`,
    LINLI_RATE_LIMITS: 'off',
    LINLI_MODE: 'dev',
    // No background jobs and no content check: this flow calls WeChat for the token and the code only.
    LINLI_JOBS: 'off',
    LINLI_CONTENT_CHECK: 'off',
    LINLI_SHUTDOWN_GRACE_SECS: '2',
    WECHAT_API_BASE: fakeBase,
    WECHAT_APPID: APPID,
    WECHAT_SECRET: SECRET,
    WECHAT_TIMEOUT_MS: '3000',
  });
  const log = fs.openSync(logPath, 'w');
  server = spawn(bin, ['serve', '--demo'], { cwd: work, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  server.on('exit', (code, signal) => { serverExit = { code, signal }; });
  server.on('error', (e) => { serverExit = { error: e.message }; });
  for (let i = 0; i < 120; i++) {
    if (serverExit) fail(`the server exited at start-up: ${JSON.stringify(serverExit)}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await sleep(500);
  }
  fail(`the server did not answer ${base}/healthz within 60 s`);
}

async function stopServer() {
  if (!server || serverExit) return;
  server.kill('SIGTERM');
  for (let i = 0; i < 50 && !serverExit; i++) await sleep(100);
  if (!serverExit) server.kill('SIGKILL');
  for (let i = 0; i < 20 && !serverExit; i++) await sleep(100);
}
// Whatever happens, the server does not outlive this script.
process.on('exit', () => { if (server && !serverExit) try { server.kill('SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { process.exit(130); });

// ---------------------------------------------------------------------------------------------------------------
// The mini-program's side: GraphQL with its own bearer token.

async function gqlRaw(token, query, variables = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return r.json();
}
async function gql(token, query, variables = {}) {
  const body = await gqlRaw(token, query, variables);
  if (body.errors?.length) fail(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}
const miniProgramToken = async (code) =>
  (await gql(null, 'mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }', { c: code })).loginWithWechat.accessToken;
const APPROVE = 'mutation($s: String!) { approveConsoleLogin(scene: $s) }';

// ---------------------------------------------------------------------------------------------------------------
// The browser.

let browser = null;
const contexts = [];
async function newPage(name) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[${name} page error] ${e.message}`));
  // Every poll of a scene and what it answered.
  page.polls = [];
  page.on('response', async (r) => {
    const m = new URL(r.url()).pathname.match(/^\/console\/api\/scan\/([^/]+)$/);
    if (!m) return;
    const poll = { scene: decodeURIComponent(m[1]), http: r.status(), status: null, setsSession: false };
    page.polls.push(poll);
    try { poll.setsSession = /(^|\n)linli_console=[^;]/.test((await r.headerValue('set-cookie')) ?? ''); } catch { /* gone */ }
    try { poll.status = (await r.json()).status ?? null; } catch { /* the navigation that follows may drop the body */ }
  });
  return page;
}
const shot = async (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

/** Opens the console logged out: it must land on the login page and show a loaded scan code. Returns the scene. */
async function loginPageWithCode(page, name) {
  const drawn = fake.codes.length;
  await page.goto(`${base}/console/`);
  await page.waitForURL(/\/console\/login/, { timeout: 15000 }).catch(() => fail(`${name}: /console/ did not go to the login page (at ${page.url()})`));
  await page.getByTestId('scan-login').waitFor({ timeout: 15000 });
  const img = page.getByTestId('scan-image');
  await img.waitFor({ timeout: 15000 }).catch(async () => {
    await shot(page, `fail-${name}-no-code`);
    fail(`${name}: the login page shows no scan code: ${(await page.getByTestId('scan-login').innerText()).slice(0, 300)}`);
  });
  await page.waitForFunction((el) => el.complete, await img.elementHandle(), { timeout: 15000 });
  const { src, naturalWidth, naturalHeight } = await img.evaluate((el) => ({ src: el.getAttribute('src'), naturalWidth: el.naturalWidth, naturalHeight: el.naturalHeight }));
  if (!(naturalWidth > 0)) fail(`${name}: the scan code did not load as an image (naturalWidth ${naturalWidth}, src ${src})`);
  if (naturalWidth !== CODE_SIZE || naturalHeight !== CODE_SIZE) fail(`${name}: the scan code is ${naturalWidth}×${naturalHeight}, not the fake's ${CODE_SIZE}×${CODE_SIZE} PNG`);
  const m = src.match(/^\/console\/api\/scan\/([^/]+)\/code$/);
  if (!m) fail(`${name}: unexpected image URL ${src}`);
  const scene = decodeURIComponent(m[1]);
  const asked = fake.codes.slice(drawn);
  if (asked.length !== 1 || asked[0].scene !== scene) fail(`${name}: WeChat was asked for ${JSON.stringify(asked)}, the page shows ${scene}`);
  if (asked[0].page !== LOGIN_PAGE || asked[0].env_version !== 'release' || asked[0].check_path !== true) {
    fail(`${name}: the code was drawn for ${JSON.stringify(asked[0])}, not the released ${LOGIN_PAGE}`);
  }
  if (!/^[A-Za-z0-9]{1,32}$/.test(scene)) fail(`${name}: the scene ${scene} is not letters and digits (≤ 32)`);
  const status = await page.getByTestId('scan-status').innerText();
  if (!status.includes('等待扫码确认')) fail(`${name}: the page says "${status}", not that it waits for the scan`);
  return scene;
}

/** A poll of `scene` from `ctx` (the browser's fetch in one of its pages, with whatever cookies that page has). */
async function pollFrom(page, scene) {
  return page.evaluate(async (s) => {
    const r = await fetch(`/console/api/scan/${encodeURIComponent(s)}`, { credentials: 'same-origin' });
    return { http: r.status, body: await r.text() };
  }, scene);
}
const sessionCookie = async (ctx) => (await ctx.cookies(base)).find((c) => c.name === 'linli_console');

const summary = [];
try {
  step = 'fake WeChat';
  // The fake keeps WeChat's quirks: errors as JSON with an errcode (HTTP 200), the token in the query only.
  const post = (p, body) => fetch(`${fakeBase}${p}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const tok = await (await post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: false })).json();
  if (!tok.access_token || 'errcode' in tok) fail(`stable_token answered ${JSON.stringify(tok)}`);
  const quirk = async (q, body, want) => {
    const r = await post(`/wxa/getwxacodeunlimit${q}`, body);
    const b = await r.json().catch(() => null);
    if (r.status !== 200 || b?.errcode !== want) fail(`getwxacodeunlimit${q} ${JSON.stringify(body)} answered ${r.status} ${JSON.stringify(b)}, not errcode ${want}`);
  };
  await quirk(`?access_token=${tok.access_token}`, { page: LOGIN_PAGE }, 40097);
  await quirk(`?access_token=${tok.access_token}`, { scene: 'a%20b', page: LOGIN_PAGE }, 40097);
  await quirk(`?access_token=${tok.access_token}`, { scene: 'x'.repeat(33), page: LOGIN_PAGE }, 40097);
  await quirk(`?access_token=${tok.access_token}`, { scene: 'abc', page: 'pages/nope/index' }, 41030);
  await quirk(`?access_token=${tok.access_token}`, 'scene=abc', 47001);
  await quirk('', { scene: 'abc', access_token: tok.access_token }, 47001);
  await quirk('?access_token=stale', { scene: 'abc' }, 40001);
  fake.calls.length = 0;

  step = 'server';
  await startServer();
  const cfg = await (await fetch(`${base}/console/api/config`)).json();
  if (cfg.mode !== 'dev') fail(`the server is in ${cfg.mode} mode`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

  // 1. The login page shows the fake's code.
  step = 'scan code';
  const a = await newPage('A');
  const sceneA = await loginPageWithCode(a, 'A');
  if (fake.calls.filter((c) => c.path === '/cgi-bin/stable_token').length !== 1) fail(`the server fetched ${fake.calls.filter((c) => c.path === '/cgi-bin/stable_token').length} access tokens`);
  const scanCookie = (await a.context().cookies(`${base}/console/api/scan/x`)).find((c) => c.name === 'linli_console_scan');
  if (!scanCookie || !scanCookie.httpOnly || scanCookie.sameSite !== 'Strict' || scanCookie.path !== '/console/api/scan') {
    fail(`the page's secret cookie is ${JSON.stringify(scanCookie)}`);
  }
  if (await a.evaluate(() => document.cookie.includes('linli_console'))) fail('a script can read a console cookie');
  await shot(a, 'scan-01-code');
  summary.push(`login page shows the fake's ${CODE_SIZE}×${CODE_SIZE} PNG for scene ${sceneA}`);

  // It polls while nobody has scanned.
  for (let i = 0; i < 50 && !a.polls.some((p) => p.scene === sceneA); i++) await sleep(100);
  const firstPoll = a.polls.find((p) => p.scene === sceneA);
  if (!firstPoll || firstPoll.http !== 200 || firstPoll.status !== 'PENDING') fail(`the page's first poll: ${JSON.stringify(firstPoll)}`);

  // 2. A resident has no console: approving another page's fresh code is FORBIDDEN and that page stays put.
  step = 'resident scan';
  const b = await newPage('B');
  const sceneB = await loginPageWithCode(b, 'B');
  if (sceneB === sceneA) fail('two pages got the same scene');
  const resident = await miniProgramToken('dev:resident');
  const refused = await gqlRaw(resident, APPROVE, { s: sceneB });
  const ext = refused.errors?.[0]?.extensions ?? {};
  if (refused.data?.approveConsoleLogin || ext.code !== 'FORBIDDEN' || ext.reason !== 'NO_CONSOLE_ROLE') {
    fail(`the resident's approval answered ${JSON.stringify(refused)}`);
  }
  const pollsB = b.polls.length;
  await sleep(4500);
  if (!/\/console\/login/.test(b.url())) fail(`after the resident's scan the page went to ${b.url()}`);
  if (b.polls.length <= pollsB) fail('the page stopped polling');
  if (b.polls.some((p) => p.status !== 'PENDING')) fail(`the page's polls answered ${JSON.stringify(b.polls)}`);
  if (!(await b.getByTestId('scan-status').innerText()).includes('等待扫码确认')) fail('the page no longer waits for its scan');
  if (await sessionCookie(b.context())) fail('the page got a session cookie');
  await shot(b, 'scan-02-resident-refused');
  summary.push(`dev:resident approving ${sceneB}: FORBIDDEN NO_CONSOLE_ROLE; that page stayed on the login (${b.polls.length} polls, all PENDING)`);

  // 3. Without the page's secret, nobody collects its session: a fresh context (no cookie at all), and page B
  //    (its own secret, not A's).
  step = 'stolen scene';
  const c = await newPage('C');
  await c.goto(`${base}/console/api/config`);
  const stealers = [['a fresh context', c], ["another login page's context", b]];
  const steal = async (when) => {
    for (const [who, p] of stealers) {
      const r = await pollFrom(p, sceneA);
      if (r.http < 400 || /APPROVED|PENDING/.test(r.body)) fail(`${when}, ${who} polling A's scene got ${r.http} ${r.body}`);
      const viaApi = await p.context().request.get(`${base}/console/api/scan/${sceneA}`);
      const setCookie = viaApi.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
      if (viaApi.status() < 400 || setCookie.some((v) => v.startsWith('linli_console='))) {
        fail(`${when}, ${who} polling A's scene got ${viaApi.status()} with cookies ${JSON.stringify(setCookie)}`);
      }
      if (await sessionCookie(p.context())) fail(`${when}, ${who} holds a session cookie`);
    }
  };
  await steal('before the approval');

  // 4. The community admin scans A's code in the mini-program and approves it.
  step = 'approve';
  const admin = await miniProgramToken('dev:community-admin');
  const me = (await gql(admin, '{ me { id nickname } }')).me;
  const approved = await gqlRaw(admin, APPROVE, { s: sceneA });
  if (approved.data?.approveConsoleLogin !== true) fail(`approveConsoleLogin answered ${JSON.stringify(approved)}`);
  const approvedAt = Date.now();
  // Right after the approval (before the page's next poll, most likely), the scene alone still gives nothing.
  await steal('right after the approval');

  step = 'page moves on';
  // From /console/ the login page is /console/login?next=… and, once in, the app's home is the queue.
  const loginUrl = a.url();
  await a.waitForURL(/\/console\/(?!login)./, { timeout: 10000 }).catch(async () => {
    await shot(a, 'fail-scan-no-move');
    fail(`the page did not leave the login after the approval (polls: ${JSON.stringify(a.polls.slice(-3))})`);
  });
  const movedIn = Date.now() - approvedAt;
  await a.waitForURL(/\/console\/queue/, { timeout: 10000 }).catch(() => fail(`from ${loginUrl} the page went to ${a.url()}, not the queue`));
  const shown = a.getByTestId('user-name');
  await shown.waitFor({ timeout: 15000 }).catch(() => fail('the console shows no user'));
  await a.waitForFunction((n) => document.querySelector('[data-testid="user-name"]')?.textContent === n, me.nickname, { timeout: 10000 })
    .catch(async () => fail(`the console shows "${await shown.innerText()}", not ${me.nickname}`));
  // The poll that answered APPROVED set the session (its body may be lost to the navigation it caused).
  const delivering = a.polls.filter((p) => p.scene === sceneA && p.setsSession);
  if (delivering.length !== 1 || delivering[0].http !== 200 || !['APPROVED', null].includes(delivering[0].status)) {
    fail(`the polls of the page: ${JSON.stringify(a.polls)}`);
  }
  if (a.polls.some((p) => p.status && p.status !== 'PENDING' && p.status !== 'APPROVED')) fail(`the polls of the page: ${JSON.stringify(a.polls)}`);
  const session = await sessionCookie(a.context());
  if (!session) fail('the browser holds no linli_console cookie');
  if (!session.httpOnly || session.sameSite !== 'Strict' || session.path !== '/') fail(`the session cookie is ${JSON.stringify({ ...session, value: '…' })}`);
  if (session.secure) fail('the session cookie is Secure in dev mode over http: the browser would not send it');
  if ((await a.context().cookies(`${base}/console/api/scan/x`)).some((x) => x.name === 'linli_console_scan')) fail('the page still holds its scan secret');
  const sessions = await a.evaluate(async () => {
    const r = await fetch('/graphql', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-linli-console': '1' },
      body: JSON.stringify({ query: '{ me { id } mySessions(first: 5) { nodes { via current } } }' }),
    });
    return r.json();
  });
  if (sessions.data?.me?.id !== me.id) fail(`the console session is ${JSON.stringify(sessions)}, not ${me.id}`);
  const current = sessions.data.mySessions.nodes.filter((n) => n.current);
  if (current.length !== 1 || current[0].via !== 'SCAN') fail(`the current session: ${JSON.stringify(sessions.data.mySessions)}`);
  await a.getByTestId('queue-row').first().waitFor({ timeout: 15000 }).catch(() => {});
  await shot(a, 'scan-03-console');
  summary.push(`dev:community-admin approved ${sceneA}; the page moved to /console/queue by itself in ${movedIn} ms as ${me.nickname}; `
    + `linli_console: HttpOnly, SameSite=Strict, Path=/; session via SCAN`);

  // 5. Once only, and never to anyone else.
  step = 'approve once';
  const again = await gqlRaw(admin, APPROVE, { s: sceneA });
  if (again.data?.approveConsoleLogin || again.errors?.[0]?.extensions?.code !== 'CONFLICT') fail(`a second approval answered ${JSON.stringify(again)}`);
  const unknown = await gqlRaw(admin, APPROVE, { s: 'NoSuchScene234567890abcd' });
  if (unknown.errors?.[0]?.extensions?.code !== 'NOT_FOUND') fail(`an unknown scene answered ${JSON.stringify(unknown)}`);
  await steal('after the page collected its session');
  const collected = await pollFrom(a, sceneA);
  if (collected.http < 400 && !collected.body.includes('EXPIRED')) fail(`polling a collected scene answered ${collected.http} ${collected.body}`);
  summary.push(`second approval: CONFLICT; unknown scene: NOT_FOUND; A's scene polled without its secret (fresh context, other page): ${
    (await pollFrom(c, sceneA)).http} and no session, before and after the approval`);

  // A WeChat error (here its per-minute limit) is JSON: the server must not pass it off as an image, and the page
  // must say so and offer a retry rather than a broken image under "waiting for the scan".
  step = 'WeChat error';
  fake.script.push(45009);
  const d = await newPage('D');
  const codeAnswer = d.waitForResponse((r) => /\/console\/api\/scan\/[^/]+\/code$/.test(new URL(r.url()).pathname), { timeout: 15000 });
  await d.goto(`${base}/console/login`);
  const r = await codeAnswer;
  const type = r.headers()['content-type'] ?? '';
  if (r.status() !== 503 || !type.startsWith('application/json')) fail(`a WeChat error was answered ${r.status()} ${type}`);
  const body = await r.json();
  if (body.error?.code !== 'UNAVAILABLE') fail(`a WeChat error was answered ${JSON.stringify(body)}`);
  const box = d.getByTestId('scan-login');
  await box.getByText('微信暂时无法生成小程序码').waitFor({ timeout: 10000 });
  if ((await d.getByTestId('scan-image').count()) !== 0) fail('the broken code image is still shown');
  const retry = box.getByRole('button');
  if ((await retry.count()) < 1) fail('no retry button after a WeChat error');
  let polls = 0;
  d.on('request', (q) => {
    if (/\/console\/api\/scan\/[^/]+$/.test(new URL(q.url()).pathname)) polls += 1;
  });
  await d.waitForTimeout(2500);
  if (polls !== 0) fail(`the page kept polling a code nobody can scan (${polls} polls)`);
  await shot(d, 'scan-04-wechat-error');
  // The retry draws a fresh code (the fake answers again).
  await retry.first().click();
  await d.getByTestId('scan-image').waitFor({ timeout: 10000 });
  const says = (await box.innerText()).replace(/\s+/g, ' ');
  summary.push(`WeChat 45009 on the code: the server answers 503 UNAVAILABLE JSON; the page says so with a retry, stops polling, and the retry shows a fresh code ("${says}")`);

  step = 'WeChat calls';
  if (fake.unexpected.length) fail(`the server called what this flow should not need: ${fake.unexpected.join('; ')}`);
  if (fake.tokensIssued !== 1) fail(`the fake issued ${fake.tokensIssued} access tokens`);
  const badCalls = fake.calls.filter((x) => x.errcode && x.errcode !== 45009);
  if (badCalls.length) fail(`WeChat refused calls of the server: ${JSON.stringify(badCalls)}`);
  summary.push(`fake WeChat: ${fake.calls.filter((x) => x.path === '/cgi-bin/stable_token').length} stable_token, `
    + `${fake.calls.filter((x) => x.path === '/wxa/getwxacodeunlimit').length} getwxacodeunlimit; scenes drawn: ${fake.codes.map((x) => x.scene).join(', ')}`);

  for (const ctx of contexts) await ctx.close();
  await browser.close();
  browser = null;
  await stopServer();
  fakeServer.close();
  console.log(`console scan-to-login: all passed\n  - ${summary.join('\n  - ')}\n  screenshots in ${shots}`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
} catch (e) {
  console.error(`console scan-to-login FAILED at ${e.message}`);
  if (browser) await browser.close().catch(() => {});
  await stopServer().catch(() => {});
  fakeServer.close();
  try {
    // The last lines, without the migrations and the dev tokens the demo prints at start-up.
    const log = fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => !/migration|Authorization: Bearer/.test(l)).slice(-40).join('\n');
    if (log.trim()) console.error(`-- server log (last lines, ${logPath}):\n${log}`);
  } catch { /* no log */ }
  process.exit(1);
}
