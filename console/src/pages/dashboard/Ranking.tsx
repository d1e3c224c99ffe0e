// kpiRanking: the children of the scope ranked on one figure, with ties, insufficient data and the move since
// the previous period.
import { useState } from 'react';
import { useQuery } from 'urql';
import { InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import type { DashRankingQuery, KpiMetric, KpiRanked } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { DashRankingDoc } from './docs';
import { formatMetric, rankMove, tiedRanks } from './format';
import { METRIC_DEF } from './messages';

type Entry = DashRankingQuery['kpiRanking']['entries'][number];

export const METRICS: KpiMetric[] = [
  'MEDIAN_BUSINESS_HOURS_TO_ACKNOWLEDGE',
  'MEDIAN_HOURS_TO_ACKNOWLEDGE',
  'MEDIAN_BUSINESS_HOURS_TO_RESOLVE',
  'MEDIAN_HOURS_TO_RESOLVE',
  'ACKNOWLEDGED_WITHIN_SLA_RATE',
  'RESOLVED_WITHIN_SLA_RATE',
  'BREACH_RATE',
  'ESCALATIONS_PER_REPORT',
  'REOPEN_RATE',
  'CONFIRMATION_RATE',
  'AUTO_CLOSE_RATE',
  'AVERAGE_RATING',
  'FIRST_TIME_FIX_RATE',
  'REPORTS',
];

/** What can be ranked below a scope of this kind (`kpiRanking.scope`). */
export function rankedFor(scopeType: string): KpiRanked[] {
  switch (scopeType) {
    case 'District':
      return ['COMMUNITY', 'COMPOUND', 'COMPANY'];
    case 'Street':
      return ['COMMUNITY', 'COMPOUND'];
    case 'Community':
      return ['COMPOUND', 'HEAD'];
    default:
      return [];
  }
}

const MOVE_COLOR = { up: '#389e0d', down: '#cf1322', same: undefined, new: undefined, none: undefined } as const;

export default function Ranking({ scopeId, scopeType, from, to }: { scopeId: string; scopeType: string; from: string; to: string }) {
  useLang();
  const options = rankedFor(scopeType);
  const [picked, setPicked] = useState<KpiRanked | undefined>(undefined);
  const ranked = picked && options.includes(picked) ? picked : options[0];
  const [metric, setMetric] = useState<KpiMetric>('MEDIAN_BUSINESS_HOURS_TO_RESOLVE');
  const [minimumSample, setMinimumSample] = useState(20);
  const [res, refetch] = useQuery({
    query: DashRankingDoc,
    variables: { scope: ranked ?? 'COMPOUND', childrenOf: scopeId, metric, from, to, minimumSample },
    pause: !ranked,
  });
  if (!ranked) return null;
  const r = res.data?.kpiRanking;
  const ties = r ? tiedRanks(r.entries) : new Set<number>();
  const hourUnit = t('dash.hourUnit');

  return (
    <div data-testid="dashboard-ranking">
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Text>{t('dash.rankWhat')}</Typography.Text>
        <Select<KpiRanked> value={ranked} onChange={setPicked} style={{ width: 130 }} options={options.map((o) => ({ value: o, label: t(`dash.ranked.${o}`) }))} data-testid="ranking-scope" aria-label={t('dash.rankWhat')} />
        <Typography.Text>{t('dash.metric')}</Typography.Text>
        <Select<KpiMetric>
          value={metric}
          onChange={setMetric}
          style={{ width: 260 }}
          options={METRICS.map((m) => ({ value: m, label: t(`metric.${m}`) }))}
          data-testid="ranking-metric"
          aria-label={t('dash.metric')}
        />
        <Tooltip title={t(METRIC_DEF[metric] ?? '')}>
          <QuestionCircleOutlined aria-label={t(METRIC_DEF[metric] ?? '')} tabIndex={0} />
        </Tooltip>
        <Typography.Text>{t('dash.minimumSample')}</Typography.Text>
        <InputNumber min={1} max={10000} value={minimumSample} onChange={(v) => setMinimumSample(v ?? 20)} style={{ width: 90 }} aria-label={t('dash.minimumSample')} />
        <Tooltip title={t('dash.rankHint')}>
          <QuestionCircleOutlined tabIndex={0} aria-label={t('dash.rankHint')} />
        </Tooltip>
      </Space>
      {r && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {t(`dash.direction.${r.direction}`)} · {t('dash.previousPeriod', { from: r.previousFrom, to: r.previousTo })}
        </Typography.Paragraph>
      )}
      {res.error && <ErrorBox error={res.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      <Table<Entry>
        size="small"
        rowKey="id"
        loading={res.fetching}
        dataSource={r?.entries ?? []}
        pagination={(r?.entries.length ?? 0) > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        onRow={(e) => ({ 'data-testid': 'ranking-row', 'data-id': e.id, 'data-rank': e.rank == null ? '' : String(e.rank) }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('dash.col.rank'),
            key: 'rank',
            width: 110,
            render: (_, e) =>
              e.insufficientData || e.rank == null ? (
                <Tag data-testid="ranking-insufficient">{t('dash.insufficient')}</Tag>
              ) : (
                <span>
                  <Typography.Text strong>{e.rank}</Typography.Text>
                  {ties.has(e.rank) && (
                    <Tag style={{ marginLeft: 6 }} data-testid="ranking-tie">
                      {t('dash.tie')}
                    </Tag>
                  )}
                </span>
              ),
          },
          { title: t('dash.col.name'), dataIndex: 'name' },
          { title: t('dash.col.value'), key: 'value', align: 'right', render: (_, e) => formatMetric(metric, e.value, hourUnit) },
          { title: t('dash.col.sample'), dataIndex: 'sample', align: 'right' },
          {
            title: t('dash.col.previous'),
            key: 'prev',
            align: 'right',
            render: (_, e) => (
              <Tooltip title={`${formatMetric(metric, e.previousValue, hourUnit)} · ${t('dash.ofReports', { count: e.previousSample })}`}>
                <span>{e.previousRank ?? '—'}</span>
              </Tooltip>
            ),
          },
          {
            title: t('dash.col.change'),
            key: 'change',
            align: 'center',
            render: (_, e) => {
              const m = rankMove(e);
              if (m.dir === 'new') return <Tag color="blue">{t('dash.new')}</Tag>;
              return (
                <span data-testid="ranking-change" data-dir={m.dir} style={{ color: MOVE_COLOR[m.dir], fontWeight: 600 }}>
                  {m.text}
                </span>
              );
            },
          },
        ]}
      />
    </div>
  );
}
