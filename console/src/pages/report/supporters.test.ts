import { describe, expect, it } from 'vitest';
import { mergePage } from '../grid/paged';
import { hiddenSupporters, supporterKey } from './supporters';

describe('report supporters', () => {
  const a = { name: '赵**', isMe: false, at: '2026-12-01T01:00:00Z', merged: false };
  const b = { name: '我', isMe: true, at: '2026-12-01T02:00:00Z', merged: false };
  const c = { name: '钱**', isMe: false, at: '2026-12-01T01:00:00Z', merged: true };
  it('pages merge without repeating a supporter', () => {
    expect(mergePage([a, b], [b, c], supporterKey)).toEqual([a, b, c]);
    expect(supporterKey(a)).not.toBe(supporterKey(c));
  });
  it('counts the supporters not shown, once all pages are in', () => {
    expect(hiddenSupporters(5, 1, false)).toBe(4);
    expect(hiddenSupporters(5, 1, true)).toBe(0);
    expect(hiddenSupporters(2, 3, false)).toBe(0);
  });
});
