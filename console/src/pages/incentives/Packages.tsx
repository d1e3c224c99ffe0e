import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Button, Card, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography, message } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import type { IncPackageFragment, PackageStatus, Role } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { ErrorBox } from '../../lib/Page';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { usePaged } from '../grid/paged';
import { IncCreatePackageDoc, IncManagedPackagesDoc, IncMerchantsDoc, IncSetPackageStatusDoc } from './docs';
import { ALL, merchantOptions, PACKAGE_STATUSES, statusArg, type ScopeProps } from './lists';

const HEAD_ROLES: Role[] = ['NEIGHBOUR_HEAD', 'GROUP_HEAD', 'AREA_HEAD'];
const STATUS_COLOR: Record<string, string> = { DRAFT: 'default', ACTIVE: 'green', ENDED: 'red' };

interface FormValues {
  title: string;
  description?: string;
  merchantId: string;
  costPoints: number;
  totalStock: number;
  perPersonLimit: number;
  eligibleRoles: Role[];
  validFrom?: Dayjs;
  validUntil: Dayjs;
  redeemValidHours: number;
  activate: boolean;
}

/** The merchants a new package may name: those of the scope it is created in (the first 100). */
function useScopeMerchants(scopeId: string | undefined, pause: boolean) {
  const [res] = useQuery({ query: IncMerchantsDoc, variables: { scopeId: scopeId ?? '', first: 100 }, pause: pause || !scopeId, requestPolicy: 'cache-and-network' });
  return res.data?.merchants.nodes ?? [];
}

