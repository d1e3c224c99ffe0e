// Assessment dashboard: kpis() of an administered scope over months, quarters or years (Beijing dates), headline
// cards with every definition a hover away, a chart by period (ECharts, loaded lazily), a ranking of the scope's
// children (kpiRanking) and the exports.
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { Card, Col, DatePicker, Empty, Row, Segmented, Select, Space, Spin, Statistic, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { DashFiguresFragment } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { DashCategoriesDoc, DashKpisDoc } from './docs';
import { beijingToday, defaultPeriod, groupByOf, periodDates, periodLabel, type PeriodMode, type Ym } from './period';
import { formatHours, formatNumber, formatRate } from './format';
import KpiChart, { type ChartSeries } from './Chart';
import Ranking from './Ranking';
import ExportPanel from './Export';
import './messages';

const SCOPE_KEY = 'linli.console.dashboardScope';

const toDayjs = (a: Ym): Dayjs => dayjs(new Date(a.y, a.m, 1));
const toYm = (d: Dayjs): Ym => ({ y: d.year(), m: d.month() });

interface CardDef {
  key: string;
  label: string;
  /** Definition key(s), shown one per line. */
  def: string | string[];
  value: (f: DashFiguresFragment) => string;
  sub?: (f: DashFiguresFragment) => string;
}

function cards(hourUnit: string): CardDef[] {
  const pair = (a: number | null | undefined, b: number | null | undefined) => `${formatHours(a, hourUnit)} / ${formatHours(b, hourUnit)}`;
  return [
    { key: 'received', label: 'kpi.received', def: ['kpi.received.def', 'kpi.counted.def'], value: (f) => formatNumber(f.received), sub: (f) => `${t('kpi.counted')} ${f.counted}` },
    { key: 'resolved', label: 'kpi.resolved', def: ['kpi.resolved.def', 'kpi.dispatched.def', 'kpi.handledByHeads.def'], value: (f) => formatNumber(f.resolved), sub: (f) => `${t('kpi.dispatched')} ${f.dispatched} · ${t('kpi.handledByHeads')} ${f.handledByHeads}` },
    {
      key: 'ack',
      label: 'kpi.ack',
      def: 'kpi.ack.def',
      value: (f) => pair(f.timeToAcknowledge.p50BusinessHours, f.timeToAcknowledge.p90BusinessHours),
      sub: (f) => `${t('dash.p50p90')} · ${t('dash.hours')} · ${t('dash.ofReports', { count: f.timeToAcknowledge.reports })}`,
    },
    {
      key: 'resolve',
      label: 'kpi.resolve',
      def: 'kpi.resolve.def',
      value: (f) => pair(f.timeToResolve.p50BusinessHours, f.timeToResolve.p90BusinessHours),
      sub: (f) => `${t('dash.p50p90')} · ${t('dash.hours')} · ${t('dash.ofReports', { count: f.timeToResolve.reports })}`,
    },
    {
      key: 'breachRate',
      label: 'kpi.breachRate',
      def: ['kpi.breachRate.def', 'kpi.breachAck.def', 'kpi.breachHandle.def', 'kpi.breachStart.def', 'kpi.breachResolve.def'],
      value: (f) => formatRate(f.breachRate.any),
      sub: (f) => (['acknowledge', 'handle', 'start', 'resolve'] as const).map((k) => `${t(`kpi.stage.${k}`)} ${formatRate(f.breachRate[k])}`).join(' · '),
    },
    { key: 'resolvedWithinSlaRate', label: 'kpi.resolvedWithinSlaRate', def: 'kpi.resolvedWithinSlaRate.def', value: (f) => formatRate(f.resolvedWithinSlaRate) },
    { key: 'acknowledgedWithinSlaRate', label: 'kpi.acknowledgedWithinSlaRate', def: 'kpi.acknowledgedWithinSlaRate.def', value: (f) => formatRate(f.acknowledgedWithinSlaRate) },
    { key: 'reopenRate', label: 'kpi.reopenRate', def: 'kpi.reopenRate.def', value: (f) => formatRate(f.reopenRate) },
    { key: 'confirmationRate', label: 'kpi.confirmationRate', def: ['kpi.confirmationRate.def', 'kpi.autoCloseRate.def'], value: (f) => formatRate(f.confirmationRate), sub: (f) => `${t('kpi.autoCloseRate')} ${formatRate(f.autoCloseRate)}` },
    { key: 'averageRating', label: 'kpi.averageRating', def: ['kpi.averageRating.def', 'kpi.rated.def'], value: (f) => formatNumber(f.averageRating, 2), sub: (f) => t('dash.ofReports', { count: f.rated }) },
    { key: 'supports', label: 'kpi.supports', def: ['kpi.supports.def', 'kpi.supportedReports.def'], value: (f) => formatNumber(f.supports), sub: (f) => `${t('kpi.supportedReports')} ${f.supportedReports}` },
    { key: 'escalatedShare', label: 'kpi.escalatedShare', def: ['kpi.escalatedShare.def', 'kpi.escalationsPerReport.def'], value: (f) => formatRate(f.escalatedShare), sub: (f) => `${t('kpi.escalationsPerReport')} ${formatNumber(f.escalationsPerReport, 2)}` },
    { key: 'firstTimeFixRate', label: 'kpi.firstTimeFixRate', def: 'kpi.firstTimeFixRate.def', value: (f) => formatRate(f.firstTimeFixRate) },
  ];
}

/** A label with its definition one hover (or focus) away. */
function Defined({ label, def }: { label: string; def: string | string[] }) {
  const lines = (Array.isArray(def) ? def : [def]).map((d) => t(d));
  return (
    <Tooltip title={lines.map((l, i) => <div key={i}>{l}</div>)}>
      <span tabIndex={0} data-testid="kpi-label" style={{ cursor: 'help' }}>
        {t(label)} <QuestionCircleOutlined style={{ fontSize: 12, color: '#8c8c8c' }} />
      </span>
    </Tooltip>
  );
}

type LineKey = 'breachRate' | 'reopenRate' | 'resolvedWithinSlaRate' | 'ack' | 'resolve' | 'averageRating';
const LINES: { key: LineKey; label: string; rate: boolean; pick: (f: DashFiguresFragment) => number | null }[] = [
  { key: 'breachRate', label: 'kpi.breachRate', rate: true, pick: (f) => f.breachRate.any },
  { key: 'reopenRate', label: 'kpi.reopenRate', rate: true, pick: (f) => f.reopenRate },
  { key: 'resolvedWithinSlaRate', label: 'kpi.resolvedWithinSlaRate', rate: true, pick: (f) => f.resolvedWithinSlaRate },
  { key: 'ack', label: 'kpi.ack', rate: false, pick: (f) => f.timeToAcknowledge.p50BusinessHours },
  { key: 'resolve', label: 'kpi.resolve', rate: false, pick: (f) => f.timeToResolve.p50BusinessHours },
  { key: 'averageRating', label: 'kpi.averageRating', rate: false, pick: (f) => f.averageRating },
];
const pctFormatter = (v: number) => `${Math.round(v * 100)}%`;

export default function DashboardPage() {
  const lang = useLang();
  const { caps } = useMe();
  const scopes = caps.adminScopes;
  const [scopeId, setScopeId] = useState<string | undefined>(() => {
    const stored = localStorage.getItem(SCOPE_KEY);
    return scopes.find((s) => s.scopeId === stored)?.scopeId ?? scopes[0]?.scopeId;
  });
  const scope = scopes.find((s) => s.scopeId === scopeId);
  const today = beijingToday();
  const [period, setPeriod] = useState(() => defaultPeriod(today));
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [line, setLine] = useState<LineKey>('breachRate');
  const { from, to } = periodDates(period.mode, period.start, period.end, today);
  const groupBy = groupByOf(period.mode);

  const [cats] = useQuery({ query: DashCategoriesDoc });
  const [res, refetch] = useQuery({ query: DashKpisDoc, variables: { scopeId: scopeId ?? '', from, to, groupBy, categoryId }, pause: !scopeId });
  const kpis = res.data?.kpis;
  const hourUnit = t('dash.hourUnit');
  const defs = useMemo(() => cards(hourUnit), [hourUnit]);

  const lineDef = LINES.find((l) => l.key === line)!;
  const chart = useMemo(() => {
    if (!kpis) return null;
    const labels = kpis.rows.map((r) => periodLabel(kpis.groupBy, r.period));
    const series: ChartSeries[] = [
      { name: t('kpi.received'), type: 'bar', axis: 0, data: kpis.rows.map((r) => r.figures.received) },
      { name: t('kpi.resolved'), type: 'bar', axis: 0, data: kpis.rows.map((r) => r.figures.resolved) },
      { name: t(lineDef.label), type: 'line', axis: 1, data: kpis.rows.map((r) => lineDef.pick(r.figures)) },
    ];
    return { labels, series };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kpis, lineDef, lang]);

  if (!scopes.length) return <Empty description={t('dash.noScope')} />;

  const pickScope = (id: string) => {
    setScopeId(id);
    localStorage.setItem(SCOPE_KEY, id);
  };

  return (
    <div data-testid="dashboard-page">
      <Space wrap style={{ marginBottom: 12 }} align="center">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('dash.title')}
        </Typography.Title>
        <Typography.Text>{t('dash.scope')}</Typography.Text>
        <ScopePicker scopes={scopes} value={scopeId} onChange={pickScope} data-testid="dashboard-scope" />
        <Typography.Text>{t('dash.period')}</Typography.Text>
        <Segmented<PeriodMode>
          value={period.mode}
          onChange={(mode) => setPeriod((p) => ({ ...p, mode }))}
          options={(['month', 'quarter', 'year'] as const).map((m) => ({ value: m, label: t(`dash.mode.${m}`) }))}
          data-testid="dashboard-mode"
        />
        <DatePicker.RangePicker
          picker={period.mode}
          allowClear={false}
          value={[toDayjs(period.start), toDayjs(period.end)]}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(v) => {
            if (v?.[0] && v[1]) setPeriod((p) => ({ ...p, start: toYm(v[0]!), end: toYm(v[1]!) }));
          }}
          data-testid="dashboard-period"
        />
        <Select<string>
          style={{ width: 160 }}
          value={categoryId ?? ''}
          onChange={(v) => setCategoryId(v || null)}
          aria-label={t('dash.category')}
          options={[{ value: '', label: t('dash.allCategories') }, ...(cats.data?.categories ?? []).map((c) => ({ value: c.id, label: lang === 'en' ? c.nameEn || c.nameZh : c.nameZh }))]}
          data-testid="dashboard-category"
        />
      </Space>
      <Typography.Paragraph type="secondary" data-testid="dashboard-range">
        {t('dash.range', { from, to })}
      </Typography.Paragraph>

      {res.error && <ErrorBox error={res.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}

      <Card size="small" title={t('dash.headline')} style={{ marginBottom: 12 }}>
        {!kpis && res.fetching ? (
          <Spin />
        ) : kpis ? (
          <Row gutter={[12, 12]} data-testid="dashboard-kpis">
            {defs.map((c) => (
              <Col key={c.key} xs={12} md={8} xl={6} xxl={4}>
                <Card size="small" data-testid="kpi-card" data-kpi={c.key}>
                  <Statistic title={<Defined label={c.label} def={c.def} />} value={c.value(kpis.total)} valueStyle={{ fontSize: 20 }} />
                  {c.sub && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.sub(kpis.total)}
                    </Typography.Text>
                  )}
                </Card>
              </Col>
            ))}
          </Row>
        ) : null}
      </Card>

      <Row gutter={12}>
        <Col xs={24} xl={12}>
          <Card
            size="small"
            title={t('dash.chart')}
            style={{ marginBottom: 12 }}
            extra={
              <Space>
                <Typography.Text type="secondary">{t('dash.chartLine')}</Typography.Text>
                <Select<LineKey> size="small" value={line} onChange={setLine} style={{ width: 150 }} options={LINES.map((l) => ({ value: l.key, label: t(l.label) }))} aria-label={t('dash.chartLine')} />
              </Space>
            }
          >
            <div data-testid="dashboard-chart">
              {chart ? <KpiChart labels={chart.labels} series={chart.series} rightFormatter={lineDef.rate ? pctFormatter : undefined} /> : <Spin />}
            </div>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('dash.ranking')} style={{ marginBottom: 12 }}>
            {scope && <Ranking scopeId={scope.scopeId} scopeType={scope.scopeType} from={from} to={to} />}
          </Card>
        </Col>
      </Row>
      {scopeId && <ExportPanel scopeId={scopeId} from={from} to={to} categoryId={categoryId} />}
    </div>
  );
}
