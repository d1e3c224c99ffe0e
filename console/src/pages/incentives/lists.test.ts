import { describe, expect, it } from 'vitest';
import { ALL, currentScope, merchantOptions, PACKAGE_STATUSES, packageLabel, packageTitles, REDEMPTION_STATUSES, statusArg } from './lists';

describe('incentive lists', () => {
  it('status filter to the query argument', () => {
    expect(statusArg(ALL, PACKAGE_STATUSES)).toBeNull();
    expect(statusArg('DRAFT', PACKAGE_STATUSES)).toBe('DRAFT');
    expect(statusArg('USED', PACKAGE_STATUSES)).toBeNull();
    expect(statusArg('USED', REDEMPTION_STATUSES)).toBe('USED');
  });
  it('merchant options, deduplicated, with the address', () => {
    const o = merchantOptions([
      { id: 'mch_1', name: '便民超市', address: '幸福路 1 号' },
      { id: 'mch_2', name: 'Barber' },
      { id: 'mch_1', name: '便民超市', address: '幸福路 1 号' },
    ]);
    expect(o).toEqual([
      { value: 'mch_1', label: '便民超市（幸福路 1 号）' },
      { value: 'mch_2', label: 'Barber' },
    ]);
    expect(merchantOptions([{ id: 'm', name: 'Shop', address: 'High St' }], 'en')[0].label).toBe('Shop (High St)');
  });
  it('package titles of redemptions, else the id', () => {
    const titles = packageTitles([{ id: 'pkg_1', title: '旧' }], [{ id: 'pkg_1', title: '理发券' }, { id: 'pkg_2', title: '洗车' }]);
    expect(packageLabel(titles, 'pkg_1')).toEqual({ text: '理发券', known: true });
    expect(packageLabel(titles, 'pkg_9')).toEqual({ text: 'pkg_9', known: false });
  });
  it('current scope falls back to the first', () => {
    const scopes = [{ scopeId: 'com_1' }, { scopeId: 'str_1' }];
    expect(currentScope('str_1', scopes)).toBe('str_1');
    expect(currentScope('gone', scopes)).toBe('com_1');
    expect(currentScope(undefined, scopes)).toBe('com_1');
    expect(currentScope(undefined, [])).toBeUndefined();
  });
});
