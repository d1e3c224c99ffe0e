// The fan-out benchmark of live updates: opens N subscriptions over /graphql/ws (one socket per user, as a WeChat
// mini-program holds), waits until every socket is acknowledged (connection_ack, and the server's gauge of open
// sockets) and no subscription was refused, then acknowledges W fresh reports per second for D seconds over HTTP and measures, for each push received, the time
// from the change to the client.
//
//   node fanout.mjs --base http://127.0.0.1:18090 --inputs DIR --after SEQ [--subs 1000] [--rate 200]
//                   [--duration 30] [--offset 0] [--server-pid PID] [--json out.json]
//
// Inputs (DIR): acknowledge.tsv, residents.tsv, heads.tsv, area_heads.tsv (written by `linli seed-scale` /
// `linli bench-tokens`), fresh.tsv (report uuid, reporter, neighbourhood, group, area, community of each SUBMITTED
// report) and units.tsv (user, role, scope of each open appointment), both dumped by run.sh.
//
// Subscribers: area and neighbour heads on taskInboxChanged (--inbox-share of N); residents who filed a report
// acknowledged in this run on myReportsChanged plus reportUpdated(that report) (two per socket); more heads if
// residents run out. Every subscription starts from --after (the log's position before any of them), so none
// misses a change however late its stream gets going, and each expects exactly one push per acknowledged report it
// covers (an acknowledgement is one REPORT_ACTED event).
//
// "Commit" time: the pushed report's lastEvent.at is the action's time, which the server takes while it handles the
// action and writes in the change (same machine clock as this client), before its statements and its commit: so
// "from event time" also counts the rest of the mutation and the commit, an upper bound of commit-to-client. The mutation's send and response
// times are recorded too: the commit happens between the two.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const BASE = args.base ?? 'http://127.0.0.1:18090';
const DIR = args.inputs ?? 'bench/out/linli_fanout';
const N = Number(args.subs ?? 1000);
const RATE = Number(args.rate ?? 200);
const DURATION = Number(args.duration ?? 30);
const OFFSET = Number(args.offset ?? 0); // how many of acknowledge.tsv's reports earlier runs used (each is acknowledged once)
const AFTER = args.after ?? null;
const SERVER_PID = args['server-pid'] ? Number(args['server-pid']) : null;
const INBOX_SHARE = Number(args['inbox-share'] ?? 0.3);
const MAX_IN_FLIGHT = Number(args['max-in-flight'] ?? 64);
const DRAIN_MS = Number(args.drain ?? 10000);
const hz = Number(args['clk-tck'] ?? 100); // USER_HZ: the unit of /proc/<pid>/stat's CPU times
const log = (...m) => console.error('[fanout]', ...m);

