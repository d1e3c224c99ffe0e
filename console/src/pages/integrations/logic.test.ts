import { describe, expect, it } from 'vitest';
import type { RoleScope } from '../../lib/roles';
import { keyDistricts, otherScopeId, plausibleUrl, sortEvents, webhookScopes, webhookTone } from './logic';

const s = (role: RoleScope['role'], scopeId: string, scopeType: string): RoleScope => ({ appointmentId: role + scopeId, role, scopeId, scopeName: scopeId, scopeType });

describe('integrations', () => {
  it('webhooks belong to communities and districts, each once; a street has none of its own', () => {
    const scopes = [s('COMMUNITY_ADMIN', 'com_1', 'Community'), s('STREET_ADMIN', 'str_1', 'Street'), s('DISTRICT_ADMIN', 'dst_1', 'District'), s('COMMUNITY_ADMIN', 'com_1', 'Community')];
    expect(webhookScopes(scopes).map((x) => x.scopeId)).toEqual(['com_1', 'dst_1']);
  });
  it('API keys are managed by district admins only', () => {
    expect(keyDistricts([s('COMMUNITY_ADMIN', 'com_1', 'Community'), s('STREET_ADMIN', 'str_1', 'Street')])).toEqual([]);
    expect(keyDistricts([s('DISTRICT_ADMIN', 'dst_1', 'District'), s('DISTRICT_ADMIN', 'dst_1', 'District')]).map((x) => x.scopeId)).toEqual(['dst_1']);
  });
  it('another scope by its ID: a community, a company or a district', () => {
    expect(otherScopeId('  pco_AbC-1 ')).toBe('pco_AbC-1');
    expect(otherScopeId('com_9')).toBe('com_9');
    expect(otherScopeId('str_1')).toBeNull();
    expect(otherScopeId('pco_ 1')).toBeNull();
    expect(otherScopeId('')).toBeNull();
  });
  it('a URL the form lets through', () => {
    expect(plausibleUrl('https://wo.example.com/linli')).toBe(true);
    expect(plausibleUrl('http://127.0.0.1:9000/hook')).toBe(true);
    expect(plausibleUrl('ftp://example.com/x')).toBe(false);
    expect(plausibleUrl('https://user:pw@example.com/')).toBe(false);
    expect(plausibleUrl('example.com/hook')).toBe(false);
  });
  it('a webhook delivering, retrying or paused', () => {
    expect(webhookTone({ status: 'ACTIVE', failures: 0 })).toBe('ok');
    expect(webhookTone({ status: 'ACTIVE', failures: 2 })).toBe('retrying');
    expect(webhookTone({ status: 'PAUSED', failures: 12 })).toBe('paused');
  });
  it('events in the form\'s order', () => {
    expect(sortEvents(['SLA_BREACHED', 'REPORT_SUBMITTED', 'COMMENT_ADDED'])).toEqual(['REPORT_SUBMITTED', 'COMMENT_ADDED', 'SLA_BREACHED']);
  });
});
