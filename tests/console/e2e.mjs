// The console in a real browser (Debian's chromium driven by playwright-core) against a real server on the demo
// district: `node e2e.mjs <base-url> <screenshot-dir>`. Exits non-zero on the first failure, saying which step.
//
// 1. A neighbour head logs in from the dev picker, sees the queue, filters it, bulk-acknowledges then
//    bulk-dispatches three new reports and sees them move; the property staff then sees them in their queue.
// 2. The staff opens one and takes it through start and resolve (with a note) from the detail page.
// 3. The district admin's dashboard shows the demo's figures.
// 4. A resident sees no admin page, and the API refuses them anyway.
// 6. The district admin's Integrations page: a webhook to a local receiver (its secret shown once, a delivery
//    signed with it, the delivery log), its secret rotated and the webhook deleted; an API key made and revoked.
// 5. The first load of the queue on a 4G-like link (1.6 Mbit/s, 150 ms RTT): time to usable, and JS bytes shipped.
import { chromium } from 'playwright-core';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:18123';
const shots = process.argv[3] ?? fs.mkdtempSync('/tmp/linli-console-');
fs.mkdirSync(shots, { recursive: true });

let step = 'start';
const fail = (msg) => { throw new Error(`${step}: ${msg}`); };

/** A 64×48 PNG (an image the server's decoder takes). */
function photo() {
  const zlib = awaitZlib;
  const w = 64, h = 48;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([x * 4, y * 5, 128], y * (w * 3 + 1) + 1 + x * 3);
  const crcTable = [...Array(256)].map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const awaitZlib = await import('node:zlib');

/** A GraphQL call with a mini-program token (to make the reports the scenario works on). */
async function gql(token, query, variables = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) fail(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}
const token = async (name) =>
  (await gql(null, 'mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }', { c: `dev:${name}` })).loginWithWechat.accessToken;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const newPage = async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return page;
};
const shot = async (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

async function login(page, who) {
  await page.goto(`${base}/console/login`);
  await page.getByTestId(`dev-login-${who}`).click();
  await page.waitForURL(/\/console\/(?!login)/, { timeout: 15000 });
}

try {
  // The reports the scenario works on: three new ones from dev:head's stairwell.
  step = 'setup';
  const resident = await token('resident');
  const cats = (await gql(resident, '{ categories { id code } }')).categories;
  const drain = cats.find((c) => c.code === 'DRAIN').id;
  const ids = [];
  for (let i = 1; i <= 3; i++) {
    const d = await gql(resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }',
      { i: { categoryId: drain, description: `浏览器测试 ${i}：楼道下水道堵塞` } });
    ids.push(d.submitReport.id);
  }

  // 1. The head's queue: filter, bulk acknowledge, bulk dispatch.
  step = 'head queue';
  const head = await newPage();
  await login(head, 'head');
  await head.goto(`${base}/console/queue`);
  await head.getByTestId('queue-row').first().waitFor({ timeout: 15000 });
  await shot(head, '01-queue-head');
  const row = (id) => head.locator(`[data-testid="queue-row"][data-id="${id}"]`);
  for (const id of ids) await row(id).waitFor({ timeout: 10000 });
  // Filter by status: the three new reports are SUBMITTED.
  await head.getByTestId('filter-status').click();
  await head.locator('.ant-select-item-option', { hasText: '已提交' }).first().click();
  await head.keyboard.press('Escape');
  for (const id of ids) await row(id).waitFor({ timeout: 10000 });
  const statuses = await head.locator('[data-testid="queue-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.status));
  if (statuses.some((s) => s !== 'SUBMITTED')) fail(`the status filter let through ${statuses}`);
  await shot(head, '02-queue-filtered');
  const bulk = async (action, expect) => {
    for (const id of ids) await row(id).locator('input[type=checkbox]').check();
    await head.getByTestId(`bulk-${action}`).click();
    await head.getByTestId('bulk-confirm').waitFor();
    const note = head.getByTestId('bulk-note');
    if (await note.count()) await note.fill(`浏览器批量 ${action}`);
    await head.getByTestId('bulk-confirm').click();
    await head.waitForFunction(
      ([sel, want]) => [...document.querySelectorAll(sel)].every((r) => r.dataset.status === want),
      [ids.map((id) => `[data-testid="queue-row"][data-id="${id}"]`).join(','), expect],
      { timeout: 15000 },
    ).catch(async () => {
      await shot(head, `fail-bulk-${action}`);
      fail(`after bulk ${action} the rows are not ${expect}`);
    });
  };
  await head.getByTestId('filter-reset').click();
  await bulk('acknowledge', 'ACKNOWLEDGED');
  await bulk('dispatch', 'DISPATCHED');
  await shot(head, '03-queue-dispatched');
  // And the server agrees.
  const headToken = await token('head');
  for (const id of ids) {
    const r = await gql(headToken, 'query($id: ID!) { report(id: $id) { status } }', { id });
    if (r.report.status !== 'DISPATCHED') fail(`${id} is ${r.report.status} on the server`);
  }

  // 2. The staff's queue has them; the detail page takes one through start and resolve.
  step = 'staff detail';
  const staff = await newPage();
  await login(staff, 'staff');
  await staff.goto(`${base}/console/queue`);
  await staff.locator(`[data-testid="queue-row"][data-id="${ids[0]}"]`).waitFor({ timeout: 15000 });
  await shot(staff, '04-queue-staff');
  await staff.locator(`[data-testid="queue-row"][data-id="${ids[0]}"]`).click();
  await staff.getByTestId('report-page').waitFor({ timeout: 10000 });
  for (const [action, want] of [['START_WORK', 'IN_PROGRESS'], ['RESOLVE', 'RESOLVED']]) {
    await staff.getByTestId(`action-${action.toLowerCase()}`).click();
    await staff.getByTestId('action-confirm').waitFor();
    const note = staff.getByTestId('action-note');
    if (await note.count()) await note.fill(action === 'RESOLVE' ? '已疏通，恢复正常' : '师傅已出发');
    if (action === 'RESOLVE') {
      // The photo of the fixed drain, uploaded through the modal (the server checks its bytes, not its name).
      await staff.locator('.ant-modal input[type=file]').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photo() });
      await staff.locator('.ant-modal .ant-upload-list-item-done, .ant-modal .ant-upload-list-item:not(.ant-upload-list-item-uploading)').first().waitFor({ timeout: 15000 });
    }
    await staff.getByTestId('action-confirm').click();
    await staff.locator(`[data-testid="report-page"][data-status="${want}"]`).waitFor({ timeout: 15000 });
  }
  await staff.locator('[data-testid="photos-after"] img').first().waitFor({ timeout: 10000 })
    .catch(() => fail('the resolved report shows no "after" photo'));
  await shot(staff, '05-report-resolved');

  // 3. The dashboard shows the demo's figures.
  step = 'dashboard';
  const admin = await newPage();
  await login(admin, 'admin');
  await admin.goto(`${base}/console/dashboard`);
  await admin.getByTestId('dashboard-kpis').waitFor({ timeout: 20000 });
  await admin.waitForTimeout(1500);
  const text = await admin.getByTestId('dashboard-kpis').innerText();
  if (!/\d/.test(text)) fail(`no figures on the dashboard: ${text.slice(0, 200)}`);
  await shot(admin, '06-dashboard');
  for (const p of ['grid', 'grid-import', 'moderation', 'incentives', 'audit', 'overdue']) {
    await admin.goto(`${base}/console/${p}`);
    await admin.waitForTimeout(1500);
    await shot(admin, `07-${p}`);
  }

  // The grid import: a file with one bad row shows the error and imports nothing; the fixed file imports.
  step = 'grid import';
  const adminToken = await token('admin');
  const tree = await gql(adminToken, `{ districts(first: 1) { nodes { streets(first: 5) { nodes { communities(first: 5) { nodes {
    id name compounds(first: 5) { nodes { id name } } } } } } } } }`);
  const community = tree.districts.nodes[0].streets.nodes.flatMap((s) => s.communities.nodes).find((c) => c.name === '幸福社区');
  const compound = community.compounds.nodes.find((c) => c.name === '幸福家园');
  await gql(adminToken, 'mutation($c: ID!) { createBuilding(compoundId: $c, name: "9号楼", unitCount: 2) { id } }', { c: compound.id });
  const csv = (rows) => Buffer.from(['片区,组,邻,小区,楼栋,单元,邻长姓名,邻长手机', ...rows].join('\n') + '\n');
  const office = await newPage();
  await login(office, 'community-admin');
  await office.goto(`${base}/console/grid-import?communityId=${community.id}&name=${encodeURIComponent(community.name)}`);
  const fileInput = office.locator('input[type=file]').first();
  await fileInput.waitFor({ state: 'attached', timeout: 15000 });
  const countsBefore = await gql(adminToken, `{ node(id: "${community.id}") { ... on Community { areas(first: 50) { nodes { id } } } } }`);
  await fileInput.setInputFiles({ name: '网格.csv', mimeType: 'text/csv', buffer: csv([
    '九号楼片,第一组,9号楼1单元邻,幸福家园,9号楼,1,,',
    '九号楼片,第一组,9号楼2单元邻,幸福家园,9号楼,3,,',
  ]) });
  await office.locator('[data-testid="import-row"][data-outcome="ERROR"]').first().waitFor({ timeout: 15000 });
  await shot(office, '10-import-error');
  if (await office.getByTestId('import-apply').isEnabled()) fail('a file with an error row can be imported');
  const countsMid = await gql(adminToken, `{ node(id: "${community.id}") { ... on Community { areas(first: 50) { nodes { id } } } } }`);
  if (countsMid.node.areas.nodes.length !== countsBefore.node.areas.nodes.length) fail('the dry run changed the grid');
  await fileInput.setInputFiles({ name: '网格.csv', mimeType: 'text/csv', buffer: csv([
    '九号楼片,第一组,9号楼1单元邻,幸福家园,9号楼,1,,',
    '九号楼片,第一组,9号楼2单元邻,幸福家园,9号楼,2,,',
  ]) });
  await office.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="import-row"]')];
    return rows.length === 2 && rows.every((r) => r.dataset.outcome === 'CREATE');
  }, null, { timeout: 15000 }).catch(() => fail('the fixed file does not preview as two creations'));
  await office.getByTestId('import-apply').click();
  const confirm = office.locator('.ant-popconfirm .ant-btn-primary, .ant-modal-confirm .ant-btn-primary');
  if (await confirm.count()) await confirm.first().click();
  await office.getByTestId('import-result').waitFor({ timeout: 15000 });
  await shot(office, '11-import-done');
  const countsAfter = await gql(adminToken, `{ node(id: "${community.id}") { ... on Community { areas(first: 50) { nodes { id } } } } }`);
  if (countsAfter.node.areas.nodes.length !== countsBefore.node.areas.nodes.length + 1) fail('the import did not create its area');

  // 6. Integrations: a webhook to a receiver here, signed with the secret the page showed once; rotated; deleted.
  step = 'integrations';
  const got = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { got.push({ headers: req.headers, body }); res.writeHead(200).end('ok'); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/linli`;
  await admin.goto(`${base}/console/integrations`);
  await admin.getByTestId('webhook-url').fill(hookUrl);
  await admin.getByTestId('webhook-submit').click();
  const secretBox = admin.getByTestId('secret-value');
  await secretBox.waitFor({ timeout: 10000 });
  const secret = (await secretBox.innerText()).trim();
  if (!secret.startsWith('whsec_')) fail(`the page showed ${secret} as the secret`);
  await shot(admin, '12-integrations-secret');
  await admin.getByTestId('secret-close').click();
  await admin.getByTestId('webhook-row').first().waitFor({ timeout: 10000 });
  await gql(resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }',
    { i: { categoryId: drain, description: '浏览器测试：Webhook 收到新报事' } });
  const deadline = Date.now() + 20000;
  while (!got.some((g) => g.body.includes('REPORT_SUBMITTED')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const delivery = got.find((g) => g.body.includes('REPORT_SUBMITTED'));
  if (!delivery) fail('the receiver got no delivery');
  const parts = delivery.headers['linli-signature'].split(',').map((p) => p.split('='));
  const t = parts.find(([k]) => k === 't')[1];
  const want = crypto.createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex');
  if (!parts.some(([k, v]) => k === 'v1' && v === want)) fail('the delivery is not signed with the secret the page showed');
  await admin.getByTestId('webhook-deliveries').first().click();
  await admin.locator('[data-testid="delivery-row"][data-ok="true"]').first().waitFor({ timeout: 10000 })
    .catch(() => fail('the delivery log shows no successful delivery'));
  await admin.waitForTimeout(500); // the drawer's slide
  await shot(admin, '13-integrations-deliveries');
  await admin.keyboard.press('Escape');
  await admin.getByTestId('webhook-rotate').first().click();
  await admin.getByTestId('webhook-rotate-ok').click();
  await admin.getByTestId('secret-value').waitFor({ timeout: 10000 });
  const rotated = (await admin.getByTestId('secret-value').innerText()).trim();
  if (!rotated.startsWith('whsec_') || rotated === secret) fail(`the rotation showed ${rotated}`);
  await admin.getByTestId('secret-close').click();
  await admin.getByTestId('webhook-previous').first().waitFor({ timeout: 10000 })
    .catch(() => fail('the row does not say until when the old secret signs'));
  await admin.getByTestId('webhook-delete').first().click();
  await admin.getByTestId('webhook-delete-ok').click();
  await admin.getByTestId('webhook-row').first().waitFor({ state: 'detached', timeout: 10000 })
    .catch(() => fail('the deleted webhook is still listed'));
  receiver.close();
  // The API keys tab: one made (its secret shown once) and revoked.
  await admin.locator('.ant-tabs-tab-btn', { hasText: 'API 密钥' }).click();
  await admin.getByTestId('key-name').fill('12345 热线（浏览器测试）');
  await admin.getByTestId('key-submit').click();
  await admin.getByTestId('secret-value').waitFor({ timeout: 10000 });
  const key = (await admin.getByTestId('secret-value').innerText()).trim();
  if (!key.startsWith('lk_')) fail(`the page showed ${key} as the API key`);
  await admin.getByTestId('secret-close').click();
  await admin.locator('[data-testid="key-row"][data-revoked="false"]').first().waitFor({ timeout: 10000 });
  await admin.getByTestId('key-revoke').first().click();
  await admin.getByTestId('key-revoke-ok').click();
  await admin.locator('[data-testid="key-row"][data-revoked="true"]').first().waitFor({ timeout: 10000 })
    .catch(() => fail('the revoked key is not shown as revoked'));
  await shot(admin, '14-integrations-keys');
  const posted = await fetch(`${base}/open311/v2/requests.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: key, service_code: 'DRAIN', description: '吊销后的密钥', 'attribute[building]': '1号楼' }),
  });
  if (posted.status !== 403) fail(`a revoked key's POST answered ${posted.status}`);

  // 4. A resident: no admin page in the menu, a refusal on the page, and the API refuses anyway.
  step = 'resident';
  const res = await newPage();
  await login(res, 'resident');
  for (const k of ['grid', 'grid-import', 'audit', 'dashboard', 'moderation', 'integrations']) {
    if (await res.getByTestId(`menu-${k}`).count()) fail(`the resident's menu offers ${k}`);
  }
  await res.goto(`${base}/console/grid-import`);
  await res.getByTestId('forbidden').waitFor({ timeout: 10000 });
  await shot(res, '08-resident-forbidden');
  const refused = await res.evaluate(async () => {
    const r = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-linli-console': '1' },
      body: JSON.stringify({ query: 'mutation { previewGridImport(input: {communityId: "com_00000000000000000000000000000000", fileName: "a.csv", contentBase64: ""}) { valid } }' }),
    });
    return (await r.json()).errors?.[0]?.extensions?.code;
  });
  if (refused !== 'FORBIDDEN' && refused !== 'NOT_FOUND') fail(`the API answered the resident ${refused}`);

  // 5. First load of the queue over a 4G-like link, logged in.
  step = '4G first load';
  const slow = await newPage();
  await login(slow, 'staff');
  const cdp = await slow.context().newCDPSession(slow);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  let jsBytes = 0;
  cdp.on('Network.loadingFinished', (e) => { jsBytes += e.encodedDataLength; });
  const jsIds = new Set();
  cdp.on('Network.responseReceived', (e) => { if (e.type === 'Script') jsIds.add(e.requestId); });
  let scriptBytes = 0;
  cdp.on('Network.loadingFinished', (e) => { if (jsIds.has(e.requestId)) scriptBytes += e.encodedDataLength; });
  const t0 = Date.now();
  await slow.goto(`${base}/console/queue`);
  await slow.getByTestId('queue-row').first().waitFor({ timeout: 30000 });
  const usable = Date.now() - t0;
  console.log(`4G first load of the queue: usable in ${usable} ms; ${Math.round(scriptBytes / 1024)} kB of JS, ${Math.round(jsBytes / 1024)} kB in all, on the wire`);
  await shot(slow, '09-queue-4g');

  console.log(`console e2e: all passed; screenshots in ${shots}`);
  await browser.close();
} catch (e) {
  console.error(`console e2e FAILED at ${e.message}`);
  await browser.close();
  process.exit(1);
}