// ---- inputs -----------------------------------------------------------------------------------------------------
const rows = (name) =>
  fs.existsSync(`${DIR}/${name}`)
    ? fs.readFileSync(`${DIR}/${name}`, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'))
    : [];
const hex = (uuid) => uuid.replaceAll('-', '').toLowerCase();
const subOf = (token) => hex(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub);
const reportId = (uuidHex) => `rpt_${uuidHex}`;
const uuidOfId = (id) => id.replace(/^rpt_/, '');

// Report uuid -> its units and reporter.
const fresh = new Map();
for (const [id, reporter, nbh, grp, area, com] of rows('fresh.tsv')) {
  fresh.set(hex(id), { reporter: hex(reporter), units: [nbh, grp, area, com].filter((u) => u).map(hex) });
}
// User -> the unit ids their inbox covers (neighbourhood, group, area, community appointments).
const unitsOf = new Map();
for (const [user, , scope] of rows('units.tsv')) {
  const u = hex(user);
  if (!unitsOf.has(u)) unitsOf.set(u, new Set());
  unitsOf.get(u).add(hex(scope));
}

const acks = rows('acknowledge.tsv').map(([token, id]) => ({ token, report: uuidOfId(id), id }));
const perRun = Math.round(RATE * DURATION);
const slice = acks.slice(OFFSET, OFFSET + perRun);
if (slice.length < perRun) {
  log(`only ${slice.length} fresh reports left after ${OFFSET} (need ${perRun}): seed again`);
  process.exit(2);
}
const missingInfo = slice.filter((a) => !fresh.has(a.report)).length;
if (missingInfo) log(`warning: ${missingInfo} reports of the slice are not in fresh.tsv (already acknowledged?)`);

// ---- who subscribes to what -------------------------------------------------------------------------------------
// A plan is one socket: a user's token and the subscriptions on it.
const INBOX = 'subscription($a: String) { taskInboxChanged(after: $a) { cursor kind inList report { id status lastEvent { kind at } } } }';
const MINE = 'subscription($a: String) { myReportsChanged(after: $a) { cursor kind report { id status lastEvent { kind at } } } }';
const ONE = 'subscription($id: ID!, $a: String) { reportUpdated(id: $id, after: $a) { cursor kind report { id status lastEvent { kind at } } } }';

const plans = [];
let planned = 0;
const used = new Set();
const headPlan = ([token]) => {
  const user = subOf(token);
  if (used.has(user) || !unitsOf.has(user)) return null;
  used.add(user);
  return { user, token, subs: [{ field: 'taskInboxChanged', query: INBOX, watch: { units: unitsOf.get(user) } }] };
};
const heads = [...rows('area_heads.tsv'), ...rows('heads.tsv')];
let hi = 0;
for (; hi < heads.length && planned < Math.round(N * INBOX_SHARE); hi++) {
  const p = headPlan(heads[hi]);
  if (p) { plans.push(p); planned += 1; }
}
// Residents: those who filed a report of this slice (watching that report too), then any others.
const sliceByReporter = new Map();
for (const a of slice) {
  const f = fresh.get(a.report);
  if (f && !sliceByReporter.has(f.reporter)) sliceByReporter.set(f.reporter, a.report);
}
const residents = rows('residents.tsv').map(([token]) => ({ token, user: subOf(token) }));
residents.sort((x, y) => Number(sliceByReporter.has(y.user)) - Number(sliceByReporter.has(x.user)));
for (const r of residents) {
  if (planned >= N) break;
  if (used.has(r.user)) continue;
  used.add(r.user);
  const subs = [{ field: 'myReportsChanged', query: MINE, watch: { reporter: r.user } }];
  const mine = sliceByReporter.get(r.user);
  if (mine && planned + 2 <= N) subs.push({ field: 'reportUpdated', query: ONE, vars: { id: reportId(mine) }, watch: { report: mine } });
  plans.push({ user: r.user, token: r.token, subs });
  planned += subs.length;
}
for (; hi < heads.length && planned < N; hi++) {
  const p = headPlan(heads[hi]);
  if (p) { plans.push(p); planned += 1; }
}
if (planned < N) log(`warning: only ${planned} subscriptions could be planned (not enough users): seed a larger scale`);

// ---- measurement state ------------------------------------------------------------------------------------------
const sent = new Map(); // report uuid -> { sentAt, respAt, ok }
const received = new Map(); // `${subKey}|${report}` -> count
const lat = { event: [], sent: [], resp: [] };
const counts = { pushes: 0, measured: 0, duplicates: 0, other: 0, pushErrors: 0, mutationErrors: 0, socketErrors: 0, subErrors: 0 };
const errorSamples = [];
const sample = (m) => { if (errorSamples.length < 5) errorSamples.push(String(m).slice(0, 300)); };
let phase = 'setup';

// Parses an RFC 3339 timestamp to milliseconds since the epoch, keeping the microseconds Date.parse drops.
const parseMs = (s) => {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return Date.parse(s);
  return Date.parse(m[1] + m[3]) + (m[2] ? Number(m[2]) * 1000 : 0);
};

const onPush = (subKey, data) => {
  const now = Date.now();
  counts.pushes += 1;
  const change = data && Object.values(data)[0];
  const r = change?.report;
  const report = r ? uuidOfId(r.id) : null;
  const s = report && sent.get(report);
  if (!s || change.kind !== 'REPORT_ACTED' || r.lastEvent?.kind !== 'ACKNOWLEDGED') { counts.other += 1; return; }
  const key = `${subKey}|${report}`;
  const n = (received.get(key) ?? 0) + 1;
  received.set(key, n);
  if (n > 1) { counts.duplicates += 1; return; }
  counts.measured += 1;
  lat.event.push(now - parseMs(r.lastEvent.at));
  lat.sent.push(now - s.sentAt);
  if (s.respAt) lat.resp.push(now - s.respAt);
};

// ---- server figures ---------------------------------------------------------------------------------------------
const rssKb = () => {
  if (!SERVER_PID) return null;
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${SERVER_PID}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
};
const cpuTicks = () => {
  if (!SERVER_PID) return null;
  const f = fs.readFileSync(`/proc/${SERVER_PID}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};
const metric = async (name) => {
  const body = await new Promise((resolve, reject) =>
    http.get(`${BASE}/metrics`, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => resolve(b)); }).on('error', reject),
  ).catch(() => '');
  return body.split('\n').filter((l) => l.startsWith(name)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- open the sockets -------------------------------------------------------------------------------------------
const rssIdle = rssKb();
const wsUrl = BASE.replace(/^http/, 'ws') + '/graphql/ws';
const clients = [];
let acked = 0;
let subsStarted = 0;
const openOne = (plan, pi) =>
  new Promise((resolve) => {
    let settled = false;
    const done = () => { if (!settled) { settled = true; resolve(); } };
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${plan.token}` },
      retryAttempts: 0,
      lazy: true,
      keepAlive: 0,
      on: {
        connected: () => { acked += 1; done(); },
        closed: (e) => {
          if (phase !== 'closing') { counts.socketErrors += 1; sample(`socket closed: ${e?.code} ${e?.reason}`); }
          done();
        },
        error: (e) => { counts.socketErrors += 1; sample(`socket error: ${e?.message ?? e}`); done(); },
      },
    });
    clients.push(client);
    plan.subs.forEach((s, si) => {
      const subKey = `${pi}.${si}`;
      client.subscribe(
        { query: s.query, variables: { a: AFTER, ...(s.vars ?? {}) } },
        {
          next: (m) => {
            if (m.errors) { counts.pushErrors += 1; sample(JSON.stringify(m.errors)); return; }
            onPush(subKey, m.data);
          },
          error: (e) => {
            counts.subErrors += 1;
            sample(`subscription ${s.field}: ${Array.isArray(e) ? JSON.stringify(e) : e?.message ?? e?.reason ?? e}`);
          },
          complete: () => {},
        },
      );
      subsStarted += 1;
    });
  });

