// A graceful stop with a subscriber on the socket: SIGTERM to the replica haproxy gave the resident's socket, which
// must close it with 1001 (going away); meanwhile the head acknowledges the report through the balancer (another
// replica); the resident reconnects through the balancer with `after` = the last cursor seen, lands on another
// replica and gets exactly the change it missed, nothing twice.
// Usage: node shutdown.mjs http://127.0.0.1:18110 r1=PID,r2=PID,r3=PID FILE  (FILE: where to write the stopped
// replica's name, for the script to check its exit code)
import { writeFileSync } from 'node:fs';
import { fail, gql, login, sleep, subscribe } from './peers.mjs';

const [LB, pidList, out] = process.argv.slice(2);
const pids = Object.fromEntries(pidList.split(',').map((p) => p.split('=')));
const resident = await login(LB, 'resident');
const head = await login(LB, 'head');
const drain = (await gql(LB, resident, '{ categories { id code } }')).categories.find((c) => c.code === 'DRAIN').id;
const changes = 'subscription($after: String) { myReportsChanged(after: $after) { cursor kind report { id status } } }';

const a = subscribe(LB, resident, changes, {});
await a.connected;
const victim = a.servedBy;
if (!pids[victim]) fail(`the socket's replica ${victim} is not one of ${pidList}`);
await sleep(300);
const id = (await gql(LB, resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }', {
  i: { categoryId: drain, description: '优雅停机：井盖松动' },
})).submitReport.id;
const first = await a.next(8000);
if (!first || first.report.id !== id || first.kind !== 'REPORT_SUBMITTED') fail(`no push before the stop: ${JSON.stringify(first)}`);

const t = Date.now();
process.kill(Number(pids[victim]), 'SIGTERM');
const code = await Promise.race([a.closed, sleep(10_000).then(() => 'no close in 10 s')]);
if (code !== 1001) fail(`SIGTERM to ${victim}: the socket closed with ${code}, not 1001`);
const closedMs = Date.now() - t;
writeFileSync(out, victim);

// Missed while away: the head acts through the balancer, which no longer sends anything to the stopped replica.
const acked = await gql(LB, head, 'mutation($id: ID!) { acknowledgeReport(id: $id) { id status } }', { id });
if (acked.$servedBy === victim) fail(`the balancer still sent a request to the stopped ${victim}`);

const b = subscribe(LB, resident, changes, { after: first.cursor });
await b.connected;
if (!b.servedBy || b.servedBy === victim) fail(`resumed on ${b.servedBy}, the stopped replica`);
const missed = await b.next(8000);
if (!missed || missed.report.id !== id || missed.kind !== 'REPORT_ACTED' || missed.report.status !== 'ACKNOWLEDGED') {
  fail(`the change made while away was not delivered on ${b.servedBy}: ${JSON.stringify(missed)}`);
}
if (!(BigInt(missed.cursor) > BigInt(first.cursor))) fail('the cursor did not move forward');
const again = await b.next(1500);
if (again && (again.cursor === missed.cursor || BigInt(again.cursor) <= BigInt(first.cursor))) fail(`a change arrived twice: ${JSON.stringify(again)}`);
await b.stop();
console.log(
  `SIGTERM: ${victim} closed the socket with 1001 after ${closedMs} ms; resumed on ${b.servedBy} after ${first.cursor}, got ${missed.cursor} (acknowledged on ${acked.$servedBy}) once`,
);
process.exit(0);
