// Grid management: the org tree (districts → streets → communities → compounds → buildings; areas → groups →
// neighbourhoods) loaded lazily per level, appointments over the selected unit (appoint / revoke), and the
// residences waiting for review in a community or neighbourhood (verify / reject).
import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useClient, useMutation } from 'urql';
import { Button, Card, Col, DatePicker, Descriptions, Empty, Form, Input, Modal, Popconfirm, Row, Select, Space, Switch, Table, Tag, Tree, Typography, message } from 'antd';
import type { TreeDataNode } from 'antd';
import type { Dayjs } from 'dayjs';
import type { Role } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ErrorBox } from '../../lib/Page';
import { apiError, type ApiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { GridAppointDoc, GridAppointmentsDoc, GridRejectResidenceDoc, GridResidencesDoc, GridRevokeDoc, GridVerifyResidenceDoc } from './docs';
import { childKey, communityOf, hasResidences, isApiError, isLeaf, kindOfTypename, loadChildren, roleFor, unitsText, type GridItem, type NodeKind } from './tree';
import { homeText } from './people';
import ResidentPicker from './ResidentPicker';
import { usePaged } from './paged';
import './messages';

interface TreeState {
  nodes: TreeDataNode[];
  items: Map<string, GridItem & { parentKey: string; cursor?: string | null }>;
}

function titleOf(item: GridItem): string {
  if (item.kind === 'more') return t('grid.more');
  if (item.kind.startsWith('folder:')) return t(`grid.folder.${item.kind.slice(7)}`);
  return item.name;
}

function toNode(key: string, item: GridItem): TreeDataNode {
  return { key, isLeaf: isLeaf(item.kind) };
}

function NodeTitle({ item }: { item: GridItem | undefined }) {
  if (!item) return null;
  const kindTag = item.kind.startsWith('folder:') || item.kind === 'more' ? null : t(`grid.kind.${item.kind}`);
  return (
    <span data-testid="grid-node" data-kind={item.kind} data-id={item.id}>
      {item.kind === 'more' ? <Typography.Link>{titleOf(item)}</Typography.Link> : titleOf(item)}
      {kindTag && (
        <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>
          {kindTag}
        </Typography.Text>
      )}
    </span>
  );
}

function replaceChildren(list: TreeDataNode[], key: string, f: (children: TreeDataNode[] | undefined) => TreeDataNode[]): TreeDataNode[] {
  return list.map((n) => {
    if (n.key === key) return { ...n, children: f(n.children) };
    if (n.children) return { ...n, children: replaceChildren(n.children, key, f) };
    return n;
  });
}

function initialTree(scopes: { scopeId: string; scopeName: string; scopeType: string }[]): TreeState {
  const items: TreeState['items'] = new Map();
  const nodes: TreeDataNode[] = [];
  const seen = new Set<string>();
  for (const s of scopes) {
    const kind = kindOfTypename(s.scopeType);
    if (!kind || seen.has(s.scopeId)) continue;
    seen.add(s.scopeId);
    const item: GridItem = { kind, id: s.scopeId, name: s.scopeName };
    const key = childKey('mine', item);
    items.set(key, { ...item, parentKey: 'mine' });
    nodes.push(toNode(key, item));
  }
  const all: GridItem = { kind: 'folder:all', id: 'all', name: '' };
  const allKey = childKey('root', all);
  items.set(allKey, { ...all, parentKey: 'root' });
  nodes.push(toNode(allKey, all));
  return { nodes, items };
}

function Appointments({ item, communityId }: { item: GridItem; communityId: string | null }) {
  useLang();
  // Someone without a verified residence in the community (or a unit above communities): their user ID.
  const [byId, setById] = useState(false);
  const manual = byId || !communityId;
  const [activeOnly, setActiveOnly] = useState(true);
  const list = usePaged(GridAppointmentsDoc, { scopeId: item.id, activeOnly }, (q) => q.appointments, (a) => a.id);
  const [, revoke] = useMutation(GridRevokeDoc);
  const [appointState, appoint] = useMutation(GridAppointDoc);
  const [form] = Form.useForm<{ userId: string; role: Role; startsAt?: Dayjs; endsAt?: Dayjs }>();
  const role = roleFor(item.kind);

  const doRevoke = async (id: string) => {
    const r = await revoke({ id });
    if (r.error) message.error(apiError(r.error)?.message);
    else {
      message.success(t('grid.revoked'));
      list.reload();
    }
  };
  const onAppoint = async (v: { userId: string; role: Role; startsAt?: Dayjs; endsAt?: Dayjs }) => {
    const r = await appoint({
      input: { userId: v.userId.trim(), role: v.role, scopeId: item.id, startsAt: v.startsAt?.toISOString(), endsAt: v.endsAt?.toISOString() },
    });
    if (r.error) message.error(apiError(r.error)?.message);
    else {
      message.success(t('grid.appointed'));
      form.resetFields(['userId', 'startsAt', 'endsAt']);
      list.reload();
    }
  };

  return (
    <Card
      size="small"
      title={t('grid.appointments')}
      data-testid="grid-appointments"
      extra={
        <Space>
          <Typography.Text>{t('grid.activeOnly')}</Typography.Text>
          <Switch size="small" checked={activeOnly} onChange={setActiveOnly} aria-label={t('grid.activeOnly')} />
        </Space>
      }
    >
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      <Table
        size="small"
        rowKey="id"
        loading={list.loading}
        pagination={false}
        dataSource={list.rows}
        onRow={(a) => ({ 'data-testid': 'appointment-row', 'data-id': a.id }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('grid.user'), key: 'user', render: (_, a) => <span>{a.user.nickname} <Typography.Text type="secondary" copyable={{ text: a.user.id }} style={{ fontSize: 12 }}>{a.user.id}</Typography.Text></span> },
          { title: t('grid.role'), key: 'role', render: (_, a) => te('role', a.role) },
          { title: t('grid.startsAt'), key: 's', render: (_, a) => formatTime(a.startsAt) },
          { title: t('grid.endsAt'), key: 'e', render: (_, a) => (a.endsAt ? formatTime(a.endsAt) : '—') },
          { title: '', key: 'st', render: (_, a) => (a.active ? <Tag color="green">{t('grid.active')}</Tag> : <Tag>{t('grid.ended')}</Tag>) },
          {
            title: t('grid.actions'),
            key: 'x',
            render: (_, a) =>
              a.active ? (
                <Popconfirm title={t('grid.revokeConfirm')} onConfirm={() => doRevoke(a.id)}>
                  <Button size="small" danger data-testid="appointment-revoke">
                    {t('grid.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      {list.hasNext && (
        <Button block size="small" onClick={list.loadMore} loading={list.loading}>
          {t('grid.loadMore')}
        </Button>
      )}
      {role && (
        <Form form={form} layout="inline" style={{ marginTop: 12, rowGap: 8 }} initialValues={{ role }} onFinish={onAppoint} data-testid="appoint-form">
          {manual ? (
            <Form.Item name="userId" rules={[{ required: true, whitespace: true, message: t('grid.required') }]} tooltip={t('grid.userIdHint')} label={t('grid.userId')}>
              <Input placeholder="usr_…" style={{ width: 200 }} data-testid="appoint-user" />
            </Form.Item>
          ) : (
            <Form.Item name="userId" rules={[{ required: true, message: t('grid.required') }]} tooltip={t('grid.pickHint')} label={t('grid.person')}>
              <ResidentPicker communityId={communityId!} />
            </Form.Item>
          )}
          {communityId && (
            <Form.Item>
              <Button
                type="link"
                size="small"
                style={{ padding: 0 }}
                onClick={() => {
                  setById((b) => !b);
                  form.setFieldValue('userId', undefined);
                }}
                data-testid="appoint-mode"
              >
                {byId ? t('grid.pickResident') : t('grid.pickById')}
              </Button>
            </Form.Item>
          )}
          <Form.Item name="role" label={t('grid.role')}>
            <Select style={{ width: 140 }} options={[{ value: role, label: te('role', role) }]} />
          </Form.Item>
          <Form.Item name="startsAt" label={t('grid.startsAt')}>
            <DatePicker showTime />
          </Form.Item>
          <Form.Item name="endsAt" label={t('grid.endsAt')}>
            <DatePicker showTime />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={appointState.fetching} data-testid="appoint-submit">
              {t('grid.appoint')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

function Residences({ item }: { item: GridItem }) {
  const lang = useLang();
  const list = usePaged(GridResidencesDoc, { scopeId: item.id, status: 'PENDING' as const }, (q) => q.residences, (r) => r.id);
  const [, verify] = useMutation(GridVerifyResidenceDoc);
  const [rejectState, reject] = useMutation(GridRejectResidenceDoc);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const drop = (id: string) => list.setRows((rows) => rows.filter((r) => r.id !== id));
  const doVerify = async (id: string) => {
    const r = await verify({ id });
    if (r.error) message.error(apiError(r.error)?.message);
    else {
      message.success(t('grid.verified'));
      drop(id);
    }
  };
  const doReject = async () => {
    if (!rejecting || !reason.trim()) return;
    const r = await reject({ id: rejecting, reason: reason.trim() });
    if (r.error) message.error(apiError(r.error)?.message);
    else {
      message.success(t('grid.rejected'));
      drop(rejecting);
      setRejecting(null);
      setReason('');
    }
  };
  return (
    <Card size="small" title={t('grid.residences')} data-testid="grid-residences">
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      <Table
        size="small"
        rowKey="id"
        loading={list.loading}
        pagination={false}
        dataSource={list.rows}
        locale={{ emptyText: t('grid.noResidences') }}
        onRow={(r) => ({ 'data-testid': 'residence-row', 'data-id': r.id }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('grid.resident'), key: 'u', render: (_, r) => <span>{r.user.nickname} <Typography.Text type="secondary" copyable={{ text: r.user.id }} style={{ fontSize: 12 }}>{r.user.id}</Typography.Text></span> },
          {
            title: t('grid.where'),
            key: 'w',
            render: (_, r) => `${homeText(r, lang)}${r.neighbourhood ? ` · ${r.neighbourhood.name}` : ''}`,
          },
          { title: t('grid.requestedAt'), key: 'c', render: (_, r) => formatTime(r.createdAt) },
          {
            title: t('grid.actions'),
            key: 'x',
            render: (_, r) => (
              <Space>
                <Button size="small" type="primary" onClick={() => void doVerify(r.id)} data-testid="residence-verify">
                  {t('grid.verify')}
                </Button>
                <Button size="small" danger onClick={() => setRejecting(r.id)} data-testid="residence-reject">
                  {t('grid.reject')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {list.hasNext && (
        <Button block size="small" onClick={list.loadMore} loading={list.loading}>
          {t('grid.loadMore')}
        </Button>
      )}
      <Modal
        open={!!rejecting}
        title={t('grid.reject')}
        onCancel={() => setRejecting(null)}
        onOk={() => void doReject()}
        okButtonProps={{ disabled: !reason.trim(), danger: true, loading: rejectState.fetching, ...({ 'data-testid': 'residence-reject-ok' } as object) }}
      >
        <Input.TextArea autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('grid.rejectReason')} maxLength={500} data-testid="residence-reject-reason" />
      </Modal>
    </Card>
  );
}

function Details({ item, communityId }: { item: GridItem; communityId: string | null }) {
  const lang = useLang();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" data-testid="grid-details">
        <Descriptions size="small" column={2} title={<span>{item.name} <Tag>{t(`grid.kind.${item.kind}`)}</Tag></span>}>
          <Descriptions.Item label={t('grid.id')}>
            <Typography.Text copyable>{item.id}</Typography.Text>
          </Descriptions.Item>
          {item.head !== undefined && <Descriptions.Item label={t('grid.head')}>{item.head ? item.head.nickname : t('grid.noHead')}</Descriptions.Item>}
          {item.address !== undefined && <Descriptions.Item label={t('grid.address')}>{item.address}</Descriptions.Item>}
          {item.company !== undefined && <Descriptions.Item label={t('grid.company')}>{item.company?.name ?? '—'}</Descriptions.Item>}
          {item.unitCount !== undefined && <Descriptions.Item label={t('grid.unitCount')}>{item.unitCount}</Descriptions.Item>}
          {item.compound && <Descriptions.Item label={t('grid.compound')}>{item.compound.name}</Descriptions.Item>}
          {item.units && <Descriptions.Item label={t('grid.units')} span={2}>{unitsText(item.units, lang) || '—'}</Descriptions.Item>}
        </Descriptions>
        {item.kind === 'Community' && (
          <Link to={`/grid-import?communityId=${encodeURIComponent(item.id)}&name=${encodeURIComponent(item.name)}`} data-testid="grid-import-link">
            {t('menu.gridImport')}
          </Link>
        )}
      </Card>
      {roleFor(item.kind) && <Appointments key={`a-${item.id}`} item={item} communityId={communityId} />}
      {hasResidences(item.kind) && <Residences key={`r-${item.id}`} item={item} />}
    </Space>
  );
}

export default function GridPage() {
  const lang = useLang();
  const client = useClient();
  const { caps } = useMe();
  const [tree, setTree] = useState<TreeState>(() => initialTree(caps.adminScopes));
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [expanded, setExpanded] = useState<React.Key[]>([]);
  const [loaded, setLoaded] = useState<React.Key[]>([]);

  const fetchInto = useCallback(
    async (key: string, kind: NodeKind, id: string, after: string | null) => {
      const res = await loadChildren(client, kind, id, after);
      if (isApiError(res)) {
        setError(res);
        return;
      }
      setError(null);
      setTree((s) => {
        const items = new Map(s.items);
        const added: TreeDataNode[] = res.items.map((it) => {
          const k = childKey(key, it);
          items.set(k, { ...it, parentKey: key });
          return toNode(k, it);
        });
        const moreKey = `${key}/more`;
        if (res.hasNext) {
          const more: GridItem = { kind: 'more', id, name: '' };
          items.set(moreKey, { ...more, parentKey: key, cursor: res.endCursor });
          added.push(toNode(moreKey, more));
        } else items.delete(moreKey);
        // A first page replaces the children (a node's children loaded twice at once must not show twice).
        const nodes = replaceChildren(s.nodes, key, (old) => [...(after ? (old ?? []).filter((n) => n.key !== moreKey) : []), ...added]);
        return { nodes, items };
      });
    },
    [client],
  );

  const onLoad = async (node: TreeDataNode) => {
    const key = String(node.key);
    const item = tree.items.get(key);
    if (!item || item.kind === 'more') return;
    await fetchInto(key, item.kind, item.id, null);
    setLoaded((l) => [...l, key]);
  };

  const onSelect = (keys: React.Key[]) => {
    const key = keys[0] ? String(keys[0]) : null;
    if (!key) return;
    const item = tree.items.get(key);
    if (!item) return;
    if (item.kind === 'more') {
      const parent = tree.items.get(item.parentKey);
      if (parent) void fetchInto(item.parentKey, parent.kind, parent.id, item.cursor ?? null);
      return;
    }
    if (item.kind.startsWith('folder:')) {
      setExpanded((e) => (e.includes(key) ? e.filter((k) => k !== key) : [...e, key]));
      return;
    }
    setSelected(key);
  };

  const current = selected ? tree.items.get(selected) : undefined;
  const treeNodes = useMemo(() => tree.nodes, [tree.nodes]);

  return (
    <div data-testid="grid-page" data-lang={lang}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('grid.title')}
      </Typography.Title>
      <Row gutter={12}>
        <Col xs={24} md={9} lg={8}>
          <Card size="small" title={t('grid.tree')} styles={{ body: { maxHeight: 'calc(100vh - 190px)', overflow: 'auto' } }}>
            {error && <ErrorBox error={error} />}
            <div data-testid="grid-tree">
              <Tree
                showLine
                blockNode
                treeData={treeNodes}
                loadData={onLoad}
                loadedKeys={loaded}
                expandedKeys={expanded}
                onExpand={(keys) => setExpanded(keys)}
                selectedKeys={selected ? [selected] : []}
                onSelect={onSelect}
                titleRender={(n) => <NodeTitle item={tree.items.get(String(n.key))} />}
              />
            </div>
          </Card>
        </Col>
        <Col xs={24} md={15} lg={16}>
          {current ? <Details key={selected} item={current} communityId={communityOf(tree.items, selected)} /> : <Empty description={t('grid.pickNode')} />}
        </Col>
      </Row>
    </div>
  );
}
