import { useState } from 'react';
import { useQuery } from 'urql';
import { Button, Card, DatePicker, Select, Space, Table, Tooltip, Typography } from 'antd';
import { DownloadOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { IncStatisticsQuery, StatisticsGroupBy } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { IncStatisticsDoc } from './docs';
import { beijingMidnight, beijingToday, nextDay } from '../dashboard/period';
import type { ScopeProps } from './lists';

type Row = IncStatisticsQuery['incentiveStatistics']['rows'][number];
const FIGURES = ['pointsEarned', 'pointsSpent', 'issued', 'used', 'cancelled', 'expired'] as const;
const GROUPS: StatisticsGroupBy[] = ['COMMUNITY', 'MERCHANT', 'DAY', 'WEEK', 'MONTH'];

/** [from, to) instants of the Beijing dates `from`..`to` (included). */
export function statsRange(from: string, to: string): { from: string; to: string } {
  return { from: beijingMidnight(from), to: beijingMidnight(nextDay(to)) };
}

export default function Statistics({ scopeId, setScopeId }: ScopeProps) {
  useLang();
  const { caps } = useMe();
  const today = beijingToday();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs(today).subtract(2, 'month').startOf('month'), dayjs(today)]);
  const [groupBy, setGroupBy] = useState<StatisticsGroupBy>('COMMUNITY');
  const r = statsRange(range[0].format('YYYY-MM-DD'), range[1].format('YYYY-MM-DD'));
  const [res, refetch] = useQuery({ query: IncStatisticsDoc, variables: { scopeId: scopeId ?? '', from: r.from, to: r.to, groupBy }, pause: !scopeId });
  const data = res.data?.incentiveStatistics;
  const csv = scopeId ? `/export/incentives.csv?${new URLSearchParams({ scopeId, from: r.from, to: r.to, groupBy }).toString()}` : undefined;

  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 8 }}>
        <ScopePicker scopes={caps.adminScopes} value={scopeId} onChange={setScopeId} data-testid="stats-scope" />
        <Typography.Text>{t('inc.stats.range')}</Typography.Text>
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} />
        <Select<StatisticsGroupBy> value={groupBy} onChange={setGroupBy} style={{ width: 120 }} options={GROUPS.map((g) => ({ value: g, label: t(`inc.stats.groupBy.${g}`) }))} aria-label={t('inc.stats.groupBy')} />
        <Button href={csv} icon={<DownloadOutlined />} disabled={!csv} data-testid="stats-csv">
          {t('inc.stats.csv')}
        </Button>
      </Space>
      {res.error && <ErrorBox error={res.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      <Table<Row>
        size="small"
        rowKey={(x) => x.id ?? x.name}
        loading={res.fetching}
        dataSource={data?.rows ?? []}
        pagination={false}
        data-testid="stats-table"
        columns={[
          { title: t('inc.name'), dataIndex: 'name' },
          ...FIGURES.map((f) => ({
            title: (
              <Tooltip title={t(`inc.stats.${f}.def`)}>
                <span tabIndex={0}>
                  {t(`inc.stats.${f}`)} <QuestionCircleOutlined style={{ fontSize: 12, color: '#8c8c8c' }} />
                </span>
              </Tooltip>
            ),
            key: f,
            align: 'right' as const,
            render: (_: unknown, x: Row) => x.figures[f] ?? '—',
          })),
        ]}
        summary={() =>
          data ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <Typography.Text strong>{t('inc.stats.total')}</Typography.Text>
              </Table.Summary.Cell>
              {FIGURES.map((f, i) => (
                <Table.Summary.Cell key={f} index={i + 1} align="right">
                  <Typography.Text strong>{data.totals[f] ?? '—'}</Typography.Text>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          ) : null
        }
      />
    </Card>
  );
}
