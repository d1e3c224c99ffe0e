// Audit log: the admin actions over a unit and everything below it (auditLog), newest first, filtered by actor,
// action, object and dates, paged from the server; each row expands to its before/after JSON.
import { useState } from 'react';
import { Button, Card, DatePicker, Descriptions, Empty, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { graphql } from '../../gql';
import type { AuditAction, AuditLogQuery } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { auditRange, changedKeys, prettyJson } from './json';
import './messages';


const AuditLogDoc = graphql(`
  query AuditLog($scopeId: ID!, $actorId: ID, $action: AuditAction, $objectId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    auditLog(scopeId: $scopeId, actorId: $actorId, action: $action, objectId: $objectId, from: $from, to: $to, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }
    }
  }
`);

type Entry = AuditLogQuery['auditLog']['nodes'][number];

export const ACTIONS: AuditAction[] = [
  'UNIT_CREATED',
  'UNIT_RENAMED',
  'NEIGHBOURHOOD_UNITS_SET',
  'CATEGORY_UPDATED',
  'CALENDAR_UPDATED',
  'APPOINTMENT_MADE',
  'APPOINTMENT_REVOKED',
  'RESIDENCE_VERIFIED',
  'RESIDENCE_REJECTED',
  'COMPANY_REGISTERED',
  'MANAGEMENT_ASSIGNED',
  'MERCHANT_REGISTERED',
  'PACKAGE_CREATED',
  'PACKAGE_STATUS_CHANGED',
  'REDEMPTION_CANCELLED',
  'VOTE_PERIOD_OPENED',
  'VOTE_PERIOD_CLOSED',
  'CONTENT_MODERATED',
  'REPORTS_MERGED',
  'REPORT_ACTED',
  'DATA_EXPORTED',
  'API_KEY_CREATED',
  'API_KEY_REVOKED',
  'API_KEY_USED',
  'WEBHOOK_CREATED',
  'WEBHOOK_RESUMED',
  'WEBHOOK_UPDATED',
  'WEBHOOK_SECRET_ROTATED',
  'WEBHOOK_DELETED',
];

interface Filters {
  actorId?: string;
  action?: AuditAction;
  objectId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function JsonBlock({ title, text, changed }: { title: string; text: string | null; changed: string[] }) {
  return (
    <div style={{ flex: 1, minWidth: 280 }}>
      <Typography.Text strong>{title}</Typography.Text>
      {text ? (
        <pre className="audit-json" style={{ background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 6, padding: 8, maxHeight: 320, overflow: 'auto', fontSize: 12, margin: '4px 0 0' }}>
          {prettyJson(text)}
        </pre>
      ) : (
        <Typography.Paragraph type="secondary">{t('audit.none')}</Typography.Paragraph>
      )}
      {changed.length > 0 && title === t('audit.after') && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('audit.changed')}: {changed.join(', ')}
        </Typography.Text>
      )}
    </div>
  );
}

