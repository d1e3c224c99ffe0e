// One mutation per report action, for the queue's bulk actions and the detail page's buttons.
import type { Client } from '@urql/core';
import { graphql } from '../gql';
import type { Action, QueueRowFragment } from '../gql/graphql';
import { apiError, type ApiError } from './errors';

const Acknowledge = graphql(`mutation AcknowledgeReport($id: ID!, $note: String) { acknowledgeReport(id: $id, note: $note) { ...QueueRow } }`);
const Dispatch = graphql(`mutation DispatchReport($id: ID!, $note: String) { dispatchReport(id: $id, note: $note) { ...QueueRow } }`);
const StartWork = graphql(`mutation StartWork($id: ID!, $note: String) { startWork(id: $id, note: $note) { ...QueueRow } }`);
const Resolve = graphql(`mutation ResolveReport($id: ID!, $note: String, $photoIds: [ID!]) { resolveReport(id: $id, note: $note, photoIds: $photoIds) { ...QueueRow } }`);
const Close = graphql(`mutation CloseReport($id: ID!, $note: String) { closeReport(id: $id, note: $note) { ...QueueRow } }`);
const Reject = graphql(`mutation RejectReport($id: ID!, $reason: String!) { rejectReport(id: $id, reason: $reason) { ...QueueRow } }`);
const Duplicate = graphql(`mutation MarkDuplicate($id: ID!, $originalId: ID!) { markDuplicate(id: $id, originalId: $originalId) { ...QueueRow } }`);
const Cancel = graphql(`mutation CancelReport($id: ID!, $reason: String) { cancelReport(id: $id, reason: $reason) { ...QueueRow } }`);
const Reopen = graphql(`mutation ReopenReport($id: ID!, $reason: String!, $photoIds: [ID!]) { reopenReport(id: $id, reason: $reason, photoIds: $photoIds) { ...QueueRow } }`);
const Urge = graphql(`mutation UrgeReport($id: ID!) { urgeReport(id: $id) { ...QueueRow } }`);
export const AddCommentDoc = graphql(`
  mutation AddComment($id: ID!, $body: String!, $photoIds: [ID!]) {
    addComment(id: $id, body: $body, photoIds: $photoIds) { id }
  }
`);

/** Actions the console offers as buttons (CONFIRM is the resident's, COMMENT has its own form). */
export const CONSOLE_ACTIONS: readonly Action[] = ['ACKNOWLEDGE', 'DISPATCH', 'START_WORK', 'RESOLVE', 'CLOSE', 'REJECT', 'MARK_DUPLICATE', 'REOPEN', 'CANCEL', 'URGE'];

/** What input an action asks for. */
export function actionInput(action: Action): { note: boolean; reasonRequired: boolean; reason: boolean; photos: boolean; originalId: boolean } {
  return {
    note: ['ACKNOWLEDGE', 'DISPATCH', 'START_WORK', 'RESOLVE', 'CLOSE'].includes(action),
    reason: ['REJECT', 'REOPEN', 'CANCEL'].includes(action),
    reasonRequired: action === 'REJECT' || action === 'REOPEN',
    photos: action === 'RESOLVE' || action === 'REOPEN',
    originalId: action === 'MARK_DUPLICATE',
  };
}

export interface ActionArgs {
  note?: string;
  reason?: string;
  photoIds?: string[];
  originalId?: string;
}

export type ActionResult = { ok: true; report: QueueRowFragment } | { ok: false; error: ApiError };

const blank = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);

export async function runAction(client: Client, action: Action, id: string, args: ActionArgs = {}): Promise<ActionResult> {
  const note = blank(args.note);
  const photoIds = args.photoIds && args.photoIds.length ? args.photoIds : undefined;
  const ctx = { additionalTypenames: ['Report'] };
  let res;
  switch (action) {
    case 'ACKNOWLEDGE':
      res = await client.mutation(Acknowledge, { id, note }, ctx).toPromise();
      return done(res, res.data?.acknowledgeReport);
    case 'DISPATCH':
      res = await client.mutation(Dispatch, { id, note }, ctx).toPromise();
      return done(res, res.data?.dispatchReport);
    case 'START_WORK':
      res = await client.mutation(StartWork, { id, note }, ctx).toPromise();
      return done(res, res.data?.startWork);
    case 'RESOLVE':
      res = await client.mutation(Resolve, { id, note, photoIds }, ctx).toPromise();
      return done(res, res.data?.resolveReport);
    case 'CLOSE':
      res = await client.mutation(Close, { id, note }, ctx).toPromise();
      return done(res, res.data?.closeReport);
    case 'REJECT':
      res = await client.mutation(Reject, { id, reason: args.reason?.trim() ?? '' }, ctx).toPromise();
      return done(res, res.data?.rejectReport);
    case 'MARK_DUPLICATE':
      res = await client.mutation(Duplicate, { id, originalId: args.originalId?.trim() ?? '' }, ctx).toPromise();
      return done(res, res.data?.markDuplicate);
    case 'CANCEL':
      res = await client.mutation(Cancel, { id, reason: blank(args.reason) }, ctx).toPromise();
      return done(res, res.data?.cancelReport);
    case 'REOPEN':
      res = await client.mutation(Reopen, { id, reason: args.reason?.trim() ?? '', photoIds }, ctx).toPromise();
      return done(res, res.data?.reopenReport);
    case 'URGE':
      res = await client.mutation(Urge, { id }, ctx).toPromise();
      return done(res, res.data?.urgeReport);
    default:
      return { ok: false, error: { code: 'UNSUPPORTED', message: action } };
  }
}

function done(res: { error?: Parameters<typeof apiError>[0] }, report: QueueRowFragment | undefined | null): ActionResult {
  const err = apiError(res.error);
  if (err) return { ok: false, error: err };
  if (!report) return { ok: false, error: { code: 'INTERNAL', message: 'no data' } };
  return { ok: true, report };
}
