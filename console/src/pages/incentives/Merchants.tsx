import { useMutation } from 'urql';
import { Button, Card, Col, Form, Input, Row, Select, Space, Table, Typography, message } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { IncMerchantsQuery } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { GridAppointDoc } from '../grid/docs';
import { usePaged } from '../grid/paged';
import { IncMerchantsDoc, IncRegisterMerchantDoc } from './docs';
import { merchantOptions, type ScopeProps } from './lists';

type MerchantRow = IncMerchantsQuery['merchants']['nodes'][number];

export default function Merchants({ scopeId, setScopeId }: ScopeProps) {
  const lang = useLang();
  const { caps } = useMe();
  const list = usePaged(IncMerchantsDoc, scopeId ? { scopeId } : null, (q) => q.merchants, (m) => m.id);
  const [form] = Form.useForm<{ name: string; address: string }>();
  const [staffForm] = Form.useForm<{ merchantId: string; userId: string }>();
  const [reg, register] = useMutation(IncRegisterMerchantDoc);
  const [app, appoint] = useMutation(GridAppointDoc);

  const onRegister = async (v: { name: string; address: string }) => {
    if (!scopeId) return;
    const r = await register({ scopeId, name: v.name.trim(), address: v.address.trim() });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    message.success(t('inc.registered'));
    form.resetFields();
    list.reload();
  };
  const onAppoint = async (v: { merchantId: string; userId: string }) => {
    const r = await appoint({ input: { role: 'MERCHANT_STAFF', scopeId: v.merchantId, userId: v.userId.trim() } });
    if (r.error) message.error(apiError(r.error)?.message);
    else {
      message.success(t('inc.appointed'));
      staffForm.resetFields(['userId']);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text>{t('inc.scope')}</Typography.Text>
        <ScopePicker scopes={caps.adminScopes} value={scopeId} onChange={setScopeId} data-testid="merchant-scope" />
      </Space>
      <Row gutter={12}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('inc.register')} style={{ marginBottom: 12 }}>
            <Form form={form} layout="vertical" onFinish={onRegister} data-testid="merchant-form">
              <Form.Item name="name" label={t('inc.name')} rules={[{ required: true, whitespace: true, message: t('inc.required') }]}>
                <Input maxLength={64} data-testid="merchant-name" />
              </Form.Item>
              <Form.Item name="address" label={t('inc.address')} rules={[{ required: true, whitespace: true, message: t('inc.required') }]}>
                <Input maxLength={200} data-testid="merchant-address" />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={reg.fetching} disabled={!scopeId} data-testid="merchant-submit">
                {t('inc.register')}
              </Button>
            </Form>
          </Card>
          <Card size="small" title={t('inc.staff')}>
            <Form form={staffForm} layout="vertical" onFinish={onAppoint}>
              <Form.Item name="merchantId" label={t('inc.merchant')} rules={[{ required: true, message: t('inc.required') }]} extra={list.hasNext ? t('inc.merchantsMoreHint') : undefined}>
                <Select showSearch optionFilterProp="label" options={merchantOptions(list.rows, lang)} placeholder={t('inc.pickMerchant')} data-testid="staff-merchant" />
              </Form.Item>
              <Form.Item name="userId" label={t('inc.userId')} rules={[{ required: true, whitespace: true, message: t('inc.required') }]}>
                <Input placeholder="usr_…" />
              </Form.Item>
              <Button htmlType="submit" loading={app.fetching}>
                {t('inc.appoint')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            size="small"
            title={t('inc.merchants')}
            extra={<Button size="small" icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('inc.reload')} disabled={!scopeId} />}
          >
            {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
            <Table<MerchantRow>
              size="small"
              rowKey="id"
              loading={list.loading}
              pagination={false}
              dataSource={list.rows}
              locale={{ emptyText: t('inc.noMerchants') }}
              data-testid="merchant-list"
              onRow={(m) => ({ 'data-testid': 'merchant-row', 'data-id': m.id }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: t('inc.name'), dataIndex: 'name' },
                { title: t('inc.address'), dataIndex: 'address' },
                { title: t('inc.merchantId'), dataIndex: 'id', render: (id: string) => <Typography.Text copyable style={{ fontSize: 12 }}>{id}</Typography.Text> },
              ]}
            />
            {list.hasNext && (
              <Button block onClick={list.loadMore} loading={list.loading} style={{ marginTop: 8 }} data-testid="merchant-more">
                {t('inc.loadMore')}
              </Button>
            )}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
