// A Select over the user's role scopes (from useMe().caps), e.g. for overdueReports, auditLog, kpis.
import { Select } from 'antd';
import { getLang, t, useLang } from './i18n';
import type { RoleScope } from './roles';

export interface ScopePickerProps {
  scopes: RoleScope[];
  value: string | undefined;
  onChange: (scopeId: string) => void;
  style?: React.CSSProperties;
  'data-testid'?: string;
}

/** Unique scopes by id, labelled "name (role)". */
export function scopeOptions(scopes: RoleScope[]): { value: string; label: string }[] {
  const seen = new Map<string, { value: string; label: string }>();
  for (const s of scopes) {
    if (!seen.has(s.scopeId)) seen.set(s.scopeId, { value: s.scopeId, label: getLang() === 'en' ? `${s.scopeName} (${t(`role.${s.role}`)})` : `${s.scopeName}（${t(`role.${s.role}`)}）` });
  }
  return [...seen.values()];
}

export function ScopePicker({ scopes, value, onChange, style, ...rest }: ScopePickerProps) {
  useLang();
  return (
    <Select
      data-testid={rest['data-testid'] ?? 'scope-picker'}
      style={{ minWidth: 240, ...style }}
      placeholder={t('scope.pick')}
      value={value}
      onChange={onChange}
      options={scopeOptions(scopes)}
      showSearch
      optionFilterProp="label"
    />
  );
}
