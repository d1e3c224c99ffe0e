// The queue: ticketQueue (property staff) or taskInbox (heads, admins), server pagination ("load more"),
// server filters (status, category, compound, escalated, overdue, supported, words) and the urgency filter over
// the loaded rows, saved filters, live updates, bulk actions by availableActions.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useClient, useQuery, useSubscription } from 'urql';
import { Alert, Button, Checkbox, Segmented, Space, Tag, Tooltip } from 'antd';
import { Input, Select } from '../../lib/antdLite';
import { LazyModal as Modal } from '../../lib/LazyModal';
import DataTable, { type DataColumn } from '../../lib/DataTable';
import { DeleteOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import type { QueueRowFragment, Status } from '../../gql/graphql';
import { t, te, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { pickQueueKind, queueKinds } from '../../lib/roles';
import { ErrorBox } from '../../lib/Page';
import { apiError, type ApiError } from '../../lib/errors';
import { applyClientFilters, clientSideKeys, serverKey, sortRows, toSubscriptionVariables, toVariables, PAGE_SIZE, type QueueFilters, type QueueKind, type SortKey } from '../../lib/filters';
import { deleteSavedFilter, loadSavedFilters, saveFilter, type SavedFilter } from '../../lib/savedFilters';
import { BULK_ACTIONS, eligibleRows, type BulkAction, type BulkOutcome } from '../../lib/bulk';
import { subscribeLiveState } from '../../lib/client';
import { appendPage, applyChange } from '../../lib/liveList';
import { ClockTag, StatusTag, categoryName, locationText, shortId, useNow } from '../../lib/reportUi';
import { formatTime } from '../../lib/sla';
import { CategoriesDoc, TaskInboxChangedDoc, TaskInboxDoc, TicketQueueChangedDoc, TicketQueueDoc } from './docs';
import { loadSessionFilters, storeSessionFilters } from './session';

// The bulk-action dialog is its own chunk (Modal, Input.TextArea, message): loaded when rows are first selected.
const loadBulkModal = () => import('./BulkModal');
const BulkModal = lazy(loadBulkModal);

const STATUSES: Status[] = ['SUBMITTED', 'ACKNOWLEDGED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'REOPENED', 'CLOSED', 'REJECTED', 'DUPLICATE', 'CANCELLED'];
const SORTS: SortKey[] = ['default', 'due', 'waiting', 'support', 'newest'];
const SORT_LABEL: Record<SortKey, string> = { default: 'queue.sortDefault', due: 'queue.sortDue', waiting: 'queue.sortWaiting', support: 'queue.sortSupport', newest: 'queue.sortNewest' };

type Row = QueueRowFragment;

interface PageState {
  key: string;
  rows: Row[];
  endCursor: string | null;
  hasNext: boolean;
  loading: boolean;
  error: ApiError | null;
}

function useQueueData(kind: QueueKind, filters: QueueFilters) {
  const client = useClient();
  const key = serverKey(kind, filters);
  const [state, setState] = useState<PageState>({ key, rows: [], endCursor: null, hasNext: false, loading: true, error: null });
  const reqKey = useRef(key);

  const load = useCallback(
    async (after: string | null) => {
      const vars = toVariables(kind, filters, after, PAGE_SIZE);
      setState((s) => ({ ...s, loading: true, error: null }));
      const thisKey = serverKey(kind, filters);
      reqKey.current = thisKey;
      const res =
        kind === 'ticketQueue'
          ? await client.query(TicketQueueDoc, vars, { requestPolicy: 'network-only' }).toPromise()
          : await client.query(TaskInboxDoc, vars, { requestPolicy: 'network-only' }).toPromise();
      if (reqKey.current !== thisKey) return; // filters changed meanwhile
      const conn = res.data && ('ticketQueue' in res.data ? res.data.ticketQueue : res.data.taskInbox);
      if (!conn) {
        setState((s) => ({ ...s, loading: false, error: apiError(res.error) ?? { code: 'INTERNAL', message: t('app.error') } }));
        return;
      }
      setState((s) => ({
        key: thisKey,
        rows: after && s.key === thisKey ? appendPage(s.rows, conn.nodes) : conn.nodes,
        endCursor: conn.pageInfo.endCursor ?? null,
        hasNext: conn.pageInfo.hasNextPage,
        loading: false,
        error: null,
      }));
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, key],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const patch = useCallback((fn: (rows: Row[]) => Row[]) => setState((s) => ({ ...s, rows: fn(s.rows) })), []);

  // After the live socket comes back, changes may have been missed: reload the first page.
  useEffect(() => {
    let wasDown = false;
    return subscribeLiveState((st) => {
      if (st === 'closed') wasDown = true;
      else if (st === 'connected' && wasDown) {
        wasDown = false;
        void load(null);
      }
    });
  }, [load]);

  // Live updates: the server's filters as the query's.
  const subVars = useMemo(() => toSubscriptionVariables(kind, filters), [kind, key]); // eslint-disable-line react-hooks/exhaustive-deps
  const [tq] = useSubscription({ query: TicketQueueChangedDoc, variables: subVars, pause: kind !== 'ticketQueue' });
  const [ti] = useSubscription({ query: TaskInboxChangedDoc, variables: subVars, pause: kind !== 'taskInbox' });
  const change = kind === 'ticketQueue' ? tq.data?.ticketQueueChanged : ti.data?.taskInboxChanged;
  useEffect(() => {
    if (change) patch((rows) => applyChange(rows, { inList: change.inList, report: change.report }));
  }, [change, patch]);

  return { ...state, load, patch };
}

function FilterBar({
  filters,
  setFilters,
  categories,
  compounds,
}: {
  filters: QueueFilters;
  setFilters: (f: QueueFilters) => void;
  categories: { value: string; label: string }[];
  compounds: { value: string; label: string }[];
}) {
  const [saved, setSaved] = useState<SavedFilter[]>(() => loadSavedFilters());
  const [name, setName] = useState('');
  const [saveOpen, setSaveOpen] = useState(false);
  const set = (p: Partial<QueueFilters>) => setFilters({ ...filters, ...p });
  return (
    <Space wrap style={{ marginBottom: 12 }} data-testid="queue-filters">
      <Select<Status | ''>
        data-testid="filter-status"
        aria-label={t('queue.filterStatus')}
        style={{ width: 170 }}
        value={filters.status ?? ''}
        onChange={(v) => set({ status: v || undefined })}
        options={[{ value: '', label: t('queue.filterStatusDefault') }, ...STATUSES.map((s) => ({ value: s, label: te('status', s) }))]}
      />
      <Select<string>
        data-testid="filter-category"
        aria-label={t('queue.filterCategory')}
        style={{ width: 150 }}
        allowClear
        placeholder={t('queue.filterCategory')}
        value={filters.categoryId}
        onChange={(v) => set({ categoryId: v || undefined })}
        options={categories}
      />
      <Select<string>
        data-testid="filter-compound"
        aria-label={t('queue.filterCompound')}
        style={{ width: 150 }}
        allowClear
        placeholder={t('queue.filterCompound')}
        value={filters.compoundId}
        onChange={(v) => set({ compoundId: v || undefined })}
        options={compounds}
      />
      <Checkbox data-testid="filter-escalated" checked={!!filters.escalated} onChange={(e) => set({ escalated: e.target.checked || undefined })}>
        {t('queue.filterEscalated')}
      </Checkbox>
      <Checkbox data-testid="filter-overdue" checked={!!filters.overdue} onChange={(e) => set({ overdue: e.target.checked || undefined })}>
        {t('queue.filterOverdue')}
      </Checkbox>
      <Checkbox data-testid="filter-supported" checked={!!filters.supported} onChange={(e) => set({ supported: e.target.checked || undefined })}>
        {t('queue.filterSupported')}
      </Checkbox>
      <Checkbox data-testid="filter-urgent" checked={!!filters.urgent} onChange={(e) => set({ urgent: e.target.checked || undefined })}>
        {t('queue.filterUrgent')}
      </Checkbox>
      <Input.Search
        data-testid="filter-search"
        aria-label={t('queue.search')}
        allowClear
        style={{ width: 180 }}
        placeholder={t('queue.search')}
        maxLength={50}
        defaultValue={filters.search}
        key={filters.search ?? ''}
        onSearch={(v) => set({ search: v || undefined })}
      />
      <Select<SortKey>
        data-testid="queue-sort"
        aria-label={t('queue.sort')}
        style={{ width: 170 }}
        value={filters.sort ?? 'default'}
        onChange={(v) => set({ sort: v === 'default' ? undefined : v })}
        options={SORTS.map((s) => ({ value: s, label: t(SORT_LABEL[s]) }))}
      />
      <Select<string>
        data-testid="saved-filters"
        aria-label={t('queue.savedFilters')}
        style={{ width: 160 }}
        placeholder={t('queue.savedFilters')}
        value={null as unknown as string}
        onChange={(n) => {
          const s = saved.find((x) => x.name === n);
          if (s) setFilters({ ...s.filters });
        }}
        options={saved.map((s) => ({
          value: s.name,
          label: (
            <Space style={{ width: '100%', justifyContent: 'space-between' }}>
              <span>{s.name}</span>
              <DeleteOutlined
                aria-label={t('queue.deleteFilter')}
                onClick={(e) => {
                  e.stopPropagation();
                  setSaved(deleteSavedFilter(s.name));
                }}
              />
            </Space>
          ),
        }))}
        notFoundContent={<span className="muted">—</span>}
      />
      <Button icon={<SaveOutlined />} onClick={() => setSaveOpen(true)} data-testid="save-filter">
        {t('queue.saveFilter')}
      </Button>
      <Button onClick={() => setFilters({})} data-testid="filter-reset">
        {t('queue.reset')}
      </Button>
      <Modal
        open={saveOpen}
        title={t('queue.saveFilter')}
        onCancel={() => setSaveOpen(false)}
        okButtonProps={{ disabled: !name.trim(), 'data-testid': 'save-filter-ok' } }
        onOk={() => {
          setSaved(saveFilter(name, filters));
          setName('');
          setSaveOpen(false);
        }}
        destroyOnClose
      >
        <Input autoFocus data-testid="save-filter-name" placeholder={t('queue.saveFilterName')} value={name} onChange={(e) => setName(e.target.value)} onPressEnter={() => {
          if (name.trim()) {
            setSaved(saveFilter(name, filters));
            setName('');
            setSaveOpen(false);
          }
        }} />
      </Modal>
    </Space>
  );
}

export default function QueuePage() {
  const lang = useLang();
  const { caps } = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const now = useNow();
  const kinds = queueKinds(caps);
  const kind = pickQueueKind(kinds, params.get('q'));
  const [filters, setFiltersState] = useState<QueueFilters>(() => loadSessionFilters(kind));
  const setFilters = useCallback(
    (f: QueueFilters) => {
      setFiltersState(f);
      storeSessionFilters(kind, f);
    },
    [kind],
  );
  useEffect(() => setFiltersState(loadSessionFilters(kind)), [kind]);
  const data = useQueueData(kind, filters);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  const [{ data: cats }] = useQuery({ query: CategoriesDoc });

  useEffect(() => setSelected([]), [data.key]);
  const anySelected = selected.length > 0;
  useEffect(() => {
    if (anySelected) loadBulkModal().catch(() => {}); // a failure shows when the dialog opens
  }, [anySelected]);

  const categories = useMemo(() => (cats?.categories ?? []).map((c) => ({ value: c.id, label: categoryName(c, lang) })), [cats, lang]);
  const compounds = useMemo(() => {
    const m = new Map<string, string>();
    data.rows.forEach((r) => m.set(r.compound.id, r.compound.name));
    if (filters.compoundId && !m.has(filters.compoundId)) m.set(filters.compoundId, filters.compoundId);
    return [...m].map(([value, label]) => ({ value, label }));
  }, [data.rows, filters.compoundId]);

  const visible = useMemo(() => sortRows(applyClientFilters(kind, data.rows, filters), filters.sort), [kind, data.rows, filters]);
  const clientKeys = clientSideKeys(kind, filters);
  const selectedRows = useMemo(() => data.rows.filter((r) => selected.includes(r.id)), [data.rows, selected]);

  const columns: DataColumn<Row>[] = [
    { key: 'id', title: t('col.id'), width: 96, render: (r) => <code className="rid" title={r.id}>{shortId(r.id)}</code> },
    { key: 'category', title: t('col.category'), width: 96, render: (r) => categoryName(r.category, lang) },
    {
      key: 'description',
      title: t('col.description'),
      render: (r) => (
        <span title={r.description}>
          {r.urgency === 'URGENT' && <Tag color="red">{te('urgency', 'URGENT')}</Tag>}
          {r.description}
        </span>
      ),
    },
    { key: 'status', title: t('col.status'), width: 90, render: (r) => <StatusTag status={r.status} /> },
    { key: 'location', title: t('col.location'), width: 170, render: (r) => <span title={`${r.compound.name} ${locationText(r.location)}`}>{`${r.compound.name} ${locationText(r.location)}`}</span> },
    {
      key: 'level',
      title: t('col.level'),
      width: 100,
      render: (r) =>
        r.escalation ? (
          <Tooltip title={r.escalation.escalated ? t('report.steps', { steps: r.escalation.steps }) : undefined}>
            <Tag color={r.escalation.escalated ? 'orange' : undefined} data-testid="level-tag">
              {te('level', r.escalation.level)}
              {r.escalation.escalated ? ' ↑' : ''}
            </Tag>
          </Tooltip>
        ) : (
          t('time.none')
        ),
    },
    { key: 'due', title: t('col.due'), width: 140, render: (r) => <ClockTag sla={r.sla} now={now} /> },
    { key: 'support', title: t('col.supporters'), width: 56, align: 'right', render: (r) => r.supportCount },
    { key: 'submitted', title: t('col.submitted'), width: 130, render: (r) => formatTime(r.milestones.submittedAt) },
  ];

  const onBulkDone = (_o: BulkOutcome[], updated: Row[]) => {
    data.patch((rows) => updated.reduce((acc, rep) => applyChange(acc, { inList: true, report: rep }), rows));
    const ok = new Set(updated.map((r) => r.id));
    setSelected((s) => s.filter((id) => !ok.has(id)));
  };

  return (
    <div data-testid="queue-page" data-kind={kind}>
      <Space style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }} wrap>
        <Space>
          <h4 className="page-title">
            {t(kind === 'ticketQueue' ? 'queue.ticketQueue' : 'queue.taskInbox')}
          </h4>
          {kinds.length > 1 && (
            <Segmented<QueueKind>
              data-testid="queue-kind"
              value={kind}
              onChange={(v) => setParams({ q: v })}
              options={kinds.map((k) => ({ value: k, label: t(k === 'ticketQueue' ? 'queue.ticketQueue' : 'queue.taskInbox') }))}
            />
          )}
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => void data.load(null)} loading={data.loading} data-testid="queue-reload">
          {t('app.retry')}
        </Button>
      </Space>
      <FilterBar filters={filters} setFilters={setFilters} categories={categories} compounds={compounds} />
      {clientKeys.length > 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t('queue.clientFilterNote')} data-testid="client-filter-note" />
      )}
      {data.error && <ErrorBox error={data.error} onRetry={() => void data.load(null)} />}
      <Space style={{ marginBottom: 8 }} wrap data-testid="bulk-bar">
        <span>{t('queue.selected', { count: selected.length })}</span>
        {BULK_ACTIONS.map((a) => {
          const n = eligibleRows(selectedRows, a).length;
          return (
            <Button key={a} disabled={n === 0} onClick={() => setBulk(a)} data-testid={`bulk-${a === 'START_WORK' ? 'start' : a.toLowerCase()}`}>
              {te('action', a)}
              {selectedRows.length > 0 ? ` (${n})` : ''}
            </Button>
          );
        })}
      </Space>
      <DataTable<Row>
        data-testid="queue-table"
        rowKey={(r) => r.id}
        columns={columns}
        rows={visible}
        loading={data.loading}
        empty={t('queue.empty')}
        selected={selected}
        onSelect={setSelected}
        selectAllLabel={t('queue.selected', { count: selected.length })}
        onOpen={(r) => navigate(`/reports/${encodeURIComponent(r.id)}`)}
        rowClassName={(r) => `queue-row${r.sla.breached ? ' row-overdue' : ''}`}
        rowProps={(r) => ({ 'data-testid': 'queue-row', 'data-id': r.id, 'data-status': r.status })}
      />
      <Space style={{ marginTop: 12 }}>
        <span className="muted" data-testid="queue-count">
          {t('queue.loadedCount', { count: data.rows.length })}
        </span>
        {data.hasNext ? (
          <Button onClick={() => void data.load(data.endCursor)} loading={data.loading} data-testid="load-more">
            {t('queue.loadMore')}
          </Button>
        ) : (
          data.rows.length > 0 && <span className="muted">{t('queue.allLoaded')}</span>
        )}
      </Space>
      {bulk && (
        <Suspense fallback={null}>
          <BulkModal action={bulk} rows={selectedRows} onClose={() => setBulk(null)} onDone={onBulkDone} />
        </Suspense>
      )}
    </div>
  );
}
