import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Button, Card, Col, Descriptions, Input, Popconfirm, Row, Select, Space, Table, Tag, Tooltip, Typography, message } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { IncIssuedRedemptionsQuery, IncRedemptionFragment } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { IncCancelRedemptionDoc, IncIssuedRedemptionsDoc, IncPackageTitlesDoc, IncVerifyRedemptionDoc } from './docs';
import { ALL, packageLabel, packageTitles, REDEMPTION_STATUSES, statusArg, type ScopeProps } from './lists';

type Issued = IncIssuedRedemptionsQuery['issuedRedemptions']['nodes'][number];

const COLOR: Record<string, string> = { ISSUED: 'blue', USED: 'green', CANCELLED: 'default', EXPIRED: 'default' };

function PackageName({ titles, id }: { titles: ReadonlyMap<string, string>; id: string }) {
  const l = packageLabel(titles, id);
  return l.known ? (
    <span data-testid="redemption-package">{l.text}</span>
  ) : (
    <Tooltip title={t('inc.packageNotLoaded')}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="redemption-package">
        {l.text}
      </Typography.Text>
    </Tooltip>
  );
}

function RedemptionView({ r, titles }: { r: IncRedemptionFragment; titles: ReadonlyMap<string, string> }) {
  return (
    <Descriptions size="small" column={2} bordered data-testid="redemption-result" style={{ marginTop: 8 }}>
      <Descriptions.Item label={t('inc.code')}>{r.code}</Descriptions.Item>
      <Descriptions.Item label={t('inc.pkg.status')}>
        <Tag color={COLOR[r.status]}>{te('inc.status', r.status)}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t('inc.points')}>{r.points}</Descriptions.Item>
      <Descriptions.Item label={t('inc.package')}>
        <PackageName titles={titles} id={r.packageId} />
      </Descriptions.Item>
      <Descriptions.Item label={t('inc.createdAt')}>{formatTime(r.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('inc.usedAt')}>{r.usedAt ? formatTime(r.usedAt) : '—'}</Descriptions.Item>
    </Descriptions>
  );
}

/** The titles of the scope's packages (the newest 100), for the redemptions' package column. */
function useTitles(scopeId: string | undefined): ReadonlyMap<string, string> {
  const [res] = useQuery({ query: IncPackageTitlesDoc, variables: { scopeId: scopeId ?? '', first: 100 }, pause: !scopeId, requestPolicy: 'cache-and-network' });
  return packageTitles(res.data?.managedPackages.nodes ?? []);
}

