// Three replicas behind haproxy (round robin, HTTP and websocket on one port, `X-Served-By` naming the replica):
// every replica serves in turn, and a head's subscription through the balancer sees a report that a resident
// submits through the balancer and that another replica serves.
// Usage: node lb.mjs http://127.0.0.1:18110
import { fail, gql, login, post, subscribe } from './peers.mjs';

const [LB] = process.argv.slice(2);
const probe = async () => (await post(LB, null, { query: '{ __typename }' })).servedBy;

// Round robin over three replicas: six requests, three replicas, each twice, in turn.
const turns = [];
for (let i = 0; i < 6; i++) turns.push(await probe());
if (new Set(turns).size !== 3 || turns.some((s, i) => i >= 3 && s !== turns[i - 3])) fail(`not round robin over three replicas: ${turns}`);

const resident = await login(LB, 'resident');
const head = await login(LB, 'head');
const drain = (await gql(LB, resident, '{ categories { id code } }')).categories.find((c) => c.code === 'DRAIN').id;

const inbox = subscribe(LB, head, 'subscription { taskInboxChanged { cursor kind inList report { id status } } }');
await inbox.connected;
const socketOn = inbox.servedBy;
if (!socketOn) fail('the websocket upgrade carried no X-Served-By');
await new Promise((r) => setTimeout(r, 300));
// The request after one served by the socket's replica goes to the next replica in turn.
for (let i = 0; (await probe()) !== socketOn; i++) if (i > 5) fail('the socket replica never came round');
const sub = await gql(LB, resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }', {
  i: { categoryId: drain, description: '负载均衡后的副本：楼道积水' },
});
const id = sub.submitReport.id;
if (sub.$servedBy === socketOn) fail(`the submission landed on the socket's replica ${socketOn}`);
let got;
const until = Date.now() + 8000;
while (Date.now() < until && !(got && got.report.id === id)) got = await inbox.next(until - Date.now());
if (!got || got.report.id !== id || got.kind !== 'REPORT_SUBMITTED' || got.inList !== true) {
  fail(`the head's inbox on ${socketOn} did not see the submission made on ${sub.$servedBy}: ${JSON.stringify(got)}`);
}
await inbox.stop();
console.log(`haproxy: round robin ${turns.join(',')}; head subscribed on ${socketOn} saw ${id} submitted on ${sub.$servedBy}`);
process.exit(0);
