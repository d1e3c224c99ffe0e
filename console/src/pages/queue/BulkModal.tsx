// The queue's bulk-action dialog: one mutation per eligible selected row (at most BULK_CONCURRENCY at once), then the
// failures with the server's message. Its own chunk, loaded on first use: Modal, Input.TextArea and message are not
// needed for the queue's first paint.
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { Alert, Input, Modal, message } from 'antd';
import type { QueueRowFragment } from '../../gql/graphql';
import { t, te } from '../../lib/i18n';
import { eligibleRows, runLimited, type BulkAction, type BulkOutcome } from '../../lib/bulk';
import { runAction } from '../../lib/reportActions';
import { shortId } from '../../lib/reportUi';

const BULK_CONCURRENCY = 4;

type Row = QueueRowFragment;

export default function BulkModal({
  action,
  rows,
  onClose,
  onDone,
}: {
  action: BulkAction | null;
  rows: Row[];
  onClose: () => void;
  onDone: (outcomes: BulkOutcome[], updated: Row[]) => void;
}) {
  const client = useClient();
  const [note, setNote] = useState('');
  const [running, setRunning] = useState(false);
  const [failures, setFailures] = useState<BulkOutcome[] | null>(null);
  useEffect(() => {
    if (action) {
      setNote('');
      setFailures(null);
    }
  }, [action]);
  if (!action) return null;
  const targets = eligibleRows(rows, action);
  const run = async () => {
    setRunning(true);
    const updated: Row[] = [];
    const outcomes = await runLimited(targets, BULK_CONCURRENCY, async (r): Promise<BulkOutcome> => {
      const res = await runAction(client, action, r.id, { note });
      if (res.ok) {
        updated.push(res.report);
        return { id: r.id, ok: true };
      }
      return { id: r.id, ok: false, code: res.error.code, message: res.error.message };
    });
    setRunning(false);
    const failed = outcomes.filter((o) => !o.ok);
    onDone(outcomes, updated);
    message.info(t('queue.bulkDone', { ok: outcomes.length - failed.length, failed: failed.length }));
    if (failed.length) setFailures(failed);
    else onClose();
  };
  return (
    <Modal
      open
      title={t('queue.bulkConfirm', { count: targets.length, action: te('action', action) })}
      onCancel={onClose}
      onOk={failures ? onClose : () => void run()}
      okText={failures ? t('report.done') : te('action', action)}
      confirmLoading={running}
      okButtonProps={{ 'data-testid': 'bulk-confirm' } }
      cancelButtonProps={{ disabled: running }}
      data-testid="bulk-modal"
    >
      {!failures && (
        <Input.TextArea autoFocus data-testid="bulk-note" rows={3} maxLength={500} placeholder={t('queue.bulkNote')} value={note} onChange={(e) => setNote(e.target.value)} />
      )}
      {failures && (
        <>
          <Alert type="warning" showIcon message={t('queue.bulkFailures')} style={{ marginBottom: 8 }} />
          <ul className="bulk-failures" data-testid="bulk-failures">
            {failures.map((o) => (
              <li key={o.id} data-testid="bulk-failure" data-id={o.id}>
                <code className="rid" title={o.id}>{shortId(o.id)}</code> {rows.find((r) => r.id === o.id)?.description.slice(0, 40) ?? ''}
                <div className="text-danger" data-testid="bulk-failure-message">{o.message}</div>
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
