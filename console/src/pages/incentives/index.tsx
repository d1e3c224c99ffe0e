// Incentives: partner merchants, packages, redemptions (verify / cancel), best-neighbour-head votes and the
// statistics of points and redemptions.
import { useState } from 'react';
import { Tabs, Typography } from 'antd';
import { t, useLang } from '../../lib/i18n';
import Merchants from './Merchants';
import Packages from './Packages';
import Redemptions from './Redemptions';
import Votes from './Votes';
import Statistics from './Statistics';
import { loadMerchants } from './merchants';
import './messages';

export default function IncentivesPage() {
  useLang();
  const [merchants, setMerchants] = useState(loadMerchants);
  return (
    <div data-testid="incentives-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('inc.title')}
      </Typography.Title>
      <Tabs
        destroyOnHidden={false}
        items={[
          { key: 'merchants', label: t('inc.tab.merchants'), children: <Merchants merchants={merchants} setMerchants={setMerchants} /> },
          { key: 'packages', label: t('inc.tab.packages'), children: <Packages merchants={merchants} /> },
          { key: 'redemptions', label: t('inc.tab.redemptions'), children: <Redemptions /> },
          { key: 'votes', label: t('inc.tab.votes'), children: <Votes /> },
          { key: 'statistics', label: t('inc.tab.statistics'), children: <Statistics /> },
        ]}
      />
    </div>
  );
}
