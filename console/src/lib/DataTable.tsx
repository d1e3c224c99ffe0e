// A light table for long lists (the queue): antd's Table pulls ~90 kB gzip into the first page, this does not.
// Rows are focusable (Enter opens, Space selects), selection by checkbox, and rows beyond the first `windowSize`
// render on demand ("windowed" rendering by chunks as the user scrolls near the end).
import { useEffect, useRef, useState, type HTMLAttributes, type ReactNode } from 'react';
import { Checkbox, Empty, Spin } from 'antd';

export interface DataColumn<R> {
  key: string;
  title: ReactNode;
  width?: number;
  align?: 'left' | 'right' | 'center';
  render: (row: R) => ReactNode;
}

export interface DataTableProps<R> {
  rows: R[];
  rowKey: (row: R) => string;
  columns: DataColumn<R>[];
  selected?: string[];
  onSelect?: (keys: string[]) => void;
  onOpen?: (row: R) => void;
  rowClassName?: (row: R) => string;
  rowProps?: (row: R) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  loading?: boolean;
  empty?: ReactNode;
  chunk?: number;
  'data-testid'?: string;
  selectAllLabel?: string;
}

export function toggleKey(keys: string[], key: string): string[] {
  return keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key];
}

export default function DataTable<R>({ rows, rowKey, columns, selected, onSelect, onOpen, rowClassName, rowProps, loading, empty, chunk = 100, selectAllLabel, ...rest }: DataTableProps<R>) {
  const [shown, setShown] = useState(chunk);
  const sentinel = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setShown((s) => s + chunk);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [chunk, shown, rows.length]);

  const visible = rows.slice(0, shown);
  const keys = rows.map(rowKey);
  const sel = selected ?? [];
  const all = keys.length > 0 && keys.every((k) => sel.includes(k));
  const some = !all && keys.some((k) => sel.includes(k));
  const selectable = !!onSelect;

  return (
    <div className="dt-wrap" data-testid={rest['data-testid']}>
      <table className="dt">
        <colgroup>
          {selectable && <col style={{ width: 40 }} />}
          {columns.map((c) => (
            <col key={c.key} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {selectable && (
              <th className="dt-sel">
                <span data-testid="select-all">
                  <Checkbox aria-label={selectAllLabel} checked={all} indeterminate={some} onChange={(e) => onSelect!(e.target.checked ? keys : [])} />
                </span>
              </th>
            )}
            {columns.map((c) => (
              <th key={c.key} style={{ textAlign: c.align ?? 'left' }}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {visible.map((r) => {
            const k = rowKey(r);
            const isSel = sel.includes(k);
            return (
              <tr
                key={k}
                tabIndex={0}
                className={`dt-row${isSel ? ' dt-selected' : ''}${rowClassName ? ` ${rowClassName(r)}` : ''}`}
                aria-selected={selectable ? isSel : undefined}
                onClick={(e) => {
                  const el = e.target as HTMLElement;
                  if (el.closest('.dt-sel, button, a, .ant-checkbox-wrapper')) return;
                  onOpen?.(r);
                }}
                onKeyDown={(e) => {
                  if (e.target !== e.currentTarget) return;
                  if (e.key === 'Enter') onOpen?.(r);
                  else if (e.key === ' ' && selectable) {
                    e.preventDefault();
                    onSelect!(toggleKey(sel, k));
                  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    const next = (e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling) as HTMLElement | null;
                    next?.focus();
                  }
                }}
                {...rowProps?.(r)}
              >
                {selectable && (
                  <td className="dt-sel">
                    <span data-testid="row-select">
                      <Checkbox checked={isSel} onChange={() => onSelect!(toggleKey(sel, k))} tabIndex={-1} />
                    </span>
                  </td>
                )}
                {columns.map((c) => (
                  <td key={c.key} style={{ textAlign: c.align ?? 'left' }}>
                    {c.render(r)}
                  </td>
                ))}
              </tr>
            );
          })}
          {rows.length > shown && (
            <tr ref={sentinel} className="dt-more">
              <td colSpan={columns.length + (selectable ? 1 : 0)}>
                <Spin size="small" />
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {rows.length === 0 && <div className="dt-empty">{loading ? <Spin /> : (empty ?? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />)}</div>}
      {loading && rows.length > 0 && <div className="dt-loading"><Spin size="small" /></div>}
    </div>
  );
}
