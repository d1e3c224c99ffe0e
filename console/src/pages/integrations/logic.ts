// The Integrations page's rules: which of the admin's scopes can have webhooks (a community or the district; a
// property company's or a community's under a street by its ID), who manages API keys (district admins), and how a
// webhook's state reads.
import type { RoleScope } from '../../lib/roles';

export const WEBHOOK_EVENTS = ['REPORT_SUBMITTED', 'REPORT_ACTED', 'REPORT_ESCALATED', 'REPORT_SUPPORTED', 'COMMENT_ADDED', 'SLA_WARNED', 'SLA_BREACHED'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** The admin scopes a webhook can be registered for: communities and districts (a street has none of its own). */
export function webhookScopes(adminScopes: readonly RoleScope[]): RoleScope[] {
  const seen = new Set<string>();
  return adminScopes.filter((s) => {
    if (s.scopeType !== 'Community' && s.scopeType !== 'District') return false;
    if (seen.has(s.scopeId)) return false;
    seen.add(s.scopeId);
    return true;
  });
}

/** The districts whose API keys the user manages (district admins only). */
export function keyDistricts(adminScopes: readonly RoleScope[]): RoleScope[] {
  const seen = new Set<string>();
  return adminScopes.filter((s) => s.role === 'DISTRICT_ADMIN' && !seen.has(s.scopeId) && (seen.add(s.scopeId), true));
}

/** An ID typed by hand for another scope: a community (`com_…`), a property company (`pco_…`) or a district (`dst_…`), trimmed; null if
 * it is neither. */
export function otherScopeId(raw: string): string | null {
  const id = raw.trim();
  return /^(com|pco|dst)_[A-Za-z0-9_-]+$/.test(id) ? id : null;
}

/** A webhook URL the form lets through (the server checks it again, and in production refuses private targets). */
export function plausibleUrl(raw: string): boolean {
  try {
    const u = new URL(raw.trim());
    return (u.protocol === 'https:' || u.protocol === 'http:') && !!u.hostname && !u.username && !u.password;
  } catch {
    return false;
  }
}

export type WebhookTone = 'ok' | 'retrying' | 'paused';

/** How a webhook stands for its admin: delivering, retrying (failures in a row), or paused. */
export function webhookTone(w: { status: string; failures: number }): WebhookTone {
  if (w.status === 'PAUSED') return 'paused';
  return w.failures > 0 ? 'retrying' : 'ok';
}

/** The events' order as the form lists them, whatever order they came in. */
export function sortEvents<E extends string>(events: readonly E[]): E[] {
  const rank = (e: string) => {
    const i = (WEBHOOK_EVENTS as readonly string[]).indexOf(e);
    return i < 0 ? WEBHOOK_EVENTS.length : i;
  };
  return [...events].sort((a, b) => rank(a) - rank(b));
}
