// Small shared page pieces: a loading spinner, an error box with the server's message, the 403 / 404 pages.
import { lazy, Suspense } from 'react';
import { Alert, Button, Spin } from 'antd';
import type { CombinedError } from '@urql/core';
import { t } from './i18n';
import { errorMessage } from './errors';

export function Loading() {
  return (
    <div className="page-loading" data-testid="loading">
      <Spin />
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: CombinedError | { message: string } | undefined | null; onRetry?: () => void }) {
  if (!error) return null;
  const msg = 'graphQLErrors' in error ? errorMessage(error) : error.message;
  return (
    <Alert
      type="error"
      showIcon
      data-testid="error"
      message={t('app.error')}
      description={msg}
      action={onRetry ? <Button onClick={onRetry}>{t('app.retry')}</Button> : undefined}
    />
  );
}

const LazyForbidden = lazy(() => import('./Results').then((m) => ({ default: m.ForbiddenResult })));
const LazyNotFound = lazy(() => import('./Results').then((m) => ({ default: m.NotFoundResult })));
const LazyPlaceholder = lazy(() => import('./Results').then((m) => ({ default: m.PlaceholderResult })));

export function Forbidden() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyForbidden />
    </Suspense>
  );
}

export function NotFound() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyNotFound />
    </Suspense>
  );
}

export function Placeholder({ title }: { title: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyPlaceholder title={title} />
    </Suspense>
  );
}
