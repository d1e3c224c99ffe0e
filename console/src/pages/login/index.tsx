// Login: the dev login picker (dev mode) and the WeChat scan code, polled every 2 s.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Button, Space, Spin } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { devLogin, getConfig, pollScan, startScan, type ConsoleConfig, type ScanStart, type ScanStatus } from '../../lib/api';
import { getLang, setLang, t, useLang } from '../../lib/i18n';
import { formatTime } from '../../lib/sla';
import { resetWs } from '../../lib/client';

export const POLL_MS = 2000;

/** Where to go after login: a same-app path from ?next=, else the queue. */
export function nextTarget(next: string | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')) return `/console${next}`;
  return '/console/queue';
}

function enter(next: string | null) {
  resetWs();
  window.location.assign(nextTarget(next));
}

function ScanLogin({ next }: { next: string | null }) {
  const [scan, setScan] = useState<ScanStart | null>(null);
  const [status, setStatus] = useState<ScanStatus | 'LOADING' | 'ERROR'>('LOADING');
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  const stop = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
  };

  const begin = useCallback(async () => {
    stop();
    setStatus('LOADING');
    setError(null);
    const r = await startScan();
    if (!r.ok) {
      setStatus('ERROR');
      setError(r.error.message);
      return;
    }
    setScan({ scene: r.scene, expiresAt: r.expiresAt, imageUrl: r.imageUrl });
    setStatus('PENDING');
  }, []);

  useEffect(() => {
    void begin();
    return stop;
  }, [begin]);

  useEffect(() => {
    if (!scan || status !== 'PENDING') return;
    let cancelled = false;
    const tick = async () => {
      const r = await pollScan(scan.scene);
      if (cancelled) return;
      if (r.ok) {
        if (r.status === 'APPROVED') {
          setStatus('APPROVED');
          enter(next);
          return;
        }
        if (r.status === 'EXPIRED' || new Date(scan.expiresAt).getTime() < Date.now()) {
          setStatus('EXPIRED');
          return;
        }
      }
      timer.current = window.setTimeout(() => void tick(), POLL_MS);
    };
    timer.current = window.setTimeout(() => void tick(), POLL_MS);
    return () => {
      cancelled = true;
      stop();
    };
  }, [scan, status, next]);

  return (
    <Space direction="vertical" align="center" style={{ width: '100%' }} data-testid="scan-login">
      <h5 className="login-h">{t('login.scan')}</h5>
      {status === 'LOADING' && <Spin />}
      {status === 'ERROR' && (
        <Alert type="warning" showIcon message={t('login.scanUnavailable')} description={error} action={<Button onClick={() => void begin()}>{t('app.retry')}</Button>} />
      )}
      {scan && (status === 'PENDING' || status === 'APPROVED' || status === 'EXPIRED') && (
        <>
          <img
            src={scan.imageUrl}
            alt={t('login.scan')}
            className="scan-img"
            style={{ opacity: status === 'EXPIRED' ? 0.25 : 1 }}
            data-testid="scan-image"
            onError={() => {
              // WeChat would not draw the code (the server answers 503): nobody can scan it, so stop polling and
              // offer a retry instead of a broken image.
              stop();
              setStatus('ERROR');
              setError(t('login.scanImageFailed'));
            }}
          />
          {status === 'PENDING' && (
            <span className="muted" data-testid="scan-status">
              {t('login.scanPending')} · {t('login.expiresAt', { time: formatTime(scan.expiresAt) })}
            </span>
          )}
          {status === 'APPROVED' && <span className="text-success" data-testid="scan-status">{t('login.scanApproved')}</span>}
          {status === 'EXPIRED' && (
            <Space direction="vertical" align="center">
              <span className="text-warning" data-testid="scan-status">{t('login.scanExpired')}</span>
              <Button type="primary" icon={<ReloadOutlined />} onClick={() => void begin()} data-testid="scan-refresh" autoFocus>
                {t('login.scanRefresh')}
              </Button>
            </Space>
          )}
        </>
      )}
    </Space>
  );
}

function DevLogins({ config, next }: { config: ConsoleConfig; next: string | null }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = async (code: string) => {
    setBusy(code);
    setError(null);
    const r = await devLogin(code);
    setBusy(null);
    if (r.ok) enter(next);
    else setError(r.error.message);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="dev-logins">
      <h5 className="login-h">{t('login.dev')}</h5>
      <span className="muted">{t('login.devHint')}</span>
      {error && <Alert type="error" showIcon message={error} data-testid="login-error" />}
      {config.devLogins.map((d) => (
        <Button key={d.code} block loading={busy === d.code} disabled={!!busy && busy !== d.code} onClick={() => void go(d.code)} data-testid={`dev-login-${d.code.replace(/^dev:/, '')}`}>
          {d.label} <span className="muted" style={{ marginLeft: 8 }}>{d.code}</span>
        </Button>
      ))}
    </Space>
  );
}

export default function LoginPage() {
  useLang();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  useEffect(() => {
    void getConfig().then(setConfig);
  }, []);
  const dev = config?.mode === 'dev' && config.devLogins.length > 0;
  return (
    <div className="login-wrap">
      <main className="login-card" data-testid="login-page">
        <header className="login-head">
          <h1 className="login-title">{t('login.title')}</h1>
          <Button size="small" onClick={() => setLang(getLang() === 'zh' ? 'en' : 'zh')} data-testid="lang-switch">
            {t('app.language')}
          </Button>
        </header>
        {!config ? (
          <Spin />
        ) : (
          <div className={`login-grid${dev ? '' : ' single'}`}>
            <ScanLogin next={next} />
            {dev && <DevLogins config={config} next={next} />}
          </div>
        )}
      </main>
    </div>
  );
}
