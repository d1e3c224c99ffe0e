import { useState } from 'react';
import { useMutation } from 'urql';
import { Button, Card, Col, Form, Input, Row, Select, Table, Typography, message } from 'antd';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { apiError } from '../../lib/errors';
import { GridAppointDoc } from '../grid/docs';
import { IncRegisterMerchantDoc } from './docs';
import { loadMerchants, rememberMerchant, type KnownMerchant } from './merchants';

export function merchantOptions(list: KnownMerchant[]) {
  return list.map((m) => ({ value: m.id, label: `${m.name}（${m.id}）` }));
}

export default function Merchants({ merchants, setMerchants }: { merchants: KnownMerchant[]; setMerchants: (l: KnownMerchant[]) => void }) {
  useLang();
  const { caps } = useMe();
  const [scopeId, setScopeId] = useState<string | undefined>(caps.adminScopes[0]?.scopeId);
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
    setMerchants(rememberMerchant(loadMerchants(), r.data.registerMerchant));
    form.resetFields();
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
    <Row gutter={12}>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('inc.register')} style={{ marginBottom: 12 }}>
          <Form form={form} layout="vertical" onFinish={onRegister} data-testid="merchant-form">
            <Form.Item label={t('inc.scope')} required>
              <ScopePicker scopes={caps.adminScopes} value={scopeId} onChange={setScopeId} data-testid="merchant-scope" />
            </Form.Item>
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
            <Form.Item name="merchantId" label={t('inc.merchantId')} rules={[{ required: true, message: t('inc.required') }]}>
              <Select showSearch options={merchantOptions(merchants)} placeholder="mch_…" notFoundContent={null} />
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
      <Col xs={24} lg={12}>
        <Card size="small" title={t('inc.knownMerchants')}>
          <Typography.Paragraph type="secondary">{t('inc.knownHint')}</Typography.Paragraph>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={merchants}
            onRow={(m) => ({ 'data-testid': 'merchant-row', 'data-id': m.id }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('inc.name'), dataIndex: 'name' },
              { title: t('inc.address'), dataIndex: 'address' },
              { title: t('inc.merchantId'), dataIndex: 'id', render: (id: string) => <Typography.Text copyable>{id}</Typography.Text> },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
