// Webhooks of a scope: register one (the secret shown once), see each one's state (delivering, retrying, paused)
// and its delivery log, change its URL or events, rotate its secret, resume it, delete it.
import { useState } from 'react';
import { useMutation } from 'urql';
import { Button, Card, Checkbox, Col, Drawer, Form, Input, Modal, Popconfirm, Row, Space, Table, Tag, Tooltip, Typography, message } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { IntWebhookFragment, IntDeliveriesQuery, WebhookEvent } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import {
  IntCreateWebhookDoc,
  IntDeleteWebhookDoc,
  IntDeliveriesDoc,
  IntResumeWebhookDoc,
  IntRotateWebhookDoc,
  IntUpdateWebhookDoc,
  IntWebhooksDoc,
} from './docs';
import { WEBHOOK_EVENTS, plausibleUrl, sortEvents, webhookTone } from './logic';
import type { ShownSecret } from './SecretModal';

type Hook = IntWebhookFragment;
type Delivery = IntDeliveriesQuery['webhookDeliveries']['nodes'][number];
interface HookForm {
  url: string;
  events: WebhookEvent[];
}

const eventOptions = () => WEBHOOK_EVENTS.map((e) => ({ value: e, label: t(`int.event.${e}`) }));
const urlRules = () => [
  { required: true, whitespace: true, message: t('int.required') },
  { validator: (_: unknown, v: string) => (!v || plausibleUrl(v) ? Promise.resolve() : Promise.reject(new Error(t('int.urlBad')))) },
];
const eventRules = () => [{ required: true, type: 'array' as const, min: 1, message: t('int.eventsRequired') }];

function StatusTag({ w }: { w: Hook }) {
  const tone = webhookTone(w);
  const color = tone === 'ok' ? 'green' : tone === 'retrying' ? 'orange' : 'red';
  return (
    <Tag color={color} data-testid="webhook-status" data-status={w.status}>
      {t(`int.tone.${tone}`, { n: w.failures })}
    </Tag>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const log = usePaged(IntDeliveriesDoc, { webhookId }, (q) => q.webhookDeliveries, (d) => `${d.eventId}:${d.attempt}:${d.at}`, 20);
  return (
    <>
      {log.error && <ErrorBox error={log.error} onRetry={log.reload} />}
      <Space style={{ marginBottom: 8 }}>
        <Button size="small" icon={<ReloadOutlined />} onClick={log.reload} aria-label={t('int.reload')} />
      </Space>
      <Table<Delivery>
        size="small"
        rowKey={(d) => `${d.eventId}:${d.attempt}:${d.at}`}
        loading={log.loading}
        dataSource={log.rows}
        pagination={false}
        locale={{ emptyText: t('int.delivery.none') }}
        data-testid="delivery-list"
        onRow={(d) => ({ 'data-testid': 'delivery-row', 'data-ok': String(d.ok) }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('int.delivery.at'), width: 150, render: (_, d) => formatTime(d.at) },
          { title: t('int.delivery.event'), render: (_, d) => <span title={d.eventId}>{t(`int.event.${d.eventType}`)}</span> },
          { title: t('int.delivery.attempt'), width: 70, dataIndex: 'attempt' },
          {
            title: t('int.delivery.result'),
            render: (_, d) =>
              d.ok ? (
                <Tag color="green">{d.statusCode ?? t('int.delivery.ok')}</Tag>
              ) : (
                <Tooltip title={d.error}>
                  <Tag color="red">{d.statusCode ?? t('int.delivery.failed')}</Tag>
                  {d.error && d.statusCode === null ? <Typography.Text type="secondary">{d.error}</Typography.Text> : null}
                </Tooltip>
              ),
          },
          { title: t('int.delivery.duration'), width: 80, render: (_, d) => `${d.durationMs} ms` },
        ]}
      />
      {log.hasNext && (
        <Button block onClick={log.loadMore} loading={log.loading} style={{ marginTop: 8 }}>
          {t('int.loadMore')}
        </Button>
      )}
    </>
  );
}

