// A district's API keys for Open311 `POST requests` (district admins): make one (the secret shown once), see when
// each was last used, revoke one.
import { useMutation } from 'urql';
import { Button, Card, Checkbox, Col, Form, Input, Popconfirm, Row, Space, Table, Tag, Tooltip, Typography, message } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { ApiScope, IntApiKeysQuery } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { IntApiKeysDoc, IntCreateApiKeyDoc, IntRevokeApiKeyDoc } from './docs';
import type { ShownSecret } from './SecretModal';

type Key = IntApiKeysQuery['apiKeys']['nodes'][number];
const SCOPES: ApiScope[] = ['OPEN311_POST'];

export default function ApiKeys({ districtId, onSecret }: { districtId: string; onSecret: (s: ShownSecret) => void }) {
  useLang();
  const list = usePaged(IntApiKeysDoc, { districtId }, (q) => q.apiKeys, (k) => k.id);
  const [form] = Form.useForm<{ name: string; scopes: ApiScope[] }>();
  const [created, create] = useMutation(IntCreateApiKeyDoc);
  const [revoking, revoke] = useMutation(IntRevokeApiKeyDoc);

  const onCreate = async (v: { name: string; scopes: ApiScope[] }) => {
    const r = await create({ districtId, name: v.name.trim(), scopes: v.scopes });
    const out = r.data?.createApiKey;
    if (!out) {
      message.error(apiError(r.error)?.message);
      return;
    }
    form.resetFields();
    list.setRows((rows) => [out.key, ...rows]);
    onSecret({ secret: out.secret, kind: 'key' });
  };
  const onRevoke = async (k: Key) => {
    const r = await revoke({ id: k.id });
    const updated = r.data?.revokeApiKey;
    if (!updated) {
      message.error(apiError(r.error)?.message);
      return;
    }
    list.setRows((rows) => rows.map((x) => (x.id === updated.id ? updated : x)));
    message.success(t('int.keys.revokedMsg'));
  };

  return (
    <Row gutter={12}>
      <Col xs={24} xl={8}>
        <Card size="small" title={t('int.keys.create')} style={{ marginBottom: 12 }}>
          <Form form={form} layout="vertical" onFinish={onCreate} initialValues={{ scopes: SCOPES }} data-testid="key-form">
            <Form.Item name="name" label={t('int.keys.name')} rules={[{ required: true, whitespace: true, message: t('int.required') }]}>
              <Input maxLength={64} placeholder={t('int.keys.namePlaceholder')} data-testid="key-name" />
            </Form.Item>
            <Form.Item name="scopes" label={t('int.keys.scopes')} rules={[{ required: true, type: 'array', min: 1, message: t('int.required') }]}>
              <Checkbox.Group options={SCOPES.map((s) => ({ value: s, label: t(`int.keys.scope.${s}`) }))} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={created.fetching} data-testid="key-submit">
              {t('int.submit')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        <Card size="small" title={t('int.tab.keys')} extra={<Button size="small" icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('int.reload')} />}>
          {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
          <Table<Key>
            size="small"
            rowKey="id"
            loading={list.loading}
            pagination={false}
            dataSource={list.rows}
            locale={{ emptyText: t('int.keys.none') }}
            data-testid="key-list"
            scroll={{ x: 840 }}
            onRow={(k) => ({ 'data-testid': 'key-row', 'data-revoked': String(!!k.revokedAt) }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              // Kept in view when a narrow window scrolls the table sideways: the name is what tells keys apart.
              { title: t('int.keys.name'), width: 180, fixed: 'left', render: (_, k) => <Typography.Text strong>{k.name}</Typography.Text> },
              { title: t('int.keys.hint'), width: 100, render: (_, k) => <Typography.Text code style={{ whiteSpace: 'nowrap' }}>…{k.hint}</Typography.Text> },
              {
                title: t('int.keys.scopes'),
                width: 120,
                render: (_, k) =>
                  k.scopes.map((s) => (
                    <Tooltip key={s} title={t(`int.keys.scope.${s}`)}>
                      <Tag>{t(`int.keys.scopeShort.${s}`)}</Tag>
                    </Tooltip>
                  )),
              },
              { title: t('int.createdAt'), width: 140, render: (_, k) => formatTime(k.createdAt) },
              { title: t('int.keys.lastUsed'), width: 140, render: (_, k) => (k.lastUsedAt ? formatTime(k.lastUsedAt) : <Typography.Text type="secondary">{t('int.keys.never')}</Typography.Text>) },
              {
                title: t('int.status'),
                width: 160,
                render: (_, k) =>
                  k.revokedAt ? (
                    <Tag data-testid="key-status">
                      {t('int.keys.revoked')} {formatTime(k.revokedAt)}
                    </Tag>
                  ) : (
                    <Space>
                      <Tag color="green" data-testid="key-status">
                        {t('int.keys.active')}
                      </Tag>
                      <Popconfirm title={t('int.keys.revokeConfirm')} onConfirm={() => void onRevoke(k)} okButtonProps={{ danger: true, 'data-testid': 'key-revoke-ok' }}>
                        <Button size="small" danger loading={revoking.fetching && revoking.operation?.variables.id === k.id} data-testid="key-revoke">
                          {t('int.keys.revoke')}
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
    </Row>
  );
}
