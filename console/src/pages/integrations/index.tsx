// Integrations: the webhooks of a scope the admin holds (a community or the district, or a property company or a
// community below a street by its ID) and, for district admins, the district's API keys for Open311 POST.
import { useState } from 'react';
import { Alert, Button, Input, Space, Tabs, Typography } from 'antd';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import { ScopePicker } from '../../lib/ScopePicker';
import { keyDistricts, otherScopeId, webhookScopes } from './logic';
import Webhooks from './Webhooks';
import ApiKeys from './ApiKeys';
import SecretModal, { type ShownSecret } from './SecretModal';
import './messages';

export default function IntegrationsPage() {
  useLang();
  const { caps } = useMe();
  const scopes = webhookScopes(caps.adminScopes);
  const districts = keyDistricts(caps.adminScopes);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [typed, setTyped] = useState('');
  const [typedBad, setTypedBad] = useState(false);
  const [district, setDistrict] = useState<string | undefined>(undefined);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const scopeId = picked ?? scopes[0]?.scopeId;
  const districtId = district ?? districts[0]?.scopeId;

  const showTyped = () => {
    const id = otherScopeId(typed);
    setTypedBad(!id);
    if (id) setPicked(id);
  };

  const webhooks = (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text>{t('int.scope')}</Typography.Text>
        <ScopePicker scopes={scopes} value={scopes.some((s) => s.scopeId === scopeId) ? scopeId : undefined} onChange={setPicked} data-testid="webhook-scope" />
        <Typography.Text type="secondary">{t('int.otherScope')}</Typography.Text>
        <Input
          style={{ width: 260 }}
          value={typed}
          status={typedBad ? 'error' : undefined}
          placeholder={t('int.otherScopeHint')}
          onChange={(e) => setTyped(e.target.value)}
          onPressEnter={showTyped}
          data-testid="webhook-other-scope"
        />
        <Button onClick={showTyped}>{t('int.show')}</Button>
        {typedBad && <Typography.Text type="danger">{t('int.otherScopeBad')}</Typography.Text>}
      </Space>
      {scopeId ? <Webhooks scopeId={scopeId} onSecret={setSecret} /> : <Alert type="info" showIcon message={t('int.noScope')} />}
    </Space>
  );
  const keys =
    districtId ? (
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        {districts.length > 1 && (
          <Space>
            <Typography.Text>{t('int.keys.district')}</Typography.Text>
            <ScopePicker scopes={districts} value={districtId} onChange={setDistrict} data-testid="key-district" />
          </Space>
        )}
        <ApiKeys districtId={districtId} onSecret={setSecret} />
      </Space>
    ) : (
      <Alert type="info" showIcon message={t('int.keys.only')} data-testid="keys-only" />
    );

  return (
    <div data-testid="integrations-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('int.title')}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'webhooks', label: t('int.tab.webhooks'), children: webhooks },
          { key: 'keys', label: t('int.tab.keys'), children: keys },
        ]}
      />
      <SecretModal shown={secret} onClose={() => setSecret(null)} />
    </div>
  );
}
