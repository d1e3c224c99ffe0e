// Picks a community the admin administers: their communities directly, or through their streets and districts
// (loaded lazily per level, as the grid tree is).
import { useMemo, useState } from 'react';
import { useClient } from 'urql';
import { Cascader, message } from 'antd';
import { t, useLang } from '../../lib/i18n';
import type { RoleScope } from '../../lib/roles';
import { isApiError, loadChildren, kindOfTypename, type NodeKind } from '../grid/tree';

interface Opt {
  value: string;
  label: string;
  kind: NodeKind;
  isLeaf: boolean;
  children?: Opt[];
  loading?: boolean;
}

/** The roots: the admin's communities, streets and districts (each once). */
export function rootOptions(scopes: RoleScope[]): Opt[] {
  const seen = new Set<string>();
  const out: Opt[] = [];
  for (const s of scopes) {
    const kind = kindOfTypename(s.scopeType);
    if (!kind || !['Community', 'Street', 'District'].includes(kind) || seen.has(s.scopeId)) continue;
    seen.add(s.scopeId);
    out.push({ value: s.scopeId, label: s.scopeName, kind, isLeaf: kind === 'Community' });
  }
  return out;
}

function setChildren(list: Opt[], value: string, children: Opt[]): Opt[] {
  return list.map((o) => (o.value === value ? { ...o, children, loading: false } : o.children ? { ...o, children: setChildren(o.children, value, children) } : o));
}

export function CommunityPicker({ scopes, value, onChange, preset }: { scopes: RoleScope[]; preset?: { id: string; name: string } | null; value: string[] | undefined; onChange: (path: string[], community: { id: string; name: string } | null) => void }) {
  useLang();
  const client = useClient();
  const initial = useMemo(() => {
    const roots = rootOptions(scopes);
    if (preset && !roots.some((o) => o.value === preset.id)) roots.unshift({ value: preset.id, label: preset.name, kind: 'Community', isLeaf: true });
    return roots;
  }, [scopes, preset]);
  const [options, setOptions] = useState<Opt[]>(initial);

  const loadData = async (selected: Opt[]) => {
    const target = selected[selected.length - 1];
    if (!target || target.isLeaf) return;
    const items: Opt[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res = await loadChildren(client, target.kind, target.value, after);
      if (isApiError(res)) {
        message.error(res.message);
        return;
      }
      for (const it of res.items) {
        if (it.kind === 'Street' || it.kind === 'Community') items.push({ value: it.id, label: it.name, kind: it.kind, isLeaf: it.kind === 'Community' });
      }
      if (!res.hasNext) break;
      after = res.endCursor;
    }
    setOptions((o) => setChildren(o, target.value, items));
  };

  return (
    <Cascader<Opt>
      data-testid="import-community"
      style={{ minWidth: 320 }}
      placeholder={t('gi.pickCommunity')}
      options={options}
      loadData={loadData}
      value={value}
      changeOnSelect={false}
      showSearch={false}
      onChange={(path, opts) => {
        const last = opts?.[opts.length - 1];
        onChange((path ?? []) as string[], last && last.kind === 'Community' ? { id: last.value, name: last.label } : null);
      }}
    />
  );
}
