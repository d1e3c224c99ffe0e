// Sessions: the user's console sessions (mySessions, newest first, ended ones too), revoke one (revokeSession).
import { useCallback, useEffect, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { Button, Popconfirm, Space, Table, Tag, Typography, message } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { graphql } from '../../gql';
import type { ConsoleSessionFieldsFragment } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { apiError, type ApiError } from '../../lib/errors';
import { appendPage } from '../../lib/liveList';
import { formatTime } from '../../lib/sla';
import { resetWs } from '../../lib/client';

export const ConsoleSessionFields = graphql(`
  fragment ConsoleSessionFields on ConsoleSession {
    id
    via
    createdAt
    lastUsedAt
    expiresAt
    revokedAt
    active
    current
    userAgent
  }
`);

const SessionsDoc = graphql(`
  query MySessions($first: Int, $after: String) {
    mySessions(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...ConsoleSessionFields }
    }
  }
`);

const RevokeDoc = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id) { ...ConsoleSessionFields }
  }
`);

type ConsoleSession = ConsoleSessionFieldsFragment;

/** "Chrome 120 on Windows"-ish short text for a user agent. */
export function shortAgent(ua: string | null | undefined): string {
  if (!ua) return '—';
  const browser = /Edg\/(\d+)/.exec(ua)?.[0].replace('Edg/', 'Edge ') ?? /Chrome\/(\d+)/.exec(ua)?.[0].replace('/', ' ') ?? /Firefox\/(\d+)/.exec(ua)?.[0].replace('/', ' ') ?? (/Safari\//.test(ua) ? 'Safari' : null);
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : null;
  const s = [browser, os].filter(Boolean).join(' · ');
  return s || ua.slice(0, 60);
}

export default function SessionsPage() {
  useLang();
  const client = useClient();
  const [rows, setRows] = useState<ConsoleSession[]>([]);
  const [page, setPage] = useState<{ hasNext: boolean; end: string | null }>({ hasNext: false, end: null });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [revoking, revoke] = useMutation(RevokeDoc);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const res = await client.query(SessionsDoc, { first: 50, after }, { requestPolicy: 'network-only' }).toPromise();
      setLoading(false);
      const conn = res.data?.mySessions;
      if (!conn) {
        setError(apiError(res.error));
        return;
      }
      setError(null);
      setRows((r) => (after ? appendPage(r, conn.nodes) : conn.nodes));
      setPage({ hasNext: conn.pageInfo.hasNextPage, end: conn.pageInfo.endCursor ?? null });
    },
    [client],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const doRevoke = async (s: ConsoleSession) => {
    const r = await revoke({ id: s.id });
    const err = apiError(r.error);
    if (err) {
      message.error(err.message);
      return;
    }
    message.success(t('sessions.revoked'));
    if (s.current) {
      resetWs();
      window.location.assign('/console/login');
      return;
    }
    const updated = r.data?.revokeSession;
    if (updated) setRows((list) => list.map((x) => (x.id === updated.id ? updated : x)));
  };

  return (
    <div data-testid="sessions-page">
      <Space style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sessions.title')}
        </Typography.Title>
        <Button icon={<ReloadOutlined />} onClick={() => void load(null)} loading={loading} aria-label={t('app.retry')} />
      </Space>
      {error && <ErrorBox error={error} onRetry={() => void load(null)} />}
      <Table<ConsoleSession>
        data-testid="sessions-table"
        rowKey="id"
        size="small"
        loading={loading && rows.length === 0}
        dataSource={rows}
        pagination={false}
        onRow={(s) => ({ 'data-testid': 'session-row', 'data-current': String(s.current), 'data-active': String(s.active) }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('sessions.userAgent'),
            render: (_, s) => (
              <Space>
                <span title={s.userAgent ?? ''}>{shortAgent(s.userAgent)}</span>
                {s.current && <Tag color="green">{t('sessions.current')}</Tag>}
                {!s.active && <Tag>{s.revokedAt ? t('sessions.revoked') : t('sessions.expired')}</Tag>}
              </Space>
            ),
          },
          { title: t('sessions.via'), width: 110, render: (_, s) => te('via', s.via) },
          { title: t('sessions.createdAt'), width: 150, render: (_, s) => formatTime(s.createdAt) },
          { title: t('sessions.lastUsedAt'), width: 150, render: (_, s) => formatTime(s.lastUsedAt) },
          { title: t('sessions.expiresAt'), width: 150, render: (_, s) => formatTime(s.revokedAt ?? s.expiresAt) },
          {
            title: '',
            width: 100,
            render: (_, s) =>
              s.active ? (
                <Popconfirm title={t('sessions.revokeConfirm')} onConfirm={() => void doRevoke(s)}>
                  <Button size="small" danger loading={revoking.fetching && revoking.operation?.variables.id === s.id} data-testid="session-revoke">
                    {t('sessions.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      {page.hasNext && (
        <Button style={{ marginTop: 12 }} onClick={() => void load(page.end)} loading={loading} data-testid="sessions-more">
          {t('queue.loadMore')}
        </Button>
      )}
    </div>
  );
}
