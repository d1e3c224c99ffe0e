import { describe, expect, it } from 'vitest';
import { CombinedError } from '@urql/core';
import { apiError, errorMessage, hasCode } from './errors';
import { toggleKey } from './DataTable';
import { actionInput } from './reportActions';
import { wsUrl } from './client';

describe('errors', () => {
  const err = new CombinedError({
    graphQLErrors: [{ message: '报事已被更新', extensions: { code: 'CONFLICT', currentStatus: 'ACKNOWLEDGED' } }],
  });
  it('code, message, currentStatus', () => {
    expect(apiError(err)).toEqual({ code: 'CONFLICT', message: '报事已被更新', field: undefined, currentStatus: 'ACKNOWLEDGED' });
    expect(hasCode(err, 'CONFLICT')).toBe(true);
    expect(hasCode(err, 'UNAUTHENTICATED')).toBe(false);
    expect(errorMessage(err)).toBe('报事已被更新');
  });
  it('field of BAD_USER_INPUT', () => {
    const e = new CombinedError({ graphQLErrors: [{ message: 'too long', extensions: { code: 'BAD_USER_INPUT', field: 'note' } }] });
    expect(apiError(e)?.field).toBe('note');
  });
  it('network', () => {
    expect(apiError(new CombinedError({ networkError: new Error('offline') }))).toEqual({ code: 'NETWORK', message: 'offline' });
    expect(apiError(undefined)).toBeNull();
  });
});

describe('helpers', () => {
  it('toggleKey', () => {
    expect(toggleKey(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggleKey(['a'], 'b')).toEqual(['a', 'b']);
  });
  it('action inputs', () => {
    expect(actionInput('RESOLVE')).toMatchObject({ note: true, photos: true, reason: false });
    expect(actionInput('REJECT')).toMatchObject({ reason: true, reasonRequired: true, note: false });
    expect(actionInput('MARK_DUPLICATE')).toMatchObject({ originalId: true });
    expect(actionInput('CANCEL')).toMatchObject({ reason: true, reasonRequired: false });
  });
  it('ws url follows the page', () => {
    expect(wsUrl({ protocol: 'https:', host: 'linli.example' })).toBe('wss://linli.example/graphql/ws');
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql/ws');
  });
});
