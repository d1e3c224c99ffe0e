// useMe(): who is signed in, their active appointments and what the console lets them do.
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useQuery } from 'urql';
import type { CombinedError } from '@urql/core';
import { MeDoc } from './meDoc';
import type { MeQuery } from '../gql/graphql';
import { capabilities, queueKinds, type Capabilities, type RoleScope } from './roles';
import { rememberQueueKinds } from './queueHint';

export { MeDoc };

export type MeUser = MeQuery['me'];

export interface MeState {
  me: MeUser | null;
  caps: Capabilities;
  fetching: boolean;
  error: CombinedError | undefined;
  refetch: () => void;
}

export function rolesOf(me: MeUser | null | undefined): RoleScope[] {
  if (!me) return [];
  return me.roles
    .filter((r) => r.active)
    .map((r) => ({
      appointmentId: r.id,
      role: r.role,
      scopeId: r.scope.id,
      scopeName: 'name' in r.scope && typeof r.scope.name === 'string' ? r.scope.name : r.scope.id,
      scopeType: r.scope.__typename ?? 'Node',
    }));
}

const MeContext = createContext<MeState | null>(null);

export function MeProvider({ children }: { children: ReactNode }) {
  const [res, reexec] = useQuery({ query: MeDoc, requestPolicy: 'cache-and-network' });
  const me = res.data?.me ?? null;
  const value = useMemo<MeState>(
    () => ({
      me,
      caps: capabilities(rolesOf(me)),
      fetching: res.fetching,
      error: res.error,
      refetch: () => reexec({ requestPolicy: 'network-only' }),
    }),
    [me, res.fetching, res.error, reexec],
  );
  // For the next start-up's early request of the queue (lib/firstPage.ts).
  useEffect(() => {
    if (me) rememberQueueKinds(queueKinds(value.caps));
  }, [me, value.caps]);
  return <MeContext.Provider value={value}>{children}</MeContext.Provider>;
}

export function useMe(): MeState {
  const v = useContext(MeContext);
  if (!v) throw new Error('useMe() outside <MeProvider>');
  return v;
}
