// The GraphQL client: urql over POST /graphql (same origin, session cookie, X-Linli-Console: 1 as CSRF guard,
// Accept-Language from the console's language) and graphql-ws at /graphql/ws for subscriptions.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { acceptLanguage, getLang } from './i18n';
import { fetchWithEarly } from './early';

export const CONSOLE_HEADER = 'X-Linli-Console';

/** Headers every console request sends. */
export function consoleHeaders(): Record<string, string> {
  return { [CONSOLE_HEADER]: '1', 'Accept-Language': acceptLanguage(getLang()) };
}

let onUnauthenticated: () => void = () => {
  if (typeof window !== 'undefined' && !window.location.pathname.startsWith('/console/login')) {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/console/login?next=${encodeURIComponent(next)}`);
  }
};

/** Replace what happens on UNAUTHENTICATED (the app uses the router's navigate). */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export function wsUrl(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/graphql/ws`;
}

export type LiveState = 'connecting' | 'connected' | 'closed';
let liveState: LiveState = 'closed';
const liveListeners = new Set<(s: LiveState) => void>();
function setLive(s: LiveState) {
  liveState = s;
  liveListeners.forEach((l) => l(s));
}
export function getLiveState(): LiveState {
  return liveState;
}
export function subscribeLiveState(l: (s: LiveState) => void): () => void {
  liveListeners.add(l);
  return () => liveListeners.delete(l);
}

let ws: WsClient | null = null;
export function getWsClient(): WsClient {
  if (!ws) {
    ws = createWsClient({
      url: wsUrl(),
      connectionParams: { console: true },
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 30000)));
      },
      on: {
        connecting: () => setLive('connecting'),
        connected: () => setLive('connected'),
        closed: () => setLive('closed'),
      },
    });
  }
  return ws;
}

/** Close the websocket (on logout: the next subscription opens a new one with the new cookie). */
export function resetWs(): void {
  ws?.dispose();
  ws = null;
}

export function makeClient(): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ credentials: 'same-origin', headers: consoleHeaders() }),
    // The answers to the first page's early requests (lib/early.ts, lib/firstPage.ts).
    fetch: fetchWithEarly,
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = getWsClient().subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

export const client = makeClient();
