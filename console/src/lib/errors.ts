// GraphQL error helpers: the server's `errors[].extensions.code` and its message (already in the requested language).
import type { CombinedError } from '@urql/core';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'NETWORK'
  | string;

export interface ApiError {
  code: ErrorCode;
  message: string;
  field?: string;
  currentStatus?: string;
}

interface GqlLikeError {
  message: string;
  extensions?: Record<string, unknown>;
}

export function fromGraphQLError(e: GqlLikeError): ApiError {
  const ext = e.extensions ?? {};
  return {
    code: typeof ext.code === 'string' ? ext.code : 'INTERNAL',
    message: e.message,
    field: typeof ext.field === 'string' ? ext.field : undefined,
    currentStatus: typeof ext.currentStatus === 'string' ? ext.currentStatus : undefined,
  };
}

/** The first error of a urql CombinedError, as code + message. */
export function apiError(error: CombinedError | undefined | null): ApiError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) return fromGraphQLError(first);
  if (error.networkError) return { code: 'NETWORK', message: error.networkError.message };
  return { code: 'INTERNAL', message: error.message };
}

export function hasCode(error: CombinedError | undefined | null, code: ErrorCode): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.code === code);
}

/** The message to show a person. */
export function errorMessage(error: CombinedError | ApiError | undefined | null): string {
  if (!error) return '';
  if ('graphQLErrors' in error) return apiError(error)?.message ?? error.message;
  return error.message;
}