export default function Webhooks({ scopeId, onSecret }: { scopeId: string | undefined; onSecret: (s: ShownSecret) => void }) {
  useLang();
  const list = usePaged(IntWebhooksDoc, scopeId ? { scopeId } : null, (q) => q.webhooks, (w) => w.id);
  const [form] = Form.useForm<HookForm>();
  const [editForm] = Form.useForm<HookForm>();
  const [editing, setEditing] = useState<Hook | null>(null);
  const [logOf, setLogOf] = useState<Hook | null>(null);
  const [created, create] = useMutation(IntCreateWebhookDoc);
  const [updated, update] = useMutation(IntUpdateWebhookDoc);
  const [rotated, rotate] = useMutation(IntRotateWebhookDoc);
  const [resumed, resume] = useMutation(IntResumeWebhookDoc);
  const [deleted, remove] = useMutation(IntDeleteWebhookDoc);
  const replace = (w: Hook) => list.setRows((rows) => rows.map((x) => (x.id === w.id ? w : x)));
  const busy = (m: { fetching: boolean; operation?: { variables: unknown } }, id: string) => m.fetching && (m.operation?.variables as { id?: string } | undefined)?.id === id;

  const onCreate = async (v: HookForm) => {
    if (!scopeId) return;
    const r = await create({ scopeId, url: v.url.trim(), events: v.events });
    const out = r.data?.createWebhook;
    if (!out) {
      message.error(apiError(r.error)?.message);
      return;
    }
    form.resetFields();
    list.setRows((rows) => [out.webhook, ...rows]);
    onSecret({ secret: out.secret, kind: 'webhook' });
  };
  const onSave = async (v: HookForm) => {
    if (!editing) return;
    const r = await update({ id: editing.id, url: v.url.trim(), events: v.events });
    const w = r.data?.updateWebhook;
    if (!w) {
      message.error(apiError(r.error)?.message);
      return;
    }
    replace(w);
    setEditing(null);
    message.success(t('int.saved'));
  };
  const onRotate = async (w: Hook) => {
    const r = await rotate({ id: w.id });
    const out = r.data?.rotateWebhookSecret;
    if (!out) {
      message.error(apiError(r.error)?.message);
      return;
    }
    replace(out.webhook);
    onSecret({ secret: out.secret, kind: 'webhook' });
  };
  const onResume = async (w: Hook) => {
    const r = await resume({ id: w.id });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    replace(r.data.resumeWebhook);
    message.success(t('int.resumed'));
  };
  const onDelete = async (w: Hook) => {
    const r = await remove({ id: w.id });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    list.setRows((rows) => rows.filter((x) => x.id !== w.id));
    message.success(t('int.deleted'));
  };

  return (
    <Row gutter={12}>
      <Col xs={24} xl={8}>
        <Card size="small" title={t('int.create')} style={{ marginBottom: 12 }}>
          <Form form={form} layout="vertical" onFinish={onCreate} initialValues={{ events: ['REPORT_SUBMITTED', 'REPORT_ACTED'] }} data-testid="webhook-form">
            <Form.Item name="url" label={t('int.url')} extra={t('int.urlHint')} rules={urlRules()}>
              <Input maxLength={500} placeholder="https://wo.example.com/linli" data-testid="webhook-url" />
            </Form.Item>
            <Form.Item name="events" label={t('int.events')} rules={eventRules()}>
              <Checkbox.Group options={eventOptions()} style={{ display: 'grid', gap: 4 }} data-testid="webhook-events" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={created.fetching} disabled={!scopeId} data-testid="webhook-submit">
              {t('int.submit')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        <Card size="small" title={t('int.tab.webhooks')} extra={<Button size="small" icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('int.reload')} disabled={!scopeId} />}>
          {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
          <Table<Hook>
            size="small"
            rowKey="id"
            loading={list.loading}
            pagination={false}
            dataSource={list.rows}
            locale={{ emptyText: t('int.none') }}
            data-testid="webhook-list"
            onRow={(w) => ({ 'data-testid': 'webhook-row', 'data-id': w.id }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('int.url'),
                render: (_, w) => (
                  <Space direction="vertical" size={2}>
                    <Typography.Text style={{ wordBreak: 'break-all' }} data-testid="webhook-url-text">
                      {w.url}
                    </Typography.Text>
                    <Space size={[4, 4]} wrap>
                      {sortEvents(w.events).map((e) => (
                        <Tag key={e}>{t(`int.event.${e}`)}</Tag>
                      ))}
                    </Space>
                  </Space>
                ),
              },
              {
                title: t('int.status'),
                width: 190,
                render: (_, w) => (
                  <Space direction="vertical" size={2}>
                    <StatusTag w={w} />
                    {w.lastError && (w.failures > 0 || w.status === 'PAUSED') && (
                      <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="webhook-error">
                        {t('int.lastError')}: {w.lastError}
                      </Typography.Text>
                    )}
                    {w.failures > 0 && w.status === 'ACTIVE' && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('int.next')}: {formatTime(w.nextAttemptAt)}
                      </Typography.Text>
                    )}
                    {w.previousSecretValidUntil && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="webhook-previous">
                        {t('int.previousUntil', { at: formatTime(w.previousSecretValidUntil) })}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('int.actions'),
                width: 250,
                render: (_, w) => (
                  <Space size={[4, 4]} wrap>
                    <Button size="small" onClick={() => setLogOf(w)} data-testid="webhook-deliveries">
                      {t('int.deliveries')}
                    </Button>
                    <Button
                      size="small"
                      onClick={() => {
                        setEditing(w);
                        editForm.setFieldsValue({ url: w.url, events: sortEvents(w.events) });
                      }}
                      data-testid="webhook-edit"
                    >
                      {t('int.edit')}
                    </Button>
                    {w.status === 'PAUSED' && (
                      <Button size="small" type="primary" loading={busy(resumed, w.id)} onClick={() => void onResume(w)} data-testid="webhook-resume">
                        {t('int.resume')}
                      </Button>
                    )}
                    <Popconfirm title={t('int.rotateConfirm')} onConfirm={() => void onRotate(w)} okButtonProps={{ 'data-testid': 'webhook-rotate-ok' }}>
                      <Button size="small" loading={busy(rotated, w.id)} data-testid="webhook-rotate">
                        {t('int.rotate')}
                      </Button>
                    </Popconfirm>
                    <Popconfirm title={t('int.deleteConfirm')} onConfirm={() => void onDelete(w)} okButtonProps={{ danger: true, 'data-testid': 'webhook-delete-ok' }}>
                      <Button size="small" danger loading={busy(deleted, w.id)} data-testid="webhook-delete">
                        {t('int.delete')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
          {list.hasNext && (
            <Button block onClick={list.loadMore} loading={list.loading} style={{ marginTop: 8 }}>
              {t('int.loadMore')}
            </Button>
          )}
        </Card>
      </Col>
      <Modal
        open={!!editing}
        title={t('int.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => editForm.submit()}
        okText={t('int.save')}
        cancelText={t('int.cancel')}
        confirmLoading={updated.fetching}
        okButtonProps={{ 'data-testid': 'webhook-save' }}
        destroyOnHidden
      >
        <Form form={editForm} layout="vertical" onFinish={onSave}>
          <Form.Item name="url" label={t('int.url')} extra={t('int.urlHint')} rules={urlRules()}>
            <Input maxLength={500} data-testid="webhook-edit-url" />
          </Form.Item>
          <Form.Item name="events" label={t('int.events')} rules={eventRules()}>
            <Checkbox.Group options={eventOptions()} style={{ display: 'grid', gap: 4 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Drawer open={!!logOf} width={720} title={`${t('int.deliveries')} · ${logOf?.url ?? ''}`} onClose={() => setLogOf(null)} destroyOnHidden>
        {logOf && <Deliveries webhookId={logOf.id} />}
      </Drawer>
    </Row>
  );
}
