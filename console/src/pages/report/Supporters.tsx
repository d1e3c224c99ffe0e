// Who said "me too", next to the report's supportCount: names as the server gives them (masked for those who
// may not see them), 20 at a time with "more".
import { Button, Space, Tag, Tooltip, Typography } from 'antd';
import { t, useLang } from '../../lib/i18n';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { ReportSupportersDoc } from './docs';
import { hiddenSupporters, supporterKey } from './supporters';
import './messages';

export const SUPPORTERS_PAGE = 20;

/** Mount with `key={supportCount}` so that a new "me too" reloads the list. */
export default function Supporters({ id, count }: { id: string; count: number }) {
  useLang();
  const list = usePaged(ReportSupportersDoc, count > 0 ? { id } : null, (q) => q.report.supporters, supporterKey, SUPPORTERS_PAGE);
  if (count === 0) return null;
  const hidden = hiddenSupporters(count, list.rows.length, list.hasNext || list.loading);
  return (
    <div data-testid="report-supporter-list" style={{ marginTop: 4 }}>
      <Space size={[4, 4]} wrap>
        {list.rows.map((s) => (
          <Tooltip key={supporterKey(s)} title={t('report.supporterAt', { time: formatTime(s.at) })}>
            <Tag color={s.isMe ? 'blue' : undefined} style={{ marginInlineEnd: 0 }} data-testid="report-supporter" data-me={s.isMe ? 'true' : undefined} data-merged={s.merged ? 'true' : undefined}>
              {s.name}
              {s.isMe && ` (${t('report.supporterMe')})`}
              {s.merged && (
                <Typography.Text type="secondary" style={{ fontSize: 11, marginLeft: 4 }}>
                  {t('report.supporterMerged')}
                </Typography.Text>
              )}
            </Tag>
          </Tooltip>
        ))}
      </Space>
      {hidden > 0 && (
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="report-supporters-hidden">
            {t('report.supportersHidden', { count: hidden })}
          </Typography.Text>
        </div>
      )}
      {list.error && (
        <div>
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {t('report.supportersError')}: {list.error.message}
          </Typography.Text>{' '}
          <Typography.Link onClick={list.reload} style={{ fontSize: 12 }}>
            {t('app.retry')}
          </Typography.Link>
        </div>
      )}
      {list.hasNext && (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={list.loadMore} loading={list.loading} data-testid="report-supporters-more">
          {t('report.supportersMore')}
        </Button>
      )}
    </div>
  );
}
