// Grid import: pick a community, upload a spreadsheet (sent as base64, not parsed here), preview every row's
// outcome and messages (previewGridImport), then import (applyGridImport) when the preview is valid.
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { Alert, Button, Card, Checkbox, Descriptions, Popconfirm, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import type { GridImportInput, PreviewGridImportMutation, ApplyGridImportMutation, GridImportOutcome as Outcome, GridImportSeverity as Severity } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { apiError, type ApiError } from '../../lib/errors';
import { ApplyGridImportDoc, PreviewGridImportDoc } from './docs';
import { acceptedName, MAX_IMPORT_BYTES, readAsBase64 } from './base64';
import { CommunityPicker } from './CommunityPicker';
import './messages';

type Preview = PreviewGridImportMutation['previewGridImport'];
type Row = Preview['rows'][number];
type Result = ApplyGridImportMutation['applyGridImport'];

export const OUTCOME_COLOR: Record<Outcome, string> = { CREATE: 'green', UPDATE: 'blue', UNCHANGED: 'default', ERROR: 'red' };
const SEVERITY_COLOR: Record<Severity, string> = { ERROR: 'red', WARNING: 'orange' };

export default function GridImportPage() {
  useLang();
  const { caps } = useMe();
  const [params] = useSearchParams();
  const fromUrl = params.get('communityId');
  const [path, setPath] = useState<string[] | undefined>(fromUrl ? [fromUrl] : undefined);
  const [community, setCommunity] = useState<{ id: string; name: string } | null>(fromUrl ? { id: fromUrl, name: params.get('name') ?? fromUrl } : null);
  const [presetCommunity] = useState(() => (fromUrl ? { id: fromUrl, name: params.get('name') ?? fromUrl } : null));
  const [file, setFile] = useState<{ name: string; base64: string } | null>(null);
  const [fileList, setFileList] = useState<UploadFile[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<{ title: string; e: ApiError } | null>(null);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [previewState, runPreview] = useMutation(PreviewGridImportDoc);
  const [applyState, runApply] = useMutation(ApplyGridImportDoc);

  const input = (): GridImportInput | null => (community && file ? { communityId: community.id, fileName: file.name, contentBase64: file.base64 } : null);

  const reset = () => {
    setPreview(null);
    setResult(null);
    setError(null);
  };

  const doPreview = async (inp: GridImportInput | null = input()) => {
    if (!inp) return;
    reset();
    const r = await runPreview({ input: inp });
    if (r.data?.previewGridImport) setPreview(r.data.previewGridImport);
    else setError({ title: t('gi.previewFailed'), e: apiError(r.error) ?? { code: 'INTERNAL', message: '' } });
  };

  const doApply = async () => {
    const inp = input();
    if (!inp) return;
    setError(null);
    const r = await runApply({ input: inp });
    if (r.data?.applyGridImport) setResult(r.data.applyGridImport);
    else setError({ title: t('gi.failed'), e: apiError(r.error) ?? { code: 'INTERNAL', message: '' } });
  };

  const beforeUpload = (f: File) => {
    reset();
    if (!acceptedName(f.name)) {
      setError({ title: t('gi.previewFailed'), e: { code: 'BAD_USER_INPUT', message: t('gi.badType') } });
      return Upload.LIST_IGNORE;
    }
    if (f.size > MAX_IMPORT_BYTES) {
      setError({ title: t('gi.previewFailed'), e: { code: 'BAD_USER_INPUT', message: t('gi.tooBig') } });
      return Upload.LIST_IGNORE;
    }
    setFileList([{ uid: f.name + f.size, name: f.name, status: 'done' }]);
    void readAsBase64(f).then(
      (b64) => {
        const next = { name: f.name, base64: b64 };
        setFile(next);
        if (community) void doPreview({ communityId: community.id, fileName: next.name, contentBase64: next.base64 });
      },
      (e: Error) => setError({ title: t('gi.previewFailed'), e: { code: 'INTERNAL', message: e.message } }),
    );
    return false;
  };

  const rows = preview ? (onlyProblems ? preview.rows.filter((r) => r.messages.length > 0) : preview.rows) : [];

  return (
    <div data-testid="grid-import-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('gi.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('gi.intro')}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap align="start" size="large">
          <Space direction="vertical" size={4}>
            <Typography.Text strong>{t('gi.community')}</Typography.Text>
            <CommunityPicker
              scopes={caps.adminScopes}
              preset={presetCommunity}
              value={path}
              onChange={(p, c) => {
                setPath(p);
                setCommunity(c);
                reset();
              }}
            />
          </Space>
          <Space direction="vertical" size={4}>
            <Typography.Text strong>{t('gi.file')}</Typography.Text>
            <Upload
              data-testid="import-file"
              accept=".xlsx,.xls,.ods,.csv"
              maxCount={1}
              fileList={fileList}
              beforeUpload={beforeUpload}
              onRemove={() => {
                setFile(null);
                setFileList([]);
                reset();
              }}
            >
              <Button icon={<UploadOutlined />} data-testid="import-file-button">
                {t('gi.pickFile')}
              </Button>
            </Upload>
          </Space>
          <Space direction="vertical" size={4}>
            <Typography.Text strong>{t('gi.template')}</Typography.Text>
            <Space>
              <a href="/console/api/grid-import-template.xlsx" download data-testid="import-template-xlsx">
                <DownloadOutlined /> {t('gi.templateXlsx')}
              </a>
              <a href="/console/api/grid-import-template.csv" download data-testid="import-template-csv">
                <DownloadOutlined /> {t('gi.templateCsv')}
              </a>
            </Space>
          </Space>
        </Space>
        <Space style={{ marginTop: 12 }}>
          <Button onClick={() => void doPreview()} disabled={!community || !file} loading={previewState.fetching} data-testid="import-preview">
            {t('gi.preview')}
          </Button>
          <Popconfirm title={t('gi.applyConfirm', { name: community?.name ?? '' })} onConfirm={() => void doApply()} disabled={!preview?.valid || !!result}>
            <Button type="primary" disabled={!preview?.valid || !!result} loading={applyState.fetching} data-testid="import-apply">
              {t('gi.apply')}
            </Button>
          </Popconfirm>
          {!community && file && <Typography.Text type="warning">{t('gi.needCommunity')}</Typography.Text>}
        </Space>
      </Card>

      {error && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={error.title} description={error.e.message} data-testid="import-error" />}

      {result && (
        <Card size="small" style={{ marginBottom: 12 }} data-testid="import-result">
          <Alert type="success" showIcon message={t('gi.done')} style={{ marginBottom: 8 }} />
          <Descriptions size="small" column={5}>
            {(['areasCreated', 'groupsCreated', 'neighbourhoodsCreated', 'unitsAssigned', 'headsAppointed'] as const).map((k) => (
              <Descriptions.Item key={k} label={t(`gi.result.${k}`)}>
                <span data-testid={`import-result-${k}`}>{result[k]}</span>
              </Descriptions.Item>
            ))}
          </Descriptions>
        </Card>
      )}

      {preview && (
        <Card
          size="small"
          title={
            <Space wrap>
              {t('gi.summary')}
              {preview.valid ? <Tag color="green" data-testid="import-valid">{t('gi.valid')}</Tag> : <Tag color="red" data-testid="import-invalid">{t('gi.invalid')}</Tag>}
            </Space>
          }
          extra={
            <Checkbox checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)}>
              {t('gi.onlyProblems')}
            </Checkbox>
          }
        >
          <Space size="large" wrap style={{ marginBottom: 8 }} data-testid="import-summary">
            <Statistic title={t('gi.rows')} value={preview.rows.length} />
            <Statistic title={t('gi.creates')} value={preview.creates} valueStyle={{ color: '#389e0d' }} />
            <Statistic title={t('gi.unchanged')} value={preview.unchanged} />
            <Statistic title={t('gi.errors')} value={preview.errors} valueStyle={preview.errors ? { color: '#cf1322' } : undefined} />
            <Statistic title={t('gi.warnings')} value={preview.warnings} valueStyle={preview.warnings ? { color: '#d48806' } : undefined} />
          </Space>
          <Table<Row>
            data-testid="import-preview-table"
            size="small"
            rowKey="line"
            dataSource={rows}
            pagination={rows.length > 200 ? { pageSize: 200, showSizeChanger: false } : false}
            scroll={{ x: 1100 }}
            onRow={(r) => ({ 'data-testid': 'import-row', 'data-outcome': r.outcome, 'data-line': String(r.line) }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('gi.col.line'), dataIndex: 'line', width: 60 },
              { title: t('gi.col.area'), dataIndex: 'area' },
              { title: t('gi.col.group'), dataIndex: 'group' },
              { title: t('gi.col.neighbourhood'), dataIndex: 'neighbourhood' },
              { title: t('gi.col.compound'), dataIndex: 'compound' },
              { title: t('gi.col.building'), dataIndex: 'building' },
              { title: t('gi.col.unit'), dataIndex: 'unit', width: 60, render: (u: number | null) => u ?? '' },
              { title: t('gi.col.headName'), dataIndex: 'headName', render: (v: string | null) => v ?? '' },
              { title: t('gi.col.headPhone'), dataIndex: 'headPhone', render: (v: string | null) => v ?? '' },
              {
                title: t('gi.col.outcome'),
                dataIndex: 'outcome',
                width: 90,
                render: (o: Outcome) => (
                  <Tag color={OUTCOME_COLOR[o]} data-testid="import-outcome">
                    {t(`gi.outcome.${o}`)}
                  </Tag>
                ),
              },
              {
                title: t('gi.col.messages'),
                key: 'messages',
                width: 320,
                render: (_, r) => (
                  <Space direction="vertical" size={2}>
                    {r.messages.map((m, i) => (
                      <span key={i} data-testid="import-message" data-severity={m.severity} data-code={m.code}>
                        <Tag color={SEVERITY_COLOR[m.severity]}>{t(`gi.severity.${m.severity}`)}</Tag>
                        {m.column && <Typography.Text code>{t(`gi.col.${m.column}`)}</Typography.Text>} {m.message}
                      </span>
                    ))}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}
