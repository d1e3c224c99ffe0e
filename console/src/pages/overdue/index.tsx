// Overdue board: overdueReports(scopeId, state) near breach and breached, soonest due first, grouped by level.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from 'urql';
import { Badge, Button, Card, Col, Empty, List, Row, Space, Statistic, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { graphql } from '../../gql';
import type { GridLevel, OverdueState, QueueRowFragment } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { apiError, type ApiError } from '../../lib/errors';
import { appendPage } from '../../lib/liveList';
import { ClockTag, StatusTag, categoryName, locationText, shortId, useNow } from '../../lib/reportUi';
import { groupByLevel, LEVELS } from './group';

const OverdueDoc = graphql(`
  query OverdueReports($scopeId: ID!, $state: OverdueState!, $first: Int, $after: String) {
    overdueReports(scopeId: $scopeId, state: $state, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...QueueRow }
    }
  }
`);

const SCOPE_KEY = 'linli.console.overdueScope';

interface Col {
  rows: QueueRowFragment[];
  endCursor: string | null;
  hasNext: boolean;
  loading: boolean;
  error: ApiError | null;
}
const empty: Col = { rows: [], endCursor: null, hasNext: false, loading: false, error: null };

function useOverdue(scopeId: string | undefined, state: OverdueState) {
  const client = useClient();
  const [col, setCol] = useState<Col>(empty);
  const load = useCallback(
    async (after: string | null) => {
      if (!scopeId) return;
      setCol((c) => ({ ...c, loading: true, error: null }));
      const res = await client.query(OverdueDoc, { scopeId, state, first: 100, after }, { requestPolicy: 'network-only' }).toPromise();
      const conn = res.data?.overdueReports;
      if (!conn) {
        setCol((c) => ({ ...c, loading: false, error: apiError(res.error) }));
        return;
      }
      setCol((c) => ({
        rows: after ? appendPage(c.rows, conn.nodes) : conn.nodes,
        endCursor: conn.pageInfo.endCursor ?? null,
        hasNext: conn.pageInfo.hasNextPage,
        loading: false,
        error: null,
      }));
    },
    [client, scopeId, state],
  );
  useEffect(() => {
    setCol(empty);
    void load(null);
  }, [load]);
  return { ...col, load };
}

function Board({ title, state, scopeId, color }: { title: string; state: OverdueState; scopeId: string | undefined; color: string }) {
  const lang = useLang();
  const navigate = useNavigate();
  const now = useNow();
  const data = useOverdue(scopeId, state);
  const groups = useMemo(() => groupByLevel(data.rows), [data.rows]);
  const testState = state === 'BREACHED' ? 'breached' : 'near-breach';
  return (
    <Card
      size="small"
      data-testid={`overdue-${testState}`}
      title={
        <Space>
          <Badge color={color} />
          {title}
          <Tag data-testid={`overdue-${testState}-count`}>{data.rows.length}{data.hasNext ? '+' : ''}</Tag>
        </Space>
      }
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void data.load(null)} loading={data.loading} aria-label={t('app.retry')} />}
    >
      {data.error && <ErrorBox error={data.error} onRetry={() => void data.load(null)} />}
      <Space wrap style={{ marginBottom: 8 }}>
        {LEVELS.map((l) => (
          <Statistic key={l} title={te('level', l)} value={groups.get(l)?.length ?? 0} valueStyle={{ fontSize: 18 }} />
        ))}
      </Space>
      {data.rows.length === 0 && !data.loading && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      {LEVELS.filter((l) => groups.get(l)?.length).map((l: GridLevel) => (
        <div key={l} data-testid="overdue-level" data-level={l}>
          <Typography.Text strong>
            {te('level', l)} · {t('overdue.count', { count: groups.get(l)!.length })}
          </Typography.Text>
          <List
            size="small"
            dataSource={groups.get(l)}
            renderItem={(r) => (
              <List.Item
                tabIndex={0}
                className="queue-row"
                data-testid="overdue-row"
                data-id={r.id}
                onClick={() => navigate(`/reports/${encodeURIComponent(r.id)}`)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') navigate(`/reports/${encodeURIComponent(r.id)}`);
                }}
                extra={<ClockTag sla={r.sla} now={now} />}
              >
                <List.Item.Meta
                  title={
                    <Space size={4} wrap>
                      <Typography.Text code>{shortId(r.id)}</Typography.Text>
                      <StatusTag status={r.status} />
                      {categoryName(r.category, lang)}
                      {r.sla.stage && <Tag>{te('stage', r.sla.stage)}</Tag>}
                    </Space>
                  }
                  description={
                    <span className="desc-cell" style={{ display: 'block' }}>
                      {r.compound.name} {locationText(r.location)} · {r.description}
                    </span>
                  }
                />
              </List.Item>
            )}
          />
        </div>
      ))}
      {data.hasNext && (
        <Button block onClick={() => void data.load(data.endCursor)} loading={data.loading} data-testid={`overdue-${testState}-more`}>
          {t('queue.loadMore')}
        </Button>
      )}
    </Card>
  );
}

export default function OverduePage() {
  useLang();
  const { caps } = useMe();
  const scopes = caps.overdueScopes;
  const [scopeId, setScopeId] = useState<string | undefined>(() => {
    const stored = localStorage.getItem(SCOPE_KEY);
    return scopes.find((s) => s.scopeId === stored)?.scopeId ?? scopes[0]?.scopeId;
  });
  const pick = (id: string) => {
    setScopeId(id);
    localStorage.setItem(SCOPE_KEY, id);
  };
  if (!scopes.length) return <Empty description={t('overdue.noScope')} />;
  return (
    <div data-testid="overdue-page">
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('overdue.title')}
        </Typography.Title>
        <Typography.Text>{t('overdue.scope')}</Typography.Text>
        <ScopePicker scopes={scopes} value={scopeId} onChange={pick} data-testid="overdue-scope" />
      </Space>
      <Row gutter={12}>
        <Col xs={24} lg={12}>
          <Board title={t('overdue.breached')} state="BREACHED" scopeId={scopeId} color="red" />
        </Col>
        <Col xs={24} lg={12}>
          <Board title={t('overdue.nearBreach')} state="NEAR_BREACH" scopeId={scopeId} color="orange" />
        </Col>
      </Row>
    </div>
  );
}
