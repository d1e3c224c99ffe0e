// The signed-in frame: side menu by role, language switch, user name, live indicator, sessions link, logout.
import { Suspense, useEffect, useState, type ComponentType } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { Badge, Button, Layout, Popover, Space, Tag } from 'antd';
import {
  AlertOutlined,
  ApiOutlined,
  AuditOutlined,
  BarChartOutlined,
  ClusterOutlined,
  GiftOutlined,
  InboxOutlined,
  LogoutOutlined,
  SafetyOutlined,
  UploadOutlined,
  UserOutlined,
  DesktopOutlined,
} from '@ant-design/icons';
import { MeProvider, useMe } from '../lib/me';
import { useSubscription } from 'urql';
import { graphql } from '../gql';
import { getLang, setLang, t, useLang } from '../lib/i18n';
import { hasCode } from '../lib/errors';
import { logout } from '../lib/api';
import { forgetQueueKinds } from '../lib/queueHint';
import { getLiveState, resetWs, subscribeLiveState, type LiveState } from '../lib/client';
import { canAccess, menuRoutes, type RouteKey } from '../lib/roles';
import { ErrorBox, Forbidden, Loading } from '../lib/Page';

const { Sider, Header, Content } = Layout;

const NotificationAddedDoc = graphql(`
  subscription NotificationAdded {
    notificationAdded { cursor notification { id kind title body reportId at read } }
  }
`);

/** The user's new notifications as they come (this also keeps the live socket open on every page). */
function useNotifications(onOpen: (reportId: string) => void): number {
  const [count, setCount] = useState(0);
  const [res] = useSubscription({ query: NotificationAddedDoc });
  const n = res.data?.notificationAdded.notification;
  useEffect(() => {
    if (!n) return;
    setCount((c) => c + 1);
    // antd's notification is loaded on the first one (~7 kB gzip the first page need not wait for).
    void import('antd/es/notification').then(({ default: notification }) =>
      notification.info({
        key: n.id,
        message: n.title,
        description: n.body,
        placement: 'bottomRight',
        onClick: n.reportId ? () => onOpen(n.reportId!) : undefined,
      }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n?.id]);
  return count;
}

const MENU: Record<string, { label: string; icon: React.ReactNode; path: string }> = {
  queue: { label: 'menu.queue', icon: <InboxOutlined />, path: '/queue' },
  overdue: { label: 'menu.overdue', icon: <AlertOutlined />, path: '/overdue' },
  dashboard: { label: 'menu.dashboard', icon: <BarChartOutlined />, path: '/dashboard' },
  grid: { label: 'menu.grid', icon: <ClusterOutlined />, path: '/grid' },
  'grid-import': { label: 'menu.gridImport', icon: <UploadOutlined />, path: '/grid-import' },
  moderation: { label: 'menu.moderation', icon: <SafetyOutlined />, path: '/moderation' },
  incentives: { label: 'menu.incentives', icon: <GiftOutlined />, path: '/incentives' },
  audit: { label: 'menu.audit', icon: <AuditOutlined />, path: '/audit' },
  integrations: { label: 'menu.integrations', icon: <ApiOutlined />, path: '/integrations' },
};

export function useLiveState(): LiveState {
  const [s, setS] = useState<LiveState>(getLiveState());
  useEffect(() => subscribeLiveState(setS), []);
  return s;
}

/** A route's page, or the 403 page when the user's roles do not allow it. */
export function Guarded({ route, Page }: { route: RouteKey; Page: ComponentType }) {
  const { caps } = useMe();
  if (!canAccess(route, caps)) return <Forbidden />;
  return (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
}

function Frame() {
  useLang();
  const { me, caps, fetching, error, refetch } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const live = useLiveState();
  const [collapsed, setCollapsed] = useState(false);
  const newNotifications = useNotifications((id) => navigate(`/reports/${encodeURIComponent(id)}`));

  if (hasCode(error, 'UNAUTHENTICATED')) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (!me && fetching) return <Loading />;
  if (!me) return <div style={{ padding: 24 }}><ErrorBox error={error ?? { message: t('app.error') }} onRetry={refetch} /></div>;

  const items = menuRoutes(caps).map((k) => ({
    key: MENU[k].path,
    icon: MENU[k].icon,
    label: t(MENU[k].label),
    'data-testid': `menu-${k}`,
  }));
  const selected = '/' + (location.pathname.split('/')[1] ?? '');
  const selectedKey = selected === '/reports' ? '/queue' : selected;

  const doLogout = async () => {
    await logout();
    resetWs();
    forgetQueueKinds();
    window.location.assign('/console/login');
  };

  return (
    <Layout style={{ minHeight: '100%' }}>
      <Sider className="app-sider" collapsible collapsed={collapsed} onCollapse={setCollapsed} width={200} data-testid="side-menu">
        <div className="app-logo">{collapsed ? '邻' : t('app.title')}</div>
        <nav className="side-nav" aria-label={t('app.title')}>
          {items.map((it) => (
            <Link key={it.key} to={it.key} className={`side-nav-item${it.key === selectedKey ? ' active' : ''}`} data-testid={it['data-testid']} aria-current={it.key === selectedKey ? 'page' : undefined} title={collapsed ? it.label : undefined}>
              <span className="side-nav-icon">{it.icon}</span>
              {!collapsed && <span>{it.label}</span>}
            </Link>
          ))}
        </nav>
      </Sider>
      <Layout>
        <Header className="app-header">
          <Badge status={live === 'connected' ? 'success' : live === 'connecting' ? 'processing' : 'default'} text={live === 'connected' ? t('app.live') : t('app.offline')} data-testid="live-state" data-state={live} />
          <Button size="small" onClick={() => setLang(getLang() === 'zh' ? 'en' : 'zh')} data-testid="lang-switch">
            {t('app.language')}
          </Button>
          <Popover
            trigger="click"
            placement="bottomRight"
            content={
              <Space direction="vertical" data-testid="user-roles">
                {caps.roles.map((r) => (
                  <Tag key={r.appointmentId}>{`${t(`role.${r.role}`)} · ${r.scopeName}`}</Tag>
                ))}
                <Button type="link" icon={<DesktopOutlined />} onClick={() => navigate('/sessions')} data-testid="sessions-link">
                  {t('app.sessions')}
                </Button>
              </Space>
            }
          >
            <Button type="text" data-testid="user-menu">
              <Space>
                <Badge count={newNotifications} size="small" data-testid="notification-count">
                  <UserOutlined />
                </Badge>
                <span data-testid="user-name">{me.nickname}</span>
              </Space>
            </Button>
          </Popover>
          <Button size="small" icon={<LogoutOutlined />} onClick={() => void doLogout()} data-testid="logout">
            {t('app.logout')}
          </Button>
        </Header>
        <Content className="app-content">
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}

export default function AppLayout() {
  return (
    <MeProvider>
      <Frame />
    </MeProvider>
  );
}
