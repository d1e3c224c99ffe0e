// Early requests: a query the first page will surely ask for is sent at start-up, before React renders (the page
// would otherwise ask only once `me` and the page's chunk are in), and the client's fetch hands its answer to the
// first identical request. The request is built by urql's own helpers from the same operation, so it is byte for
// byte what urql's fetchExchange would send; nothing else in the client changes (cache, dedup, errors).
import { createRequest, formatDocument, makeOperation, type AnyVariables, type Client, type DocumentInput } from '@urql/core';
import { makeFetchBody, makeFetchOptions, makeFetchURL } from '@urql/core/internal';

/** An early answer is given to a request made within this time of it, and to one only. */
export const EARLY_MAX_AGE_MS = 15_000;

interface Early {
  response: Promise<Response>;
  at: number;
}
const early = new Map<string, Early>();

function requestKey(url: string, init: RequestInit): string | null {
  if (typeof init.body !== 'string') return null;
  return `${init.method ?? 'GET'} ${url}\n${init.body}\n${JSON.stringify(init.headers ?? {})}`;
}

/** What urql sends for this query: the URL and fetch options (after the cache exchange adds `__typename`). */
export function queryRequest<D, V extends AnyVariables>(client: Client, query: DocumentInput<D, V>, variables: V): { url: string; init: RequestInit } {
  const op = client.createRequestOperation('query', createRequest(query, variables), { requestPolicy: 'network-only' });
  const formatted = makeOperation(op.kind, op);
  formatted.query = formatDocument(op.query);
  const body = makeFetchBody(formatted);
  return { url: makeFetchURL(formatted, body), init: makeFetchOptions(formatted, body) };
}

/** Sends the query now; the client's first identical request within EARLY_MAX_AGE_MS gets this answer. */
export function sendEarly<D, V extends AnyVariables>(client: Client, query: DocumentInput<D, V>, variables: V): void {
  const { url, init } = queryRequest(client, query, variables);
  const key = requestKey(url, init);
  if (!key || early.has(key)) return;
  const response = fetch(url, init);
  response.catch(() => early.delete(key));
  early.set(key, { response, at: Date.now() });
}

/** The client's fetch: the early answer to this very request if there is a fresh one, else the network. */
export const fetchWithEarly: typeof fetch = (input, init) => {
  const key = typeof input === 'string' && init ? requestKey(input, init) : null;
  const e = key === null ? undefined : early.get(key);
  if (key !== null && e) {
    early.delete(key);
    // A failed early request is sent again, as the page would have.
    if (Date.now() - e.at < EARLY_MAX_AGE_MS) return e.response.catch(() => fetch(input, init));
  }
  return fetch(input, init);
};

/** Forgets the early requests not taken (tests). */
export function clearEarly(): void {
  early.clear();
}
