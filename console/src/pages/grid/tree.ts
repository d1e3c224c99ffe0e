// The org tree's levels: what each kind of node holds below it and how its children are fetched.
import type { Client } from '@urql/core';
import type { Role } from '../../gql/graphql';
import { apiError, type ApiError } from '../../lib/errors';
import {
  GridAreasDoc,
  GridBuildingsDoc,
  GridCommunitiesDoc,
  GridCompaniesDoc,
  GridCompoundsDoc,
  GridDistrictsDoc,
  GridGroupsDoc,
  GridNeighbourhoodsDoc,
  GridStreetsDoc,
} from './docs';

export type UnitKind = 'District' | 'Street' | 'Community' | 'Compound' | 'Building' | 'Area' | 'Group' | 'Neighbourhood' | 'PropertyCompany' | 'Merchant';
export type FolderKind = 'all' | 'companies' | 'compounds' | 'areas';
export type NodeKind = UnitKind | `folder:${FolderKind}` | 'more';

export interface Person {
  id: string;
  nickname: string;
}

export interface GridItem {
  kind: NodeKind;
  /** The unit's id (a folder: its owner's id). */
  id: string;
  name: string;
  head?: Person | null;
  address?: string;
  company?: { id: string; name: string } | null;
  unitCount?: number;
  compound?: { id: string; name: string };
  units?: { unit: number; building: { id: string; name: string } }[];
}

export interface ChildPage {
  items: GridItem[];
  hasNext: boolean;
  endCursor: string | null;
}

export const LEAF_KINDS: readonly NodeKind[] = ['Building', 'Neighbourhood', 'PropertyCompany', 'Merchant', 'more'];

export function isLeaf(kind: NodeKind): boolean {
  return LEAF_KINDS.includes(kind);
}

/** The folders shown under a unit instead of one list (a community's compounds and grid areas). */
export function foldersOf(kind: NodeKind): FolderKind[] {
  if (kind === 'Community') return ['compounds', 'areas'];
  return [];
}

/** The role `appoint` gives over a unit of this kind (none: nobody is appointed over it). */
export function roleFor(kind: NodeKind): Role | null {
  switch (kind) {
    case 'District':
      return 'DISTRICT_ADMIN';
    case 'Street':
      return 'STREET_ADMIN';
    case 'Community':
      return 'COMMUNITY_ADMIN';
    case 'Area':
      return 'AREA_HEAD';
    case 'Group':
      return 'GROUP_HEAD';
    case 'Neighbourhood':
      return 'NEIGHBOUR_HEAD';
    case 'PropertyCompany':
      return 'PROPERTY_STAFF';
    case 'Merchant':
      return 'MERCHANT_STAFF';
    default:
      return null;
  }
}

/** Whether `residences(scopeId)` answers for this kind. */
export function hasResidences(kind: NodeKind): boolean {
  return kind === 'Community' || kind === 'Neighbourhood';
}

/**
 * The community a node sits in (itself for a community), walking up the tree through `parentKey`; null above a
 * community (a district, street, property company) or when it is not known.
 */
export function communityOf(items: ReadonlyMap<string, { kind: NodeKind; id: string; parentKey: string }>, key: string | null): string | null {
  const seen = new Set<string>();
  for (let k = key; k && !seen.has(k); ) {
    seen.add(k);
    const it = items.get(k);
    if (!it) return null;
    if (it.kind === 'Community') return it.id;
    k = it.parentKey;
  }
  return null;
}

/** A tree key unique even when a unit shows twice (under the admin's scopes and under all districts). */
export function childKey(parentKey: string, item: Pick<GridItem, 'kind' | 'id'>): string {
  return `${parentKey}/${item.kind}:${item.id}`;
}

type Page<T> = { pageInfo: { hasNextPage: boolean; endCursor?: string | null }; nodes: T[] } | undefined;

function page<T>(conn: Page<T>, map: (n: T) => GridItem): ChildPage | null {
  if (!conn) return null;
  return { items: conn.nodes.map(map), hasNext: conn.pageInfo.hasNextPage, endCursor: conn.pageInfo.endCursor ?? null };
}

function conn<K extends string, T = { id: string; name: string; head?: Person | null }>(node: unknown, field: K): Page<T> {
  if (node && typeof node === 'object' && field in node) return (node as Record<K, Page<T>>)[field];
  return undefined;
}

export const PAGE_SIZE = 100;

