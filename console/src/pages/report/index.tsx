// Report detail: status, SLA clocks, escalation, location, reporter, supporters (who, as the viewer may see
// them), rating, photos (before/after), timeline, comments; action buttons from availableActions (with a note,
// reason, photos), add comment; live updates.
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useClient, useQuery, useSubscription } from 'urql';
import { Alert, Button, Card, Col, Descriptions, Empty, Image, Input, Modal, Rate, Row, Space, Tag, Timeline, Typography, message } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import type { Action, PhotoFieldsFragment, ReportDetailQuery } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { ErrorBox, Loading, NotFound } from '../../lib/Page';
import { apiError, hasCode } from '../../lib/errors';
import { AddCommentDoc, CONSOLE_ACTIONS, actionInput, runAction } from '../../lib/reportActions';
import { ClockTag, StatusTag, categoryName, locationText, useNow } from '../../lib/reportUi';
import { formatMinutes, formatTime } from '../../lib/sla';
import { ReportDetailDoc, ReportUpdatedDoc } from './docs';
import PhotoUpload from './PhotoUpload';
import Supporters from './Supporters';

type Report = ReportDetailQuery['report'];

const MILESTONES = ['submittedAt', 'acknowledgedAt', 'dispatchedAt', 'startedAt', 'resolvedAt', 'confirmedAt', 'closedAt', 'firstReopenedAt', 'endedAt'] as const;

function Photos({ photos, testId }: { photos: PhotoFieldsFragment[]; testId: string }) {
  if (!photos.length) return <Typography.Text type="secondary">{t('report.noPhotos')}</Typography.Text>;
  return (
    <Image.PreviewGroup>
      <div className="photo-grid" data-testid={testId}>
        {photos.map((p) => (
          <Image key={p.id} width={104} height={104} style={{ objectFit: 'cover', opacity: p.hidden ? 0.4 : 1 }} src={p.thumbnailUrl} preview={{ src: p.url }} alt={p.phase ?? ''} />
        ))}
      </div>
    </Image.PreviewGroup>
  );
}

function ActionModal({ report, action, onClose, onDone }: { report: Report; action: Action | null; onClose: () => void; onDone: () => void }) {
  const client = useClient();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [originalId, setOriginalId] = useState('');
  const [photoIds, setPhotoIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setNote('');
    setReason('');
    setOriginalId('');
    setPhotoIds([]);
    setError(null);
  }, [action]);
  if (!action) return null;
  const need = actionInput(action);
  const invalid = (need.reasonRequired && !reason.trim()) || (need.originalId && !originalId.trim());
  const submit = async () => {
    setBusy(true);
    setError(null);
    const r = await runAction(client, action, report.id, { note, reason, originalId, photoIds });
    setBusy(false);
    if (r.ok) {
      message.success(t('report.done'));
      onDone();
      onClose();
      return;
    }
    if (r.error.code === 'CONFLICT') {
      message.warning(r.error.message || t('report.conflict', { status: te('status', r.error.currentStatus) }));
      onDone();
      onClose();
      return;
    }
    setError(r.error.message);
  };
  return (
    <Modal
      open
      title={te('action', action)}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={te('action', action)}
      okButtonProps={{ disabled: invalid, 'data-testid': 'action-confirm' }}
      confirmLoading={busy}
      data-testid="action-modal"
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {error && <Alert type="error" showIcon message={error} data-testid="action-error" />}
        {need.note && <Input.TextArea autoFocus rows={3} maxLength={500} placeholder={t('report.note')} value={note} onChange={(e) => setNote(e.target.value)} data-testid="action-note" />}
        {need.reason && <Input.TextArea autoFocus rows={3} maxLength={500} placeholder={t('report.reason')} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="action-reason" />}
        {need.originalId && <Input autoFocus placeholder={t('report.originalId')} value={originalId} onChange={(e) => setOriginalId(e.target.value)} data-testid="action-original" />}
        {need.photos && <PhotoUpload label={t('report.uploadPhotos')} onChange={setPhotoIds} testId="action-photos" />}
      </Space>
    </Modal>
  );
}

