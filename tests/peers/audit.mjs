// The graphql-http project's conformance audit of a GraphQL-over-HTTP server: every MUST and SHOULD.
// Usage: node audit.mjs http://127.0.0.1:8080/graphql  (exits 1 on any error or warning; MAYs are printed)
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
let bad = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const r = await audit.fn();
  if (r.status !== 'ok') {
    if (r.status !== 'notice') bad++;
    console.log(`${r.status.toUpperCase()} ${audit.name}: ${r.reason}`);
  }
}
console.log(bad === 0 ? 'graphql-http audit: every MUST and SHOULD ok' : `graphql-http audit: ${bad} errors or warnings`);
process.exit(bad === 0 ? 0 : 1);
