// The graphql-ws reference client against two replicas of one district (two server processes on one database):
// a resident subscribes on A, a report is submitted through B and arrives on A; the resident goes away, the head
// acknowledges through B, the resident reconnects to B with `after` and gets exactly what was missed, in order.
// Usage: node ws-client.mjs http://127.0.0.1:18101 http://127.0.0.1:18102
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [A, B] = process.argv.slice(2);
const fail = (m) => { console.error('FAIL', m); process.exit(1); };
const gql = async (base, token, query, variables = {}) => {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors) fail(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
};
const login = async (base, who) =>
  (await gql(base, null, `mutation { loginWithWechat(code: "dev:${who}") { accessToken } }`)).loginWithWechat.accessToken;

const resident = await login(A, 'resident');
const head = await login(B, 'head');
const cats = await gql(B, resident, '{ categories { id code } }');
const drain = cats.categories.find((c) => c.code === 'DRAIN').id;

const subscribeOn = (base, token, after) => {
  const client = createClient({
    url: base.replace('http', 'ws') + '/graphql/ws',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const seen = [];
  let wake = () => {};
  const done = new Promise((resolve, reject) => {
    client.subscribe(
      {
        query: 'subscription($after: String) { myReportsChanged(after: $after) { cursor kind report { id status } } }',
        variables: { after },
      },
      {
        next: (m) => { if (m.errors) reject(new Error(JSON.stringify(m.errors))); seen.push(m.data.myReportsChanged); wake(); },
        error: reject,
        complete: resolve,
      },
    );
  });
  done.catch((e) => fail(`subscription: ${e.message ?? e}`));
  const next = (ms = 5000) =>
    new Promise((resolve) => {
      if (seen.length) return resolve(seen.shift());
      const t = setTimeout(() => resolve(null), ms);
      wake = () => { clearTimeout(t); resolve(seen.shift()); };
    });
  return { client, next };
};

// 1. Live across replicas: subscribed on A, written through B.
const a = subscribeOn(A, resident, undefined);
await new Promise((r) => setTimeout(r, 300));
const submitted = await gql(B, resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }', {
  i: { categoryId: drain, description: 'graphql-ws 参考客户端：下水道堵塞' },
});
const id = submitted.submitReport.id;
const first = await a.next();
if (!first || first.kind !== 'REPORT_SUBMITTED' || first.report.id !== id) fail(`A did not see the submission: ${JSON.stringify(first)}`);
await a.client.dispose();

// 2. Missed while away, delivered on reconnect to the other replica, in order, nothing twice.
await gql(B, head, 'mutation($id: ID!) { acknowledgeReport(id: $id) { id } }', { id });
const b = subscribeOn(B, resident, first.cursor);
const missed = await b.next();
if (!missed || missed.kind !== 'REPORT_ACTED' || missed.report.status !== 'ACKNOWLEDGED') fail(`missed change not delivered: ${JSON.stringify(missed)}`);
if (!(BigInt(missed.cursor) > BigInt(first.cursor))) fail('cursor did not move forward');
const twice = await b.next(1000);
if (twice && twice.cursor === missed.cursor) fail('a change arrived twice');
await b.client.dispose();
console.log(`graphql-ws: live across replicas, ${id} submitted on B seen on A; missed change resumed on B after ${first.cursor}`);
process.exit(0);
