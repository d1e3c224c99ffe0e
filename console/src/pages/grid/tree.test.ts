import { describe, expect, it } from 'vitest';
import { childKey, hasResidences, isLeaf, kindOfTypename, roleFor, unitsText } from './tree';
import { mergePage } from './paged';

describe('grid tree', () => {
  it('roles and leaves by kind', () => {
    expect(roleFor('Neighbourhood')).toBe('NEIGHBOUR_HEAD');
    expect(roleFor('PropertyCompany')).toBe('PROPERTY_STAFF');
    expect(roleFor('Compound')).toBeNull();
    expect(isLeaf('Building')).toBe(true);
    expect(isLeaf('Community')).toBe(false);
    expect(hasResidences('Community')).toBe(true);
    expect(hasResidences('Street')).toBe(false);
    expect(kindOfTypename('Street')).toBe('Street');
    expect(kindOfTypename('Report')).toBeNull();
  });
  it('keys stay unique per path', () => {
    expect(childKey('mine', { kind: 'Community', id: 'com_1' })).not.toBe(childKey('root/folder:all:all', { kind: 'Community', id: 'com_1' }));
  });
  it('groups units by building', () => {
    const b1 = { id: 'b1', name: '3号楼' };
    const b2 = { id: 'b2', name: '5号楼' };
    expect(unitsText([{ unit: 2, building: b1 }, { unit: 1, building: b1 }, { unit: 3, building: b2 }], 'zh')).toBe('3号楼 1、2单元；5号楼 3单元');
    expect(unitsText([{ unit: 1, building: b1 }], 'en')).toBe('3号楼 unit 1');
  });
  it('appends pages without duplicates', () => {
    expect(mergePage([{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }], (x) => x.id).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});
