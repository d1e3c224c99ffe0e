// The one time a secret is shown: after creating a webhook or an API key, or rotating a webhook's secret.
import { Alert, Button, Modal, Typography } from 'antd';
import { t } from '../../lib/i18n';

export interface ShownSecret {
  secret: string;
  /** What it is for: a webhook's signing key or an API key. */
  kind: 'webhook' | 'key';
}

export default function SecretModal({ shown, onClose }: { shown: ShownSecret | null; onClose: () => void }) {
  return (
    <Modal
      open={!!shown}
      title={t('int.secretTitle')}
      closable={false}
      maskClosable={false}
      keyboard={false}
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-close">
          {t('int.close')}
        </Button>
      }
    >
      <Alert type="warning" showIcon message={t('int.secretOnce')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>
        <Typography.Text code copyable data-testid="secret-value" style={{ wordBreak: 'break-all' }}>
          {shown?.secret}
        </Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{shown?.kind === 'key' ? t('int.secretKey') : t('int.secretWebhook')}</Typography.Paragraph>
    </Modal>
  );
}
