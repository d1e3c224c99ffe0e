import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useNavigate } from 'react-router';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Provider as UrqlProvider } from 'urql';
import { client, setUnauthenticatedHandler } from './lib/client';
import { useLang } from './lib/i18n';
import { Loading, NotFound } from './lib/Page';
import AppLayout, { Guarded } from './layout/AppLayout';
import type { RouteKey } from './lib/roles';

const LoginPage = lazy(() => import('./pages/login'));
const pages: Record<RouteKey, LazyExoticComponent<ComponentType>> = {
  queue: lazy(() => import('./pages/queue')),
  report: lazy(() => import('./pages/report')),
  overdue: lazy(() => import('./pages/overdue')),
  sessions: lazy(() => import('./pages/sessions')),
  dashboard: lazy(() => import('./pages/dashboard')),
  grid: lazy(() => import('./pages/grid')),
  'grid-import': lazy(() => import('./pages/grid-import')),
  moderation: lazy(() => import('./pages/moderation')),
  incentives: lazy(() => import('./pages/incentives')),
  audit: lazy(() => import('./pages/audit')),
};

const ROUTES: { path: string; key: RouteKey }[] = [
  { path: 'queue', key: 'queue' },
  { path: 'reports/:id', key: 'report' },
  { path: 'overdue', key: 'overdue' },
  { path: 'sessions', key: 'sessions' },
  { path: 'dashboard', key: 'dashboard' },
  { path: 'grid', key: 'grid' },
  { path: 'grid-import', key: 'grid-import' },
  { path: 'moderation', key: 'moderation' },
  { path: 'incentives', key: 'incentives' },
  { path: 'audit', key: 'audit' },
];

/** Sends UNAUTHENTICATED answers of any query to the login page (keeping where the user was). */
function UnauthenticatedRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      const here = window.location.pathname.replace(/^\/console/, '') || '/queue';
      if (!here.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here + window.location.search)}`, { replace: true });
    });
  }, [navigate]);
  return null;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <Suspense fallback={<Loading />}>
            <LoginPage />
          </Suspense>
        }
      />
      <Route path="/" element={<AppLayout />}>
        <Route index element={<Navigate to="/queue" replace />} />
        {ROUTES.map((r) => (
          <Route key={r.path} path={r.path} element={<Guarded route={r.key} Page={pages[r.key]} />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export default function App() {
  const lang = useLang();
  useEffect(() => {
    dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} button={{ autoInsertSpace: false }}>
      <UrqlProvider value={client}>
        <BrowserRouter basename="/console">
          <UnauthenticatedRedirect />
          <AppRoutes />
        </BrowserRouter>
      </UrqlProvider>
    </ConfigProvider>
  );
}
