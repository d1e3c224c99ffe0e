// Automatic persisted queries (Apollo's protocol) across two replicas: a mutation registered with its hash on A is
// replayed by hash alone, with other variables, on B.
//   shared: the store is Redis, so B answers it (the comment carries B's variables).
//   local:  no Redis, each replica has its own store: B answers PersistedQueryNotFound, A still answers the hash,
//           and B answers once the client sends the query again (the protocol's second half).
// Usage: node apq.mjs shared|local http://A http://B
import { createHash, randomUUID } from 'node:crypto';
import { codeOf, fail, gql, login, post } from './peers.mjs';

const [mode, A, B] = process.argv.slice(2);
const resident = await login(A, 'resident');
const drain = (await gql(A, resident, '{ categories { id code } }')).categories.find((c) => c.code === 'DRAIN').id;
const report = (await gql(A, resident, 'mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }', {
  i: { categoryId: drain, description: `持久化查询：${mode}` },
})).submitReport.id;

// A text of this run's own: Redis is shared with every other run on the machine.
const query = `mutation PeersApq($id: ID!, $body: String!) { addComment(id: $id, body: $body) { id body } } # ${randomUUID()}`;
const sha256Hash = createHash('sha256').update(query).digest('hex');
const extensions = { persistedQuery: { version: 1, sha256Hash } };
const byHash = (base, body) => post(base, resident, { variables: { id: report, body }, extensions });
const notFound = (r, where) => {
  if (codeOf(r.body) !== 'PERSISTED_QUERY_NOT_FOUND' || r.body.errors[0].message !== 'PersistedQueryNotFound' || r.status !== 200) {
    fail(`${where}: expected PersistedQueryNotFound, got ${r.status} ${JSON.stringify(r.body)}`);
  }
};
const answered = (r, body, where) => {
  if (r.body.errors || r.body.data?.addComment?.body !== body) fail(`${where}: expected the comment "${body}", got ${JSON.stringify(r.body)}`);
};

notFound(await byHash(B, 'never'), 'an unknown hash on B');
answered(await post(A, resident, { query, variables: { id: report, body: 'registered on A' }, extensions }), 'registered on A', 'registering on A');
const replay = await byHash(B, 'replayed on B');
if (mode === 'shared') {
  answered(replay, 'replayed on B', 'the hash alone on B');
} else {
  notFound(replay, 'the hash alone on B without Redis');
  answered(await byHash(A, 'replayed on A'), 'replayed on A', 'the hash alone on A');
  answered(await post(B, resident, { query, variables: { id: report, body: 'registered on B' }, extensions }), 'registered on B', 'registering on B');
  answered(await byHash(B, 'replayed on B'), 'replayed on B', 'the hash alone on B once registered there');
}
const comments = (await gql(B, resident, 'query($id: ID!) { report(id: $id) { comments(first: 10) { edges { node { body } } } } }', { id: report }))
  .report.comments.edges.map((e) => e.node.body);
const want = mode === 'shared' ? ['registered on A', 'replayed on B'] : ['registered on A', 'replayed on A', 'registered on B', 'replayed on B'];
if (JSON.stringify([...comments].sort()) !== JSON.stringify([...want].sort())) fail(`each operation must run once: ${JSON.stringify(comments)}`);
console.log(
  mode === 'shared'
    ? `APQ (Redis): a mutation registered on ${A} answered by hash alone on ${B}`
    : `APQ (in-process): the hash registered on ${A} is PersistedQueryNotFound on ${B} until sent there with its query`,
);
process.exit(0);
