import { beforeEach, describe, expect, it } from 'vitest';
import { loadMerchants, MERCHANTS_KEY, rememberMerchant } from './merchants';

describe('known merchants', () => {
  beforeEach(() => localStorage.clear());
  it('remembers newest first without duplicates', () => {
    let l = rememberMerchant([], { id: 'mch_1', name: 'A', address: 'x' });
    l = rememberMerchant(l, { id: 'mch_2', name: 'B', address: 'y' });
    l = rememberMerchant(l, { id: 'mch_1', name: 'A2', address: 'x' });
    expect(l.map((m) => m.id)).toEqual(['mch_1', 'mch_2']);
    expect(loadMerchants()[0].name).toBe('A2');
  });
  it('survives garbage', () => {
    localStorage.setItem(MERCHANTS_KEY, '{oops');
    expect(loadMerchants()).toEqual([]);
  });
});
