// The person to appoint, found among the community's verified residents: a Select searching the server
// (`residences(search)`) ~300 ms after the admin stops typing. Its value is the user's id.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from 'urql';
import { Select, Space, Spin, Typography } from 'antd';
import { t, useLang } from '../../lib/i18n';
import { apiError } from '../../lib/errors';
import { debounce } from '../../lib/debounce';
import { GridResidentSearchDoc } from './docs';
import { isPartialPhone, keepPicked, residentOptions, searchTerm, type ResidentOption } from './people';

export const PICKER_PAGE = 20;
export const PICKER_DEBOUNCE_MS = 300;

export interface ResidentPickerProps {
  communityId: string;
  value?: string;
  onChange?: (userId: string | undefined) => void;
  id?: string;
  style?: React.CSSProperties;
}

export default function ResidentPicker({ communityId, value, onChange, id, style }: ResidentPickerProps) {
  const lang = useLang();
  const client = useClient();
  const [hits, setHits] = useState<ResidentOption[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [picked, setPicked] = useState<ResidentOption | null>(null);
  const seq = useRef(0);
  const asked = useRef<string | null | undefined>(undefined);

  const run = useCallback(
    async (q: string | null) => {
      asked.current = q;
      const my = ++seq.current;
      setLoading(true);
      const r = await client.query(GridResidentSearchDoc, { scopeId: communityId, q, first: PICKER_PAGE }, { requestPolicy: 'network-only' }).toPromise();
      if (my !== seq.current) return;
      setLoading(false);
      setLoaded(true);
      if (r.data) {
        setHits(residentOptions(r.data.residences.nodes, lang));
        setError(null);
      } else {
        setHits([]);
        setError(apiError(r.error)?.message ?? t('app.error'));
      }
    },
    [client, communityId, lang],
  );
  const search = useMemo(
    () =>
      debounce((raw: string) => {
        const q = searchTerm(raw);
        if (q !== asked.current) void run(q);
      }, PICKER_DEBOUNCE_MS),
    [run],
  );
  useEffect(() => () => search.cancel(), [search]);

  const options = keepPicked(hits, picked).map((o) => ({ value: o.value, label: o.homes[0] ? `${o.nickname} · ${o.homes[0]}` : o.nickname, nickname: o.nickname, homes: o.homes }));
  const empty = loading ? (
    <Spin size="small" />
  ) : error ? (
    <Typography.Text type="danger">{error}</Typography.Text>
  ) : isPartialPhone(typed) ? (
    <Typography.Text type="secondary">{t('grid.pickPhoneWhole')}</Typography.Text>
  ) : (
    <Typography.Text type="secondary">{t('grid.pickNone')}</Typography.Text>
  );

  return (
    <Select
      id={id}
      data-testid="appoint-user"
      style={{ width: 300, ...style }}
      showSearch
      allowClear
      filterOption={false}
      value={value}
      placeholder={t('grid.pickPlaceholder')}
      aria-label={t('grid.person')}
      loading={loading}
      options={options}
      notFoundContent={empty}
      searchValue={typed}
      onSearch={(v) => {
        setTyped(v);
        search(v);
      }}
      onOpenChange={(open) => {
        if (open && !loaded && !loading) void run(searchTerm(typed));
      }}
      onChange={(v: string | undefined) => {
        setPicked(hits.find((h) => h.value === v) ?? (v && picked?.value === v ? picked : null));
        setTyped('');
        search('');
        onChange?.(v);
      }}
      optionRender={(o) => {
        const d = o.data as { nickname?: string; homes?: string[] };
        return (
          <Space direction="vertical" size={0} data-testid="appoint-user-option" data-id={o.value}>
            <span>{d.nickname}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {d.homes?.join(lang === 'en' ? '; ' : '；')}
            </Typography.Text>
          </Space>
        );
      }}
    />
  );
}