export default function Packages({ scopeId, setScopeId }: ScopeProps) {
  const lang = useLang();
  const { caps } = useMe();
  const [filter, setFilter] = useState<string>(ALL);
  const list = usePaged(IncManagedPackagesDoc, scopeId ? { scopeId, status: statusArg(filter, PACKAGE_STATUSES) } : null, (q) => q.managedPackages, (p) => p.id);
  const [open, setOpen] = useState(false);
  const [formScope, setFormScope] = useState<string | undefined>(undefined);
  const merchants = useScopeMerchants(formScope, !open);
  const [form] = Form.useForm<FormValues>();
  const [cr, create] = useMutation(IncCreatePackageDoc);
  const [, setStatus] = useMutation(IncSetPackageStatusDoc);

  const changeStatus = async (id: string, status: PackageStatus) => {
    const r = await setStatus({ id, status });
    if (r.data) {
      const p = r.data.setIncentivePackageStatus;
      list.setRows((rows) => rows.map((x) => (x.id === p.id ? p : x)));
      list.reload();
    } else message.error(apiError(r.error)?.message);
  };
  const openForm = () => {
    setFormScope(scopeId);
    setOpen(true);
  };
  const onCreate = async (v: FormValues) => {
    if (!formScope) return;
    const r = await create({
      input: {
        title: v.title.trim(),
        description: v.description?.trim() ?? '',
        merchantId: v.merchantId,
        costPoints: v.costPoints,
        totalStock: v.totalStock,
        perPersonLimit: v.perPersonLimit,
        eligibleRoles: v.eligibleRoles,
        validFrom: v.validFrom?.toISOString(),
        validUntil: v.validUntil.toISOString(),
        redeemValidHours: v.redeemValidHours,
        scopeId: formScope,
        activate: v.activate,
      },
    });
    if (!r.data) {
      message.error(apiError(r.error)?.message);
      return;
    }
    message.success(t('inc.created'));
    setOpen(false);
    form.resetFields();
    if (formScope !== scopeId) setScopeId(formScope);
    else list.reload();
  };

  return (
    <Card
      size="small"
      title={
        <Space wrap style={{ fontWeight: 'normal' }}>
          <ScopePicker scopes={caps.adminScopes} value={scopeId} onChange={setScopeId} data-testid="package-scope" />
          <Select<string>
            value={filter}
            onChange={setFilter}
            style={{ width: 120 }}
            aria-label={t('inc.pkg.status')}
            data-testid="package-status-filter"
            options={[{ value: ALL, label: t('inc.allStatuses') }, ...PACKAGE_STATUSES.map((st) => ({ value: st, label: te('inc.status', st) }))]}
          />
          <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('inc.reload')} disabled={!scopeId} />
        </Space>
      }
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={openForm} disabled={!scopeId} data-testid="package-new">
          {t('inc.create')}
        </Button>
      }
    >
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      <Table<IncPackageFragment>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.rows}
        locale={{ emptyText: t('inc.noPackages') }}
        pagination={false}
        scroll={{ x: 900 }}
        onRow={(p) => ({ 'data-testid': 'package-row', 'data-id': p.id, 'data-status': p.status }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('inc.pkg.title'), key: 'title', render: (_, p) => <Space direction="vertical" size={0}><Typography.Text strong>{p.title}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 12 }}>{p.description}</Typography.Text></Space> },
          { title: t('inc.merchant'), key: 'm', render: (_, p) => p.merchant.name },
          { title: t('inc.pkg.cost'), dataIndex: 'costPoints', align: 'right' },
          { title: t('inc.pkg.remaining'), key: 's', align: 'right', render: (_, p) => `${p.remainingStock} / ${p.totalStock}` },
          { title: t('inc.pkg.roles'), key: 'r', render: (_, p) => p.eligibleRoles.map((r) => <Tag key={r}>{te('role', r)}</Tag>) },
          { title: t('inc.pkg.validity'), key: 'v', render: (_, p) => `${formatTime(p.validFrom)} – ${formatTime(p.validUntil)}` },
          { title: t('inc.pkg.status'), key: 'st', render: (_, p) => <Tag color={STATUS_COLOR[p.status]}>{te('inc.status', p.status)}</Tag> },
          {
            title: t('inc.actions'),
            key: 'x',
            render: (_, p) => (
              <Space>
                {p.status === 'DRAFT' && (
                  <Button size="small" type="primary" onClick={() => void changeStatus(p.id, 'ACTIVE')} data-testid="package-publish">
                    {t('inc.pkg.publish')}
                  </Button>
                )}
                {p.status !== 'ENDED' && (
                  <Popconfirm title={t('inc.pkg.endConfirm')} onConfirm={() => changeStatus(p.id, 'ENDED')}>
                    <Button size="small" danger data-testid="package-end">
                      {t('inc.pkg.end')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {list.hasNext && (
        <Button block onClick={list.loadMore} loading={list.loading} style={{ marginTop: 8 }} data-testid="package-more">
          {t('inc.loadMore')}
        </Button>
      )}
      <Modal open={open} title={t('inc.create')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={cr.fetching} width={640} destroyOnHidden>
        <Form<FormValues>
          form={form}
          layout="vertical"
          onFinish={onCreate}
          initialValues={{ perPersonLimit: 1, redeemValidHours: 72, costPoints: 0, totalStock: 10, eligibleRoles: HEAD_ROLES, activate: false }}
          data-testid="package-form"
        >
          <Form.Item label={t('inc.scope')} required>
            <ScopePicker
              scopes={caps.adminScopes}
              value={formScope}
              onChange={(id) => {
                setFormScope(id);
                form.setFieldValue('merchantId', undefined);
              }}
            />
          </Form.Item>
          <Form.Item name="title" label={t('inc.pkg.title')} rules={[{ required: true, whitespace: true, max: 64, message: t('inc.required') }]}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="description" label={t('inc.pkg.description')}>
            <Input.TextArea maxLength={2000} rows={2} />
          </Form.Item>
          <Form.Item name="merchantId" label={t('inc.merchant')} rules={[{ required: true, message: t('inc.required') }]}>
            <Select showSearch optionFilterProp="label" options={merchantOptions(merchants, lang)} placeholder={t('inc.pickMerchant')} notFoundContent={t('inc.noMerchants')} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="costPoints" label={t('inc.pkg.cost')} rules={[{ required: true }]}>
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="totalStock" label={t('inc.pkg.stock')} rules={[{ required: true }]}>
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item name="perPersonLimit" label={t('inc.pkg.perPerson')}>
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item name="redeemValidHours" label={t('inc.pkg.redeemHours')}>
              <InputNumber min={1} />
            </Form.Item>
          </Space>
          <Form.Item name="eligibleRoles" label={t('inc.pkg.roles')} rules={[{ required: true, type: 'array', min: 1, message: t('inc.required') }]}>
            <Select mode="multiple" options={HEAD_ROLES.map((r) => ({ value: r, label: te('role', r) }))} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="validFrom" label={t('inc.pkg.validFrom')}>
              <DatePicker showTime />
            </Form.Item>
            <Form.Item name="validUntil" label={t('inc.pkg.validUntil')} rules={[{ required: true, message: t('inc.required') }]}>
              <DatePicker showTime />
            </Form.Item>
            <Form.Item name="activate" label={t('inc.pkg.activate')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </Card>
  );
}