export default function Redemptions({ scopeId, setScopeId }: ScopeProps) {
  useLang();
  const { caps } = useMe();
  const [code, setCode] = useState('');
  const [cancelId, setCancelId] = useState('');
  const [verified, setVerified] = useState<IncRedemptionFragment | null>(null);
  const [cancelled, setCancelled] = useState<IncRedemptionFragment | null>(null);
  const [filter, setFilter] = useState<string>(ALL);
  const [vs, verify] = useMutation(IncVerifyRedemptionDoc);
  const [cs, cancel] = useMutation(IncCancelRedemptionDoc);
  const list = usePaged(IncIssuedRedemptionsDoc, scopeId ? { scopeId, status: statusArg(filter, REDEMPTION_STATUSES) } : null, (q) => q.issuedRedemptions, (r) => r.id);
  const titles = useTitles(scopeId);

  const doVerify = async () => {
    if (!code.trim()) return;
    const r = await verify({ code: code.trim() });
    if (r.data) {
      setVerified(r.data.verifyRedemption);
      message.success(t('inc.verified'));
      setCode('');
      list.reload();
    } else message.error(apiError(r.error)?.message);
  };
  const doCancel = async (id: string) => {
    if (!id.trim()) return;
    const r = await cancel({ id: id.trim() });
    if (r.data) {
      setCancelled(r.data.cancelRedemption);
      message.success(t('inc.cancelled'));
      setCancelId('');
      list.reload();
    } else message.error(apiError(r.error)?.message);
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Row gutter={12}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('inc.verify')} style={{ height: '100%' }}>
            <Typography.Paragraph type="secondary">{t('inc.verifyHint')}</Typography.Paragraph>
            <Space.Compact style={{ width: '100%' }}>
              <Input value={code} onChange={(e) => setCode(e.target.value)} onPressEnter={() => void doVerify()} placeholder="K7MQ-3XRT" data-testid="redemption-code" aria-label={t('inc.code')} />
              <Button type="primary" onClick={() => void doVerify()} loading={vs.fetching} data-testid="redemption-verify">
                {t('inc.verifyDo')}
              </Button>
            </Space.Compact>
            {verified && <RedemptionView r={verified} titles={titles} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('inc.cancel')} style={{ height: '100%' }}>
            <Typography.Paragraph type="secondary">{t('inc.cancelHint')}</Typography.Paragraph>
            <Space.Compact style={{ width: '100%' }}>
              <Input value={cancelId} onChange={(e) => setCancelId(e.target.value)} onPressEnter={() => void doCancel(cancelId)} placeholder="red_…" aria-label={t('inc.redemptionId')} />
              <Button danger onClick={() => void doCancel(cancelId)} loading={cs.fetching}>
                {t('inc.cancelDo')}
              </Button>
            </Space.Compact>
            {cancelled && <RedemptionView r={cancelled} titles={titles} />}
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={
          <Space wrap style={{ fontWeight: 'normal' }}>
            <Typography.Text strong>{t('inc.issuedRedemptions')}</Typography.Text>
            <ScopePicker scopes={caps.adminScopes} value={scopeId} onChange={setScopeId} data-testid="redemption-scope" />
            <Select<string>
              value={filter}
              onChange={setFilter}
              style={{ width: 120 }}
              aria-label={t('inc.pkg.status')}
              data-testid="redemption-status-filter"
              options={[{ value: ALL, label: t('inc.allStatuses') }, ...REDEMPTION_STATUSES.map((st) => ({ value: st, label: te('inc.status', st) }))]}
            />
            <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('inc.reload')} disabled={!scopeId} />
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('inc.issuedHint')}
        </Typography.Paragraph>
        {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
        <Table<Issued>
          size="small"
          rowKey="id"
          loading={list.loading}
          pagination={false}
          dataSource={list.rows}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('inc.noRedemptions') }}
          onRow={(r) => ({ 'data-testid': 'redemption-row', 'data-id': r.id, 'data-status': r.status }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('inc.package'), key: 'p', render: (_, r) => <PackageName titles={titles} id={r.packageId} /> },
            { title: t('inc.pkg.status'), key: 's', render: (_, r) => <Tag color={COLOR[r.status]}>{te('inc.status', r.status)}</Tag> },
            { title: t('inc.points'), dataIndex: 'points', align: 'right' },
            { title: t('inc.createdAt'), key: 'c', render: (_, r) => formatTime(r.createdAt) },
            { title: t('inc.expiresAt'), key: 'e', render: (_, r) => formatTime(r.expiresAt) },
            { title: t('inc.endedAt'), key: 'u', render: (_, r) => (r.usedAt ? formatTime(r.usedAt) : r.endedAt ? formatTime(r.endedAt) : '—') },
            { title: t('inc.redemptionId'), dataIndex: 'id', render: (id: string) => <Typography.Text copyable style={{ fontSize: 12 }}>{id}</Typography.Text> },
            {
              title: t('inc.actions'),
              key: 'x',
              render: (_, r) =>
                r.status === 'ISSUED' ? (
                  <Popconfirm title={t('inc.cancelConfirm')} onConfirm={() => doCancel(r.id)}>
                    <Button size="small" danger data-testid="redemption-cancel">
                      {t('inc.cancelDo')}
                    </Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
        {list.hasNext && (
          <Button block onClick={list.loadMore} loading={list.loading} style={{ marginTop: 8 }} data-testid="redemption-more">
            {t('inc.loadMore')}
          </Button>
        )}
      </Card>
    </Space>
  );
}
