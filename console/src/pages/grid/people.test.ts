import { describe, expect, it } from 'vitest';
import { homeText, isPartialPhone, keepPicked, residentOptions, searchTerm, SEARCH_MAX_CHARS } from './people';
import { communityOf, type NodeKind } from './tree';

describe('resident search term', () => {
  it('trims, collapses spaces, empty is no filter', () => {
    expect(searchTerm('  张  三 ')).toBe('张 三');
    expect(searchTerm('   ')).toBeNull();
    expect(searchTerm('')).toBeNull();
  });
  it('a phone typed with spaces, hyphens or +86 becomes its 11 digits', () => {
    expect(searchTerm('13800138000')).toBe('13800138000');
    expect(searchTerm('138 0013 8000')).toBe('13800138000');
    expect(searchTerm('138-0013-8000')).toBe('13800138000');
    expect(searchTerm('+86 138 0013 8000')).toBe('13800138000');
    expect(searchTerm('8613800138000')).toBe('13800138000');
  });
  it('part of a phone is sent as typed (it can only match a nickname)', () => {
    expect(searchTerm('1380013')).toBe('1380013');
    expect(searchTerm(' 138 0013 ')).toBe('138 0013');
  });
  it('at most 50 characters (by character, not byte)', () => {
    expect([...(searchTerm('邻'.repeat(60)) ?? '')].length).toBe(SEARCH_MAX_CHARS);
  });
  it('tells part of a phone', () => {
    expect(isPartialPhone('1380013')).toBe(true);
    expect(isPartialPhone('138 0013')).toBe(true);
    expect(isPartialPhone('13800138000')).toBe(false);
    expect(isPartialPhone('+86 138 0013 8000')).toBe(false);
    expect(isPartialPhone('138')).toBe(false);
    expect(isPartialPhone('张三')).toBe(false);
    expect(isPartialPhone('张3800138')).toBe(false);
  });
});

describe('resident options', () => {
  const hit = (id: string, user: string, nickname: string, room: string) => ({
    id,
    unit: 2,
    room,
    user: { id: user, nickname },
    building: { name: '1号楼', compound: { name: '幸福家园' } },
  });
  it('home text in both languages', () => {
    expect(homeText(hit('r', 'u', 'n', '301'), 'zh')).toBe('幸福家园 1号楼 2单元 301');
    expect(homeText({ unit: 1, room: '101', building: { name: 'B1' } }, 'en')).toBe('B1 unit 1 101');
  });
  it('one option per user, homes merged, server order kept', () => {
    const o = residentOptions([hit('r1', 'u1', '张三', '301'), hit('r2', 'u2', '李四', '302'), hit('r3', 'u1', '张三', '401'), hit('r4', 'u1', '张三', '401')], 'zh');
    expect(o.map((x) => x.value)).toEqual(['u1', 'u2']);
    expect(o[0].homes).toEqual(['幸福家园 1号楼 2单元 301', '幸福家园 1号楼 2单元 401']);
  });
  it('keeps the chosen person among new results', () => {
    const a = { value: 'u1', nickname: 'A', homes: [] };
    const b = { value: 'u2', nickname: 'B', homes: [] };
    expect(keepPicked([b], a).map((x) => x.value)).toEqual(['u1', 'u2']);
    expect(keepPicked([a, b], a)).toHaveLength(2);
    expect(keepPicked([b], null)).toEqual([b]);
  });
});

describe('community of a grid node', () => {
  const items = new Map<string, { kind: NodeKind; id: string; parentKey: string }>([
    ['root/folder:all:all', { kind: 'folder:all', id: 'all', parentKey: 'root' }],
    ['d', { kind: 'District', id: 'dis_1', parentKey: 'root/folder:all:all' }],
    ['s', { kind: 'Street', id: 'str_1', parentKey: 'd' }],
    ['c', { kind: 'Community', id: 'com_1', parentKey: 's' }],
    ['fa', { kind: 'folder:areas', id: 'com_1', parentKey: 'c' }],
    ['a', { kind: 'Area', id: 'are_1', parentKey: 'fa' }],
    ['g', { kind: 'Group', id: 'grp_1', parentKey: 'a' }],
    ['n', { kind: 'Neighbourhood', id: 'nbh_1', parentKey: 'g' }],
    ['loop', { kind: 'Group', id: 'x', parentKey: 'loop' }],
  ]);
  it('walks up to the community', () => {
    expect(communityOf(items, 'n')).toBe('com_1');
    expect(communityOf(items, 'a')).toBe('com_1');
    expect(communityOf(items, 'c')).toBe('com_1');
  });
  it('none above a community, for unknown keys or a cycle', () => {
    expect(communityOf(items, 's')).toBeNull();
    expect(communityOf(items, 'd')).toBeNull();
    expect(communityOf(items, 'nope')).toBeNull();
    expect(communityOf(items, null)).toBeNull();
    expect(communityOf(items, 'loop')).toBeNull();
  });
});
