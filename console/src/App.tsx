import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useNavigate } from 'react-router';
import { ConfigProvider } from 'antd';
// The ES builds: antd/locale/* are CommonJS and bring a second copy of the date-picker locales.
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Provider as UrqlProvider } from 'urql';
import { client, setUnauthenticatedHandler } from './lib/client';
import { useLang } from './lib/i18n';
import { Loading, NotFound } from './lib/Page';
import AppLayout, { Guarded } from './layout/AppLayout';
import type { RouteKey } from './lib/roles';
import { loaders, loadLogin, ROUTES } from './routes';

const LoginPage = lazy(loadLogin);
const pages = Object.fromEntries(Object.entries(loaders).map(([k, load]) => [k, lazy(load)])) as Record<RouteKey, LazyExoticComponent<ComponentType>>;

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
