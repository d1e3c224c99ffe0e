// usePaged(): a first/after connection loaded page by page ("load more"), for the admin pages.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import type { TypedDocumentNode } from '@urql/core';
import { apiError, type ApiError } from '../../lib/errors';

export interface Conn<N> {
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  nodes: N[];
}

export interface Paged<N> {
  rows: N[];
  hasNext: boolean;
  loading: boolean;
  error: ApiError | null;
  loadMore: () => void;
  reload: () => void;
  /** Change the loaded rows locally (after a mutation). */
  setRows: (f: (rows: N[]) => N[]) => void;
}

/** Appends a page, dropping rows whose key is already there. */
export function mergePage<N>(rows: N[], page: N[], key: (n: N) => string): N[] {
  const seen = new Set(rows.map(key));
  return [...rows, ...page.filter((n) => !seen.has(key(n)))];
}

export function usePaged<Q, V extends { first?: number | null; after?: string | null }, N>(
  doc: TypedDocumentNode<Q, V>,
  vars: Omit<V, 'first' | 'after'> | null,
  pick: (q: Q) => Conn<N> | undefined | null,
  key: (n: N) => string,
  pageSize = 50,
): Paged<N> {
  const client = useClient();
  const [rows, setRowsState] = useState<N[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const varsKey = vars ? JSON.stringify(vars) : null;
  const gen = useRef(0);
  const pickRef = useRef(pick);
  const keyRef = useRef(key);
  useEffect(() => {
    pickRef.current = pick;
    keyRef.current = key;
  });

  const load = useCallback(
    async (after: string | null) => {
      if (varsKey === null) return;
      const my = ++gen.current;
      setLoading(true);
      setError(null);
      const v = { ...(JSON.parse(varsKey) as object), first: pageSize, after } as unknown as V;
      const res = await client.query(doc, v, { requestPolicy: 'network-only' }).toPromise();
      if (my !== gen.current) return;
      setLoading(false);
      const conn = res.data ? pickRef.current(res.data) : undefined;
      if (!conn) {
        setError(apiError(res.error) ?? { code: 'INTERNAL', message: 'no data' });
        return;
      }
      setRowsState((r) => (after ? mergePage(r, conn.nodes, keyRef.current) : conn.nodes));
      setCursor(conn.pageInfo.endCursor ?? null);
      setHasNext(conn.pageInfo.hasNextPage);
    },
    [client, doc, varsKey, pageSize],
  );

  useEffect(() => {
    setRowsState([]);
    setHasNext(false);
    setCursor(null);
    void load(null);
  }, [load]);

  return {
    rows,
    hasNext,
    loading,
    error,
    loadMore: () => void load(cursor),
    reload: () => void load(null),
    setRows: (f) => setRowsState(f),
  };
}
