// What the peer scripts share: GraphQL over HTTP, dev logins, and graphql-ws subscriptions that remember which
// replica served their socket (haproxy's `X-Served-By` on the 101 answer) and how it closed.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export const fail = (m) => {
  console.error('FAIL', m);
  process.exit(1);
};
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One POST: { status, servedBy, ms, body } whatever the answer (the caller judges it).
export const post = async (base, token, body, headers = {}) => {
  const t = performance.now();
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { errors: [{ message: `not JSON (${r.status}): ${text.slice(0, 200)}` }] };
  }
  return { status: r.status, servedBy: r.headers.get('x-served-by'), ms: performance.now() - t, body: json };
};

// The first error code of an answer, or null.
export const codeOf = (body) => body.errors?.[0]?.extensions?.code ?? (body.errors ? body.errors[0].message : null);

// The data of an answer that must have succeeded.
export const gql = async (base, token, query, variables = {}, headers = {}) => {
  const r = await post(base, token, { query, variables }, headers);
  if (r.body.errors) fail(`${query.slice(0, 80)} on ${base}: ${JSON.stringify(r.body.errors)}`);
  return Object.assign(r.body.data, { $servedBy: r.servedBy });
};

export const login = async (base, who, headers = {}) =>
  (await gql(base, null, `mutation { loginWithWechat(code: "dev:${who}") { accessToken } }`, {}, headers)).loginWithWechat
    .accessToken;

// A subscription over graphql-ws: next(ms) waits for the next push (null after ms), `servedBy` is the replica
// haproxy sent the socket to, `closed` resolves with the close code.
export const subscribe = (base, token, query, variables = {}) => {
  const sub = { servedBy: null, seen: [], closeCode: null };
  let onClose;
  sub.closed = new Promise((r) => (onClose = r));
  class Tagged extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.on('upgrade', (res) => (sub.servedBy = res.headers['x-served-by'] ?? null));
    }
  }
  let connected;
  sub.connected = new Promise((r) => (connected = r));
  sub.client = createClient({
    url: base.replace('http', 'ws') + '/graphql/ws',
    webSocketImpl: Tagged,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: {
      connected: () => connected(),
      closed: (e) => {
        sub.closeCode = e?.code ?? null;
        onClose(sub.closeCode);
      },
    },
  });
  let wake = () => {};
  let unsubscribe;
  const started = new Promise((resolve) => {
    unsubscribe = sub.client.subscribe(
      { query, variables },
      {
        next: (m) => {
          if (m.errors) fail(`subscription error: ${JSON.stringify(m.errors)}`);
          sub.seen.push(Object.values(m.data)[0]);
          wake();
        },
        // A close the test caused (1001) arrives here too; the test looks at `closed`.
        error: () => {},
        complete: () => {},
      },
    );
    resolve();
  });
  sub.next = async (ms = 5000) => {
    await started;
    if (sub.seen.length) return sub.seen.shift();
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), ms);
      wake = () => {
        clearTimeout(t);
        resolve(sub.seen.shift());
      };
    });
  };
  sub.stop = async () => {
    unsubscribe?.();
    await sub.client.dispose();
  };
  return sub;
};

// A sample of /metrics: the value of `name{labels}` (labels given as a substring), summed over matching lines.
export const metric = async (base, name, labels = '') => {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && line.includes(labels) && !line.startsWith('#')) sum += Number(line.split(' ').pop());
  }
  return sum;
};
