// Small report display pieces shared by the queue, the detail page and the overdue board.
import { useEffect, useState } from 'react';
import { Tag, Tooltip } from 'antd';
import type { Status } from '../gql/graphql';
import { te, getLang, type Lang } from './i18n';
import { clockColor, formatTime, slaClock } from './sla';

const STATUS_COLOR: Record<Status, string> = {
  SUBMITTED: 'blue',
  ACKNOWLEDGED: 'cyan',
  DISPATCHED: 'purple',
  IN_PROGRESS: 'geekblue',
  RESOLVED: 'green',
  CLOSED: 'default',
  REJECTED: 'red',
  DUPLICATE: 'default',
  CANCELLED: 'default',
  REOPENED: 'volcano',
};

export function StatusTag({ status }: { status: Status }) {
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="status-tag" data-status={status}>
      {te('status', status)}
    </Tag>
  );
}

export function categoryName(c: { nameZh: string; nameEn: string } | null | undefined, lang: Lang = getLang()): string {
  if (!c) return '';
  return lang === 'en' ? c.nameEn || c.nameZh : c.nameZh;
}

/** "3号楼 2单元 301" or the public area. */
export function locationText(l: { unit?: number | null; room?: string | null; publicArea?: string | null; building?: { name: string } | null } | null | undefined): string {
  if (!l) return '';
  if (l.publicArea) return l.publicArea;
  const parts: string[] = [];
  if (l.building) parts.push(l.building.name);
  if (l.unit != null) parts.push(getLang() === 'en' ? `unit ${l.unit}` : `${l.unit}单元`);
  if (l.room) parts.push(l.room);
  return parts.join(' ');
}

/** Re-render every `ms` (the SLA clocks). */
export function useNow(ms = 30000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}

export function ClockTag({ sla, now }: { sla: Parameters<typeof slaClock>[0]; now: Date }) {
  const c = slaClock(sla, now);
  if (c.state === 'none') return <span>{c.text}</span>;
  return (
    <Tooltip title={sla?.dueAt ? formatTime(sla.dueAt) : undefined}>
      <Tag color={clockColor(c.state)} data-testid="sla-clock" data-state={c.state} data-breached={String(c.breached)}>
        {c.breached && c.state !== 'over' ? '! ' : ''}
        {c.text}
      </Tag>
    </Tooltip>
  );
}

export function shortId(id: string): string {
  return id.length > 10 ? `…${id.slice(-8)}` : id;
}