const tOpen = Date.now();
for (let i = 0; i < plans.length; i += 50) {
  await Promise.all(plans.slice(i, i + 50).map((p, j) => openOne(p, i + j)));
}
const openMs = Date.now() - tOpen;
// The ack answers connection_init; a subscription has no ack of its own in the protocol, so wait until the
// server's gauge shows every socket and no refusal has come back (a refused subscription answers at once).
const sockets = await (async () => {
  let n = 0;
  for (let i = 0; i < 50; i++) {
    n = await metric('linli_websockets_open');
    if (n >= plans.length) break;
    await sleep(100);
  }
  return n;
})();
await sleep(2000);
const subsOpen = subsStarted - counts.subErrors;
log(`${plans.length} sockets acknowledged ${acked}, server sees ${sockets}; ${subsOpen}/${subsStarted} subscriptions open in ${openMs} ms`);
const rssSubscribed = rssKb();

// ---- drive the changes ------------------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const { hostname, port } = new URL(BASE);
const ACK = 'mutation($id: ID!) { acknowledgeReport(id: $id, note: "收到，马上处理") { id status } }';
const mutate = (a) =>
  new Promise((resolve) => {
    const body = JSON.stringify({ query: ACK, variables: { id: a.id } });
    const rec = { sentAt: Date.now(), respAt: 0, ok: false };
    sent.set(a.report, rec);
    const req = http.request(
      { hostname, port, path: '/graphql', method: 'POST', agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (b += c));
        res.on('end', () => {
          rec.respAt = Date.now();
          if (res.statusCode === 200 && !b.includes('"errors"')) rec.ok = true;
          else { counts.mutationErrors += 1; sample(`mutation: ${res.statusCode} ${b}`); }
          resolve();
        });
      },
    );
    req.on('error', (e) => { counts.mutationErrors += 1; sample(`mutation: ${e.message}`); resolve(); });
    req.end(body);
  });