/** One page of the children of a node (`id` is the unit, or for a folder its owner). */
export async function loadChildren(client: Client, kind: NodeKind, id: string, after: string | null): Promise<ChildPage | ApiError> {
  const vars = { id, first: PAGE_SIZE, after };
  const opts = { requestPolicy: 'network-only' as const };
  let out: ChildPage | null;
  let error: ApiError | null;
  const simple = (k: UnitKind) => (n: { id: string; name: string; head?: Person | null }) => ({ kind: k, id: n.id, name: n.name, head: n.head ?? null });
  switch (kind) {
    case 'folder:all': {
      const r = await client.query(GridDistrictsDoc, { first: PAGE_SIZE, after }, opts).toPromise();
      error = apiError(r.error);
      out = page(r.data?.districts, simple('District'));
      break;
    }
    case 'District': {
      const r = await client.query(GridStreetsDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn(r.data?.node, 'streets'), simple('Street'));
      if (out && !after) out.items.push({ kind: 'folder:companies', id, name: '' });
      break;
    }
    case 'folder:companies': {
      const r = await client.query(GridCompaniesDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn(r.data?.node, 'propertyCompanies'), simple('PropertyCompany'));
      break;
    }
    case 'Street': {
      const r = await client.query(GridCommunitiesDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn(r.data?.node, 'communities'), simple('Community'));
      break;
    }
    case 'Community':
      return { items: foldersOf('Community').map((f) => ({ kind: `folder:${f}` as const, id, name: '' })), hasNext: false, endCursor: null };
    case 'folder:compounds': {
      const r = await client.query(GridCompoundsDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn<'compounds', { id: string; name: string; address: string; propertyCompany: { id: string; name: string } | null }>(r.data?.node, 'compounds'), (n) => ({
        kind: 'Compound',
        id: n.id,
        name: n.name,
        address: n.address,
        company: n.propertyCompany,
      }));
      break;
    }
    case 'folder:areas': {
      const r = await client.query(GridAreasDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn(r.data?.node, 'areas'), simple('Area'));
      break;
    }
    case 'Compound': {
      const r = await client.query(GridBuildingsDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn<'buildings', { id: string; name: string; unitCount: number }>(r.data?.node, 'buildings'), (n) => ({ kind: 'Building', id: n.id, name: n.name, unitCount: n.unitCount }));
      break;
    }
    case 'Area': {
      const r = await client.query(GridGroupsDoc, vars, opts).toPromise();
      error = apiError(r.error);
      out = page(conn(r.data?.node, 'groups'), simple('Group'));
      break;
    }
    case 'Group': {
      const r = await client.query(GridNeighbourhoodsDoc, vars, opts).toPromise();
      error = apiError(r.error);
      type N = { id: string; name: string; head: Person | null; compound: { id: string; name: string }; units: { unit: number; building: { id: string; name: string } }[] };
      out = page(conn<'neighbourhoods', N>(r.data?.node, 'neighbourhoods'), (n) => ({
        kind: 'Neighbourhood',
        id: n.id,
        name: n.name,
        head: n.head,
        compound: n.compound,
        units: n.units,
      }));
      break;
    }
    default:
      return { items: [], hasNext: false, endCursor: null };
  }
  return out ?? error ?? { code: 'INTERNAL', message: 'no data' };
}

export function isApiError(x: ChildPage | ApiError): x is ApiError {
  return 'code' in x && 'message' in x;
}

/** "3号楼 1、2单元；5号楼 3单元" — a neighbourhood's units grouped by building. */
export function unitsText(units: { unit: number; building: { id: string; name: string } }[], lang: 'zh' | 'en'): string {
  const by = new Map<string, { name: string; units: number[] }>();
  for (const u of units) {
    const b = by.get(u.building.id) ?? { name: u.building.name, units: [] };
    b.units.push(u.unit);
    by.set(u.building.id, b);
  }
  return [...by.values()]
    .map((b) => {
      const list = [...b.units].sort((x, y) => x - y);
      return lang === 'en' ? `${b.name} unit ${list.join(', ')}` : `${b.name} ${list.join('、')}单元`;
    })
    .join(lang === 'en' ? '; ' : '；');
}

/** The tree kind of a role scope's __typename (the admin's own scopes at the root). */
export function kindOfTypename(t: string): UnitKind | null {
  const kinds: UnitKind[] = ['District', 'Street', 'Community', 'Compound', 'Building', 'Area', 'Group', 'Neighbourhood', 'PropertyCompany', 'Merchant'];
  return (kinds as string[]).includes(t) ? (t as UnitKind) : null;
}