function Detail({ e }: { e: Entry }) {
  const changed = changedKeys(e.before, e.after);
  return (
    <div data-testid="audit-detail">
      <Descriptions size="small" column={3} style={{ marginBottom: 8 }}>
        <Descriptions.Item label={t('audit.seq')}>{e.seq}</Descriptions.Item>
        <Descriptions.Item label={t('audit.scope')}>
          {te('audit.scopeKind', e.scopeKind)} <Typography.Text code>{e.scopeId}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.requestId')}>{e.requestId ?? '—'}</Descriptions.Item>
        {e.reason && (
          <Descriptions.Item label={t('audit.reason')} span={3}>
            {e.reason}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('audit.hash')} span={3}>
          <Typography.Text code copyable style={{ fontSize: 11 }}>
            {e.hash}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
        <JsonBlock title={t('audit.before')} text={e.before} changed={changed} />
        <JsonBlock title={t('audit.after')} text={e.after} changed={changed} />
      </div>
    </div>
  );
}

export default function AuditPage() {
  useLang();
  const { caps } = useMe();
  const scopes = caps.adminScopes;
  const [scopeId, setScopeId] = useState<string | undefined>(scopes[0]?.scopeId);
  const [filters, setFilters] = useState<Filters>({});
  const [form] = Form.useForm<Filters>();
  const range = auditRange(filters.range?.[0]?.format('YYYY-MM-DD') ?? null, filters.range?.[1]?.format('YYYY-MM-DD') ?? null);
  const list = usePaged(
    AuditLogDoc,
    scopeId
      ? {
          scopeId,
          actorId: filters.actorId?.trim() || null,
          action: filters.action ?? null,
          objectId: filters.objectId?.trim() || null,
          from: range.from,
          to: range.to,
        }
      : null,
    (q) => q.auditLog,
    (e) => `${e.seq}`,
  );
  const [expanded, setExpanded] = useState<React.Key[]>([]);

  if (!scopes.length) return <Empty description={t('audit.noScope')} />;

  return (
    <div data-testid="audit-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('audit.title')}
      </Typography.Title>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form form={form} layout="inline" onFinish={(v) => setFilters(v)} style={{ rowGap: 8 }} data-testid="audit-filters">
          <Form.Item label={t('audit.scope')}>
            <ScopePicker scopes={scopes} value={scopeId} onChange={setScopeId} data-testid="audit-scope" />
          </Form.Item>
          <Form.Item name="action" label={t('audit.action')}>
            <Select allowClear style={{ width: 180 }} placeholder={t('audit.any')} options={ACTIONS.map((a) => ({ value: a, label: te('audit.action', a) }))} data-testid="audit-action" />
          </Form.Item>
          <Form.Item name="actorId" label={t('audit.actor')}>
            <Input allowClear placeholder="usr_…" style={{ width: 150 }} data-testid="audit-actor" />
          </Form.Item>
          <Form.Item name="objectId" label={t('audit.object')}>
            <Input allowClear style={{ width: 150 }} data-testid="audit-object" />
          </Form.Item>
          <Form.Item name="range" label={t('audit.dates')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" data-testid="audit-search">
                {t('audit.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                }}
              >
                {t('audit.reset')}
              </Button>
              <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('audit.reload')} />
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      <Table<Entry>
        size="small"
        rowKey={(e) => String(e.seq)}
        loading={list.loading}
        dataSource={list.rows}
        pagination={false}
        scroll={{ x: 1000 }}
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (k) => setExpanded([...k]),
          expandedRowRender: (e) => <Detail e={e} />,
          expandRowByClick: false,
        }}
        onRow={(e) =>
          ({
            'data-testid': 'audit-row',
            'data-seq': String(e.seq),
            'data-action': e.action,
            tabIndex: 0,
            onKeyDown: (ev: React.KeyboardEvent<HTMLElement>) => {
              if (ev.target !== ev.currentTarget) return;
              if (ev.key === 'Enter' || ev.key === ' ') {
                ev.preventDefault();
                const k = String(e.seq);
                setExpanded((x) => (x.includes(k) ? x.filter((y) => y !== k) : [...x, k]));
              }
            },
          }) as React.HTMLAttributes<HTMLElement>
        }
        columns={[
          { title: t('audit.at'), key: 'at', width: 160, render: (_, e) => formatTime(e.at) },
          {
            title: t('audit.actor'),
            key: 'actor',
            render: (_, e) =>
              e.actor ? (
                <span>
                  {e.actor.nickname}
                  {e.actorRole && <Tag style={{ marginLeft: 4 }}>{te('role', e.actorRole)}</Tag>}
                </span>
              ) : (
                <Tag>{t('role.SYSTEM')}</Tag>
              ),
          },
          { title: t('audit.action'), key: 'action', render: (_, e) => <Tag color="blue">{te('audit.action', e.action)}</Tag> },
          {
            title: t('audit.object'),
            key: 'object',
            render: (_, e) => (
              <span>
                {e.objectKind} <Typography.Text code>{e.objectId}</Typography.Text>
              </span>
            ),
          },
          { title: t('audit.reason'), key: 'reason', render: (_, e) => <span className="desc-cell" style={{ display: 'inline-block', maxWidth: 240 }}>{e.reason ?? ''}</span> },
        ]}
      />
      <Space style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">{t('audit.count', { count: list.rows.length })}</Typography.Text>
        {list.hasNext && (
          <Button onClick={list.loadMore} loading={list.loading} data-testid="audit-more">
            {t('audit.loadMore')}
          </Button>
        )}
      </Space>
    </div>
  );
}