function CommentForm({ id, onDone }: { id: string; onDone: () => void }) {
  const client = useClient();
  const [body, setBody] = useState('');
  const [photoIds, setPhotoIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(0);
  const submit = async () => {
    setBusy(true);
    const r = await client.mutation(AddCommentDoc, { id, body: body.trim(), photoIds: photoIds.length ? photoIds : undefined }, { additionalTypenames: ['Report', 'Comment'] }).toPromise();
    setBusy(false);
    const err = apiError(r.error);
    if (err) {
      message.error(err.message);
      return;
    }
    setBody('');
    setPhotoIds([]);
    setKey((k) => k + 1);
    onDone();
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="comment-form">
      <Input.TextArea rows={3} maxLength={1000} placeholder={t('report.commentPlaceholder')} value={body} onChange={(e) => setBody(e.target.value)} data-testid="comment-body" />
      <PhotoUpload key={key} label={t('report.photos')} onChange={setPhotoIds} testId="comment-photos" />
      <Button type="primary" disabled={!body.trim()} loading={busy} onClick={() => void submit()} data-testid="comment-submit">
        {t('report.addComment')}
      </Button>
    </Space>
  );
}

export default function ReportPage() {
  const lang = useLang();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const now = useNow();
  const [res, reexec] = useQuery({ query: ReportDetailDoc, variables: { id }, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription({ query: ReportUpdatedDoc, variables: { id } });
  const [action, setAction] = useState<Action | null>(null);
  const refetch = () => reexec({ requestPolicy: 'network-only' });
  const liveVersion = live.data?.reportUpdated.report.version;
  useEffect(() => {
    if (liveVersion !== undefined) reexec({ requestPolicy: 'network-only' });
  }, [liveVersion, reexec]);

  if (hasCode(res.error, 'NOT_FOUND')) return <NotFound />;
  if (!res.data && res.fetching) return <Loading />;
  if (!res.data) return <ErrorBox error={res.error} onRetry={refetch} />;
  const r = res.data.report;
  const before = r.photos.filter((p) => p.phase === 'BEFORE');
  const after = r.photos.filter((p) => p.phase === 'AFTER');
  const actions = CONSOLE_ACTIONS.filter((a) => r.availableActions.includes(a));
  const canComment = r.availableActions.includes('COMMENT');

  return (
    <div data-testid="report-page" data-id={r.id} data-status={r.status}>
      <Space style={{ marginBottom: 12 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} data-testid="report-back">
          {t('report.back')}
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {categoryName(r.category, lang)} · <Typography.Text code copyable>{r.id}</Typography.Text>
        </Typography.Title>
        <StatusTag status={r.status} />
        {r.urgency === 'URGENT' && <Tag color="red">{te('urgency', 'URGENT')}</Tag>}
        {r.moderation !== 'PASS' && <Tag color="gold">{t('report.moderationPending')}</Tag>}
      </Space>
      {res.error && <ErrorBox error={res.error} onRetry={refetch} />}
      <Card size="small" title={t('report.actions')} style={{ marginBottom: 12 }} data-testid="report-actions">
        {actions.length === 0 ? (
          <Typography.Text type="secondary">{t('report.noActions')}</Typography.Text>
        ) : (
          <Space wrap>
            {actions.map((a) => (
              <Button key={a} type={a === 'RESOLVE' || a === 'ACKNOWLEDGE' || a === 'DISPATCH' || a === 'START_WORK' ? 'primary' : 'default'} danger={a === 'REJECT'} onClick={() => setAction(a)} data-testid={`action-${a.toLowerCase()}`}>
                {te('action', a)}
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Row gutter={12}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('report.description')} style={{ marginBottom: 12 }}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="report-description">
              {r.description}
            </Typography.Paragraph>
            <Descriptions size="small" column={2} bordered>
              <Descriptions.Item label={t('report.location')} span={2}>
                {r.location.compound.name} {locationText(r.location)}
                {r.location.compound.address ? <Typography.Text type="secondary"> · {r.location.compound.address}</Typography.Text> : null}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.reporter')}>
                {r.reporter ? `${r.reporter.name}${r.reporter.phone ? ` · ${r.reporter.phone}` : ''}` : t('time.none')}
                {r.anonymous && <Tag style={{ marginLeft: 4 }}>{t('report.anonymous')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.urgency')}>{te('urgency', r.urgency)}</Descriptions.Item>
              <Descriptions.Item label={t('report.neighbourhood')}>
                {r.neighbourhood ? `${r.neighbourhood.name}${r.neighbourhood.head ? ` · ${r.neighbourhood.head.nickname}` : ''}` : t('time.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.community')}>{r.community.name}</Descriptions.Item>
              <Descriptions.Item label={t('report.company')}>{r.assignedCompany?.name ?? t('time.none')}</Descriptions.Item>
              <Descriptions.Item label={t('report.supporters')}>
                <span data-testid="report-supporters">{r.supportCount}</span>
                <Supporters key={`${r.id}:${r.supportCount}`} id={r.id} count={r.supportCount} />
              </Descriptions.Item>
              <Descriptions.Item label={t('report.rating')}>
                {r.rating != null ? (
                  <Space direction="vertical" size={0}>
                    <Rate disabled value={r.rating} />
                    {r.ratingComment && <Typography.Text>{r.ratingComment}</Typography.Text>}
                  </Space>
                ) : (
                  t('report.noRating')
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.reopenCount')}>{r.reopenCount}</Descriptions.Item>
              {r.autoClosed && <Descriptions.Item label={t('report.autoClosed')}>✓</Descriptions.Item>}
              {r.duplicateOf && (
                <Descriptions.Item label={t('report.duplicateOf')}>
                  <Typography.Link onClick={() => navigate(`/reports/${encodeURIComponent(r.duplicateOf!)}`)}>{r.duplicateOf}</Typography.Link>
                </Descriptions.Item>
              )}
              {r.lastUrgedAt && <Descriptions.Item label={t('report.lastUrged')}>{formatTime(r.lastUrgedAt)}</Descriptions.Item>}
            </Descriptions>
          </Card>
          <Card size="small" title={t('report.photos')} style={{ marginBottom: 12 }}>
            <Typography.Text strong>{t('report.before')}</Typography.Text>
            <Photos photos={before} testId="photos-before" />
            <div style={{ height: 8 }} />
            <Typography.Text strong>{t('report.after')}</Typography.Text>
            <Photos photos={after} testId="photos-after" />
          </Card>
          <Card size="small" title={`${t('report.comments')} (${r.comments.nodes.length})`} style={{ marginBottom: 12 }} data-testid="report-comments">
            {r.comments.nodes.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('report.noComments')} />}
            {r.comments.nodes.map((c) => (
              <div key={c.id} style={{ marginBottom: 12 }} data-testid="comment">
                <Space>
                  <Typography.Text strong>{c.authorName}</Typography.Text>
                  <Typography.Text type="secondary">{te('role', c.authorRole) || c.authorRole}</Typography.Text>
                  <Typography.Text type="secondary">{formatTime(c.at)}</Typography.Text>
                  {c.moderation !== 'PASS' && <Tag color="gold">{t('report.moderationPending')}</Tag>}
                </Space>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0' }}>{c.body}</Typography.Paragraph>
                {c.photos.length > 0 && <Photos photos={c.photos} testId="comment-photos-view" />}
              </div>
            ))}
            {canComment && <CommentForm id={r.id} onDone={refetch} />}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('report.sla')} style={{ marginBottom: 12 }} data-testid="report-sla">
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('report.stage')}>
                {r.sla.stage ? te('stage', r.sla.stage) : t('time.none')} {r.sla.paused && <Tag>{t('report.paused')}</Tag>}
                {r.sla.breached && <Tag color="red">{t('report.breached')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.stageDue')}>
                <ClockTag sla={r.sla} now={now} /> {formatTime(r.sla.dueAt)}
              </Descriptions.Item>
              {r.sla.warnAt && <Descriptions.Item label={t('report.warnAt')}>{formatTime(r.sla.warnAt)}</Descriptions.Item>}
              <Descriptions.Item label={t('report.acknowledgeBy')}>
                {formatTime(r.sla.acknowledgeBy)} {r.sla.acknowledgeOverdue && <Tag color="red">{t('report.breached')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.resolveBy')}>
                {formatTime(r.sla.resolveBy)} {r.sla.resolveOverdue && <Tag color="red">{t('report.breached')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.stageMinutes')}>{formatMinutes(r.sla.stageBusinessMinutes)}</Descriptions.Item>
              <Descriptions.Item label={t('report.overallMinutes')}>{formatMinutes(r.sla.overallBusinessMinutes)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={t('report.escalation')} style={{ marginBottom: 12 }} data-testid="report-escalation">
            {r.escalation ? (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('col.level')}>
                  <Tag color={r.escalation.escalated ? 'orange' : undefined}>{te('level', r.escalation.level)}</Tag>
                  {r.escalation.escalated ? t('report.steps', { steps: r.escalation.steps }) : t('report.notEscalated')}
                </Descriptions.Item>
                <Descriptions.Item label={t('report.holder')}>{r.escalation.holder.join('、') || t('time.none')}</Descriptions.Item>
                <Descriptions.Item label={t('report.since')}>{formatTime(r.escalation.since)}</Descriptions.Item>
                <Descriptions.Item label={t('col.due')}>{formatTime(r.escalation.dueAt)}</Descriptions.Item>
              </Descriptions>
            ) : (
              <Typography.Text type="secondary">{t('time.none')}</Typography.Text>
            )}
          </Card>
          <Card size="small" title={t('report.milestones')} style={{ marginBottom: 12 }}>
            <Descriptions size="small" column={1}>
              {MILESTONES.filter((m) => r.milestones[m]).map((m) => (
                <Descriptions.Item key={m} label={t(`milestone.${m}`)}>
                  {formatTime(r.milestones[m])}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
          <Card size="small" title={t('report.timeline')} data-testid="report-timeline">
            <Timeline
              items={r.timeline.nodes.map((e) => ({
                key: e.id,
                color: e.kind === 'ESCALATED' ? 'orange' : e.kind === 'REJECTED' || e.kind === 'REOPENED' ? 'red' : 'blue',
                children: (
                  <div data-testid="timeline-event" data-kind={e.kind}>
                    <Space wrap size={4}>
                      <Typography.Text strong>{te('event', e.kind)}</Typography.Text>
                      {e.actorName && <Typography.Text>{e.actorName}</Typography.Text>}
                      <Typography.Text type="secondary">{te('role', e.actorRole) || e.actorRole}</Typography.Text>
                    </Space>
                    <div>
                      <Typography.Text type="secondary">{formatTime(e.at)}</Typography.Text>
                      {e.fromStatus && e.toStatus && (
                        <Typography.Text type="secondary">
                          {' '}
                          · {te('status', e.fromStatus)} → {te('status', e.toStatus)}
                        </Typography.Text>
                      )}
                    </div>
                    {e.escalation && (
                      <div>
                        {te('level', e.escalation.fromLevel)} → {te('level', e.escalation.toLevel)} ({te('reason', e.escalation.reason)})
                      </div>
                    )}
                    {e.note && <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{e.note}</Typography.Paragraph>}
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      <ActionModal report={r} action={action} onClose={() => setAction(null)} onDone={refetch} />
    </div>
  );
}
