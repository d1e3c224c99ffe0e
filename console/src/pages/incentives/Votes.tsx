import { useState } from 'react';
import { useMutation } from 'urql';
import { Button, Card, Col, DatePicker, Form, Input, InputNumber, Popconfirm, Row, Table, Tag, message } from 'antd';
import type { Dayjs } from 'dayjs';
import type { IncVotePeriodFragment } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { IncCloseVoteDoc, IncOpenVoteDoc, IncVotePeriodsDoc } from './docs';

export default function Votes() {
  useLang();
  const { caps } = useMe();
  const scopes = caps.adminScopes.filter((s) => s.scopeType === 'Community' || s.scopeType === 'Street');
  const [scopeId, setScopeId] = useState<string | undefined>(scopes[0]?.scopeId);
  const list = usePaged(IncVotePeriodsDoc, {}, (q) => q.votePeriods, (p) => p.id);
  const [os, openVote] = useMutation(IncOpenVoteDoc);
  const [, closeVote] = useMutation(IncCloseVoteDoc);
  const [form] = Form.useForm<{ title: string; closesAt: Dayjs; winners: number }>();
  const names = new Map(caps.adminScopes.map((s) => [s.scopeId, s.scopeName]));

  const onOpen = async (v: { title: string; closesAt: Dayjs; winners: number }) => {
    if (!scopeId) return;
    const r = await openVote({ scopeId, title: v.title.trim(), closesAt: v.closesAt.toISOString(), winners: v.winners });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    message.success(t('inc.vote.opened'));
    list.setRows((rows) => [r.data!.openVotePeriod, ...rows]);
    form.resetFields();
  };
  const onClose = async (id: string) => {
    const r = await closeVote({ id });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    message.success(t('inc.vote.closed'));
    list.setRows((rows) => rows.map((p) => (p.id === id ? r.data!.closeVotePeriod : p)));
  };

  return (
    <Row gutter={12}>
      <Col xs={24} lg={8}>
        <Card size="small" title={t('inc.vote.open')}>
          <Form form={form} layout="vertical" onFinish={onOpen} initialValues={{ winners: 3 }} data-testid="vote-form">
            <Form.Item label={t('inc.scope')} required>
              <ScopePicker scopes={scopes} value={scopeId} onChange={setScopeId} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="title" label={t('inc.vote.title')} rules={[{ required: true, whitespace: true, message: t('inc.required') }]}>
              <Input maxLength={64} placeholder="2026 年度最美邻长" />
            </Form.Item>
            <Form.Item name="closesAt" label={t('inc.vote.closesAt')} rules={[{ required: true, message: t('inc.required') }]}>
              <DatePicker showTime style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="winners" label={t('inc.vote.winners')}>
              <InputNumber min={1} max={100} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={os.fetching} disabled={!scopeId}>
              {t('inc.vote.open')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={16}>
        <Card size="small">
          {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
          <Table<IncVotePeriodFragment>
            size="small"
            rowKey="id"
            loading={list.loading}
            pagination={false}
            dataSource={list.rows}
            onRow={(p) => ({ 'data-testid': 'vote-row', 'data-id': p.id, 'data-status': p.status }) as React.HTMLAttributes<HTMLElement>}
            expandable={{
              expandedRowRender: (p) => (
                <Table
                  size="small"
                  rowKey="headId"
                  pagination={false}
                  dataSource={p.leaderboard}
                  columns={[
                    { title: t('inc.vote.rank'), dataIndex: 'rank', width: 70 },
                    { title: t('inc.vote.head'), dataIndex: 'headName' },
                    { title: t('inc.vote.votes'), dataIndex: 'votes', align: 'right' },
                    { title: '', key: 'w', render: (_, l) => (l.winner ? <Tag color="gold">{t('inc.vote.winner')}</Tag> : null) },
                  ]}
                />
              ),
            }}
            columns={[
              { title: t('inc.vote.title'), dataIndex: 'title' },
              { title: t('inc.scope'), key: 'sc', render: (_, p) => names.get(p.scopeId) ?? p.scopeId },
              { title: t('inc.vote.period'), key: 'p', render: (_, p) => `${formatTime(p.opensAt)} – ${formatTime(p.closesAt)}` },
              { title: t('inc.vote.winners'), dataIndex: 'winners', align: 'right' },
              { title: t('inc.pkg.status'), key: 's', render: (_, p) => <Tag color={p.status === 'OPEN' ? 'green' : 'default'}>{te('inc.status', p.status)}</Tag> },
              {
                title: t('inc.actions'),
                key: 'x',
                render: (_, p) =>
                  p.status === 'OPEN' ? (
                    <Popconfirm title={t('inc.vote.closeConfirm')} onConfirm={() => onClose(p.id)}>
                      <Button size="small" danger data-testid="vote-close">
                        {t('inc.vote.close')}
                      </Button>
                    </Popconfirm>
                  ) : null,
              },
            ]}
          />
          {list.hasNext && (
            <Button block onClick={list.loadMore} loading={list.loading}>
              {t('inc.loadMore')}
            </Button>
          )}
        </Card>
      </Col>
    </Row>
  );
}
