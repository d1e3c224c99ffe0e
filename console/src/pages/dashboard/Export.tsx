// Exports of the scope and period: plain links (CSV, XLSX) and a background export with progress.
import { useEffect, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { Button, Card, Progress, Select, Space, Tag, Typography, message } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { DashExportJobQuery, ExportFormat } from '../../gql/graphql';
import { t, useLang } from '../../lib/i18n';
import { apiError } from '../../lib/errors';
import { formatTime } from '../../lib/sla';
import { DashExportJobDoc, DashRequestExportDoc } from './docs';
import { exportHref, exportProgress } from './format';

type Job = DashExportJobQuery['exportJob'];
const FINAL = ['DONE', 'FAILED', 'EXPIRED'];

export default function ExportPanel({ scopeId, from, to, categoryId }: { scopeId: string; from: string; to: string; categoryId: string | null }) {
  useLang();
  const client = useClient();
  const [format, setFormat] = useState<ExportFormat>('XLSX');
  const [job, setJob] = useState<Job | null>(null);
  const [state, request] = useMutation(DashRequestExportDoc);

  useEffect(() => {
    if (!job || FINAL.includes(job.status)) return;
    const id = window.setTimeout(async () => {
      const r = await client.query(DashExportJobDoc, { id: job.id }, { requestPolicy: 'network-only' }).toPromise();
      if (r.data) setJob(r.data.exportJob);
      else {
        message.error(apiError(r.error)?.message);
        setJob({ ...job, status: 'FAILED' });
      }
    }, 2000);
    return () => window.clearTimeout(id);
  }, [job, client]);

  const start = async () => {
    const r = await request({ input: { scopeId, from, to, categoryId, format } });
    if (r.data) setJob(r.data.requestExport);
    else message.error(apiError(r.error)?.message);
  };

  const pct = job ? exportProgress(job) : null;
  return (
    <Card size="small" title={t('dash.export')} data-testid="dashboard-export">
      <Space wrap>
        <Button href={exportHref('csv', scopeId, from, to, categoryId)} icon={<DownloadOutlined />} data-testid="export-csv">
          {t('dash.exportCsv')}
        </Button>
        <Button href={exportHref('xlsx', scopeId, from, to, categoryId)} icon={<DownloadOutlined />} data-testid="export-xlsx">
          {t('dash.exportXlsx')}
        </Button>
        <Typography.Text type="secondary">{t('dash.exportBackground')}</Typography.Text>
        <Select<ExportFormat>
          value={format}
          onChange={setFormat}
          style={{ width: 90 }}
          options={[
            { value: 'XLSX', label: 'Excel' },
            { value: 'CSV', label: 'CSV' },
          ]}
          aria-label={t('dash.exportBackground')}
        />
        <Button onClick={() => void start()} loading={state.fetching} disabled={!!job && !FINAL.includes(job.status)} data-testid="export-background">
          {t('dash.exportStart')}
        </Button>
      </Space>
      {job && (
        <div style={{ marginTop: 8 }} data-testid="export-job" data-status={job.status}>
          <Space wrap>
            <Tag color={job.status === 'DONE' ? 'green' : job.status === 'FAILED' ? 'red' : job.status === 'EXPIRED' ? 'default' : 'blue'}>{t(`dash.exportStatus.${job.status}`)}</Tag>
            <Typography.Text type="secondary">
              {job.rowsTotal != null ? t('dash.exportRows', { done: job.rowsDone, total: job.rowsTotal }) : t('dash.exportRowsUnknown', { done: job.rowsDone })}
            </Typography.Text>
            {job.downloadUrl && (
              <a href={job.downloadUrl} data-testid="export-download">
                <DownloadOutlined /> {t('dash.exportDownload')}
                {job.fileBytes != null && ` (${(job.fileBytes / 1024).toFixed(0)} KB)`}
              </a>
            )}
            {job.expiresAt && job.status === 'DONE' && <Typography.Text type="secondary">{t('dash.exportExpires', { time: formatTime(job.expiresAt) })}</Typography.Text>}
          </Space>
          {!FINAL.includes(job.status) && <Progress percent={pct ?? 0} status="active" showInfo={pct != null} size="small" />}
        </div>
      )}
    </Card>
  );
}
