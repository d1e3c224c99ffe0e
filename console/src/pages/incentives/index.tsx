// Incentives: partner merchants, packages, redemptions (verify / cancel), best-neighbour-head votes and the
// statistics of points and redemptions. Merchants, packages, redemptions and statistics are those of one scope the
// admin administers (a district, street or community), picked once for those tabs.
import { useState } from 'react';
import { Tabs, Typography } from 'antd';
import { t, useLang } from '../../lib/i18n';
import { useMe } from '../../lib/me';
import Merchants from './Merchants';
import Packages from './Packages';
import Redemptions from './Redemptions';
import Votes from './Votes';
import Statistics from './Statistics';
import { currentScope, type ScopeProps } from './lists';
import './messages';

export default function IncentivesPage() {
  useLang();
  const { caps } = useMe();
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const scope: ScopeProps = { scopeId: currentScope(picked, caps.adminScopes), setScopeId: setPicked };
  return (
    <div data-testid="incentives-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('inc.title')}
      </Typography.Title>
      <Tabs
        destroyOnHidden={false}
        items={[
          { key: 'merchants', label: t('inc.tab.merchants'), children: <Merchants {...scope} /> },
          { key: 'packages', label: t('inc.tab.packages'), children: <Packages {...scope} /> },
          { key: 'redemptions', label: t('inc.tab.redemptions'), children: <Redemptions {...scope} /> },
          { key: 'votes', label: t('inc.tab.votes'), children: <Votes /> },
          { key: 'statistics', label: t('inc.tab.statistics'), children: <Statistics {...scope} /> },
        ]}
      />
    </div>
  );
}
