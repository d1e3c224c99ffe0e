import { describe, expect, it } from 'vitest';
import { auditRange, changedKeys, prettyJson } from './json';

describe('audit JSON', () => {
  it('pretty prints', () => {
    expect(prettyJson('{"a":1,"b":[2]}')).toBe('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}');
    expect(prettyJson('not json')).toBe('not json');
    expect(prettyJson(null)).toBe('');
  });
  it('finds the changed keys', () => {
    expect(changedKeys('{"name":"A","n":1}', '{"name":"B","n":1,"x":true}')).toEqual(['name', 'x']);
    expect(changedKeys(null, '{"id":"cpd_1"}')).toEqual(['id']);
  });
  it('turns Beijing dates into [from, to) instants', () => {
    expect(auditRange('2026-03-01', '2026-03-31')).toEqual({ from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' });
    expect(auditRange(null, null)).toEqual({ from: null, to: null });
  });
});