const loop = monitorEventLoopDelay({ resolution: 5 });
const rssSamples = [];
const sampler = setInterval(() => { const r = rssKb(); if (r) rssSamples.push(r); }, 500);
const cpu0 = cpuTicks();
const client0 = process.cpuUsage();
const pushes0 = await metric('linli_pushes_total');
const load0 = os.loadavg()[0];
// CPU pressure (the share of time some runnable task waited for a core): how shared the machine was.
const cpuPressure = () => { try { return Number(/avg10=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'))[1]); } catch { return null; } };
const pressure0 = cpuPressure();
phase = 'load';
loop.enable();
const t0 = Date.now();
let next = 0;
let inFlight = 0;
let maxBehind = 0;
const pending = [];
while (next < slice.length) {
  const due = Math.min(slice.length, Math.floor(((Date.now() - t0) * RATE) / 1000) + 1);
  while (next < due && inFlight < MAX_IN_FLIGHT) {
    inFlight += 1;
    pending.push(mutate(slice[next++]).then(() => (inFlight -= 1)));
  }
  maxBehind = Math.max(maxBehind, due - next);
  await sleep(2);
}
await Promise.all(pending);
const driveMs = Date.now() - t0;
const cpu1 = cpuTicks();
const client1 = process.cpuUsage(client0);
const rssEndOfLoad = rssKb();
const load1 = os.loadavg()[0];
const pressure1 = cpuPressure();
loop.disable();

// ---- expectations, then wait for the last pushes ----------------------------------------------------------------
// Which subscriptions cover each acknowledged report (a watch's `concerns`, mirrored), as `${sub}|${report}` keys.
const byReporter = new Map(), byReport = new Map(), byUnit = new Map();
const index = (m, k, v) => { if (!m.has(k)) m.set(k, []); m.get(k).push(v); };
plans.forEach((p, pi) =>
  p.subs.forEach((s, si) => {
    const key = `${pi}.${si}`;
    if (s.watch.reporter) index(byReporter, s.watch.reporter, key);
    if (s.watch.report) index(byReport, s.watch.report, key);
    for (const u of s.watch.units ?? []) index(byUnit, u, key);
  }),
);
const committed = slice.filter((a) => sent.get(a.report)?.ok);
const expectedKeys = new Set();
for (const a of committed) {
  const f = fresh.get(a.report);
  if (!f) continue;
  for (const k of [...(byReporter.get(f.reporter) ?? []), ...(byReport.get(a.report) ?? []), ...f.units.flatMap((u) => byUnit.get(u) ?? [])]) {
    expectedKeys.add(`${k}|${a.report}`);
  }
}
const expected = expectedKeys.size;
const tDrain = Date.now();
while ([...expectedKeys].some((k) => !received.has(k)) && Date.now() - tDrain < DRAIN_MS) await sleep(50);
const pushes1 = await metric('linli_pushes_total');
phase = 'closing';
clearInterval(sampler);
await Promise.all(clients.map((c) => c.dispose()));
agent.destroy();

const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const stats = (xs) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: pct(xs, 100) });
const result = {
  subscriptions: subsOpen,
  sockets: plans.length,
  inbox_subscriptions: plans.flatMap((p) => p.subs).filter((s) => s.field === 'taskInboxChanged').length,
  mine_subscriptions: plans.flatMap((p) => p.subs).filter((s) => s.field === 'myReportsChanged').length,
  report_subscriptions: plans.flatMap((p) => p.subs).filter((s) => s.field === 'reportUpdated').length,
  target_rate: RATE,
  duration_s: DURATION,
  changes: committed.length,
  changes_per_s: committed.length / (driveMs / 1000),
  max_behind_schedule: maxBehind,
  mutation_errors: counts.mutationErrors,
  expected_pushes: expected,
  received_pushes: counts.measured,
  missed_pushes: [...expectedKeys].filter((k) => !received.has(k)).length,
  unexpected_pushes: [...received.keys()].filter((k) => !expectedKeys.has(k)).length,
  duplicate_pushes: counts.duplicates,
  other_pushes: counts.other,
  server_pushes: pushes1 - pushes0,
  pushes_per_s: counts.measured / (driveMs / 1000),
  push_errors: counts.pushErrors,
  subscription_errors: counts.subErrors,
  socket_errors: counts.socketErrors,
  latency_from_event_ms: stats(lat.event),
  latency_from_sent_ms: stats(lat.sent),
  latency_from_response_ms: stats(lat.resp),
  rss_idle_kb: rssIdle,
  rss_subscribed_kb: rssSubscribed,
  rss_peak_load_kb: rssSamples.length ? Math.max(...rssSamples) : null,
  rss_end_of_load_kb: rssEndOfLoad,
  server_cpu_pct: cpu0 == null ? null : ((cpu1 - cpu0) / hz / (driveMs / 1000)) * 100,
  client_cpu_pct: ((client1.user + client1.system) / 1e3 / driveMs) * 100,
  client_loop_delay_p99_ms: loop.percentile(99) / 1e6,
  client_loop_delay_max_ms: loop.max / 1e6,
  loadavg_1m: [load0, load1],
  cpu_pressure_avg10: [pressure0, pressure1],
  errors: errorSamples,
};
console.log(`RESULT ${JSON.stringify(result)}`);
if (args.json) fs.writeFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
process.exit(0);
