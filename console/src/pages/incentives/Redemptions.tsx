import { useState } from 'react';
import { useMutation } from 'urql';
import { Button, Card, Col, Descriptions, Input, Row, Space, Table, Tag, Typography, message } from 'antd';
import type { IncRedemptionFragment } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { IncCancelRedemptionDoc, IncMyRedemptionsDoc, IncVerifyRedemptionDoc } from './docs';

const COLOR: Record<string, string> = { ISSUED: 'blue', USED: 'green', CANCELLED: 'default', EXPIRED: 'default' };

function RedemptionView({ r }: { r: IncRedemptionFragment }) {
  return (
    <Descriptions size="small" column={2} bordered data-testid="redemption-result" style={{ marginTop: 8 }}>
      <Descriptions.Item label={t('inc.code')}>{r.code}</Descriptions.Item>
      <Descriptions.Item label={t('inc.pkg.status')}>
        <Tag color={COLOR[r.status]}>{te('inc.status', r.status)}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t('inc.points')}>{r.points}</Descriptions.Item>
      <Descriptions.Item label={t('inc.package')}>{r.packageId}</Descriptions.Item>
      <Descriptions.Item label={t('inc.createdAt')}>{formatTime(r.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('inc.usedAt')}>{r.usedAt ? formatTime(r.usedAt) : '—'}</Descriptions.Item>
    </Descriptions>
  );
}

export default function Redemptions() {
  useLang();
  const [code, setCode] = useState('');
  const [cancelId, setCancelId] = useState('');
  const [verified, setVerified] = useState<IncRedemptionFragment | null>(null);
  const [cancelled, setCancelled] = useState<IncRedemptionFragment | null>(null);
  const [vs, verify] = useMutation(IncVerifyRedemptionDoc);
  const [cs, cancel] = useMutation(IncCancelRedemptionDoc);
  const mine = usePaged(IncMyRedemptionsDoc, { status: null }, (q) => q.myRedemptions, (r) => r.id);

  const doVerify = async () => {
    if (!code.trim()) return;
    const r = await verify({ code: code.trim() });
    if (r.data) {
      setVerified(r.data.verifyRedemption);
      message.success(t('inc.verified'));
      setCode('');
    } else message.error(apiError(r.error)?.message);
  };
  const doCancel = async () => {
    if (!cancelId.trim()) return;
    const r = await cancel({ id: cancelId.trim() });
    if (r.data) {
      setCancelled(r.data.cancelRedemption);
      message.success(t('inc.cancelled'));
      setCancelId('');
    } else message.error(apiError(r.error)?.message);
  };

  return (
    <Row gutter={12}>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('inc.verify')} style={{ marginBottom: 12 }}>
          <Typography.Paragraph type="secondary">{t('inc.verifyHint')}</Typography.Paragraph>
          <Space.Compact style={{ width: '100%' }}>
            <Input value={code} onChange={(e) => setCode(e.target.value)} onPressEnter={() => void doVerify()} placeholder="K7MQ-3XRT" data-testid="redemption-code" aria-label={t('inc.code')} />
            <Button type="primary" onClick={() => void doVerify()} loading={vs.fetching} data-testid="redemption-verify">
              {t('inc.verifyDo')}
            </Button>
          </Space.Compact>
          {verified && <RedemptionView r={verified} />}
        </Card>
        <Card size="small" title={t('inc.cancel')}>
          <Typography.Paragraph type="secondary">{t('inc.cancelHint')}</Typography.Paragraph>
          <Space.Compact style={{ width: '100%' }}>
            <Input value={cancelId} onChange={(e) => setCancelId(e.target.value)} onPressEnter={() => void doCancel()} placeholder="red_…" aria-label={t('inc.redemptionId')} />
            <Button danger onClick={() => void doCancel()} loading={cs.fetching}>
              {t('inc.cancelDo')}
            </Button>
          </Space.Compact>
          {cancelled && <RedemptionView r={cancelled} />}
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('inc.myRedemptions')}>
          {mine.error && <ErrorBox error={mine.error} onRetry={mine.reload} />}
          <Table<IncRedemptionFragment>
            size="small"
            rowKey="id"
            loading={mine.loading}
            pagination={false}
            dataSource={mine.rows}
            columns={[
              { title: t('inc.code'), dataIndex: 'code' },
              { title: t('inc.pkg.status'), key: 's', render: (_, r) => <Tag color={COLOR[r.status]}>{te('inc.status', r.status)}</Tag> },
              { title: t('inc.points'), dataIndex: 'points', align: 'right' },
              { title: t('inc.expiresAt'), key: 'e', render: (_, r) => formatTime(r.expiresAt) },
            ]}
          />
          {mine.hasNext && (
            <Button block onClick={mine.loadMore} loading={mine.loading}>
              {t('inc.loadMore')}
            </Button>
          )}
        </Card>
      </Col>
    </Row>
  );
}
