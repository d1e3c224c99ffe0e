// Content moderation: texts under review or not yet checked in the admin's communities (moderationQueue), oldest
// first, approved or rejected one by one (moderateContent).
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { Button, Card, Empty, List, Space, Tag, Typography, message } from 'antd';
import { CheckOutlined, CloseOutlined, ReloadOutlined } from '@ant-design/icons';
import { graphql } from '../../gql';
import type { Moderation } from '../../gql/graphql';
import { registerMessages, t, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';

registerMessages('zh', {
  'mod.title': '内容审核',
  'mod.intro': '社区内待人工复核（微信提示需复核）或尚未检测（微信暂不可用）的文字，最早的在前。通过后对可见该工单的人显示；驳回后仅作者和管理员可见。',
  'mod.kind.REPORT': '工单描述',
  'mod.kind.COMMENT': '评论',
  'mod.kind.EVENT': '处理说明',
  'mod.state.REVIEW': '待复核',
  'mod.state.PENDING': '未检测',
  'mod.state.PASS': '已通过',
  'mod.state.REJECTED': '已驳回',
  'mod.approve': '通过',
  'mod.reject': '驳回',
  'mod.approved': '已通过',
  'mod.rejected': '已驳回',
  'mod.report': '查看工单',
  'mod.empty': '暂无待审核内容',
  'mod.loadMore': '加载更多',
  'mod.count': '已加载 {count} 条',
  'mod.keys': '键盘：Tab 选中一条，A 通过，R 驳回',
});
registerMessages('en', {
  'mod.title': 'Moderation',
  'mod.intro': 'Texts in your communities that WeChat asks a person to review, or that could not be checked yet, oldest first. Approved: shown to everyone who may see the report; rejected: hidden from all but the author and the admins.',
  'mod.kind.REPORT': 'Report description',
  'mod.kind.COMMENT': 'Comment',
  'mod.kind.EVENT': 'Note',
  'mod.state.REVIEW': 'Review',
  'mod.state.PENDING': 'Not checked',
  'mod.state.PASS': 'Approved',
  'mod.state.REJECTED': 'Rejected',
  'mod.approve': 'Approve',
  'mod.reject': 'Reject',
  'mod.approved': 'Approved',
  'mod.rejected': 'Rejected',
  'mod.report': 'Open report',
  'mod.empty': 'Nothing to review',
  'mod.loadMore': 'Load more',
  'mod.count': '{count} loaded',
  'mod.keys': 'Keyboard: Tab to an item, A approves, R rejects',
});

const ModerationQueueDoc = graphql(`
  query ModerationQueue($first: Int, $after: String) {
    moderationQueue(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id kind reportId text moderation at }
    }
  }
`);

const ModerateDoc = graphql(`
  mutation ModerateContent($id: ID!, $approve: Boolean!) {
    moderateContent(id: $id, approve: $approve)
  }
`);

const STATE_COLOR: Record<Moderation, string> = { REVIEW: 'orange', PENDING: 'default', PASS: 'green', REJECTED: 'red' };

export default function ModerationPage() {
  useLang();
  const list = usePaged(ModerationQueueDoc, {}, (q) => q.moderationQueue, (n) => n.id);
  const [, moderate] = useMutation(ModerateDoc);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (id: string, approve: boolean) => {
    setBusy(id);
    const r = await moderate({ id, approve });
    setBusy(null);
    if (r.error) {
      message.error(apiError(r.error)?.message);
      return;
    }
    message.success(approve ? t('mod.approved') : t('mod.rejected'));
    list.setRows((rows) => rows.filter((n) => n.id !== id));
  };

  return (
    <div data-testid="moderation-page">
      <Space style={{ marginBottom: 8 }} align="center">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('mod.title')}
        </Typography.Title>
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading} aria-label="reload" />
      </Space>
      <Typography.Paragraph type="secondary">
        {t('mod.intro')} {t('mod.keys')}
      </Typography.Paragraph>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      <Card size="small">
        {list.rows.length === 0 && !list.loading ? (
          <Empty description={t('mod.empty')} />
        ) : (
          <List
            loading={list.loading && list.rows.length === 0}
            dataSource={list.rows}
            renderItem={(n) => (
              <List.Item
                data-testid="moderation-row"
                data-id={n.id}
                tabIndex={0}
                className="queue-row"
                onKeyDown={(e) => {
                  if (e.target !== e.currentTarget || busy) return;
                  if (e.key === 'a' || e.key === 'A') void act(n.id, true);
                  else if (e.key === 'r' || e.key === 'R') void act(n.id, false);
                }}
                actions={[
                  <Button key="a" type="primary" size="small" icon={<CheckOutlined />} loading={busy === n.id} onClick={() => void act(n.id, true)} data-testid="moderation-approve">
                    {t('mod.approve')}
                  </Button>,
                  <Button key="r" danger size="small" icon={<CloseOutlined />} disabled={busy === n.id} onClick={() => void act(n.id, false)} data-testid="moderation-reject">
                    {t('mod.reject')}
                  </Button>,
                ]}
              >
                <List.Item.Meta
                  title={
                    <Space size={4} wrap>
                      <Tag>{t(`mod.kind.${n.kind}`)}</Tag>
                      <Tag color={STATE_COLOR[n.moderation]}>{t(`mod.state.${n.moderation}`)}</Tag>
                      <Typography.Text type="secondary">{formatTime(n.at)}</Typography.Text>
                      <Link to={`/reports/${encodeURIComponent(n.reportId)}`}>{t('mod.report')}</Link>
                    </Space>
                  }
                  description={<Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0, color: 'rgba(0,0,0,0.88)' }}>{n.text}</Typography.Paragraph>}
                />
              </List.Item>
            )}
          />
        )}
        <Space style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t('mod.count', { count: list.rows.length })}</Typography.Text>
          {list.hasNext && (
            <Button onClick={list.loadMore} loading={list.loading} data-testid="moderation-more">
              {t('mod.loadMore')}
            </Button>
          )}
        </Space>
      </Card>
    </div>
  );
}
