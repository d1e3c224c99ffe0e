// antd Result pages (heavy SVGs): loaded lazily through Page.tsx's Forbidden / NotFound / Placeholder.
import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { t } from './i18n';

export function ForbiddenResult() {
  return (
    <div data-testid="forbidden">
    <Result
      status="403"
      title="403"
      subTitle={t('app.forbiddenText')}
      extra={
        <Link to="/queue">
          <Button type="primary">{t('app.backHome')}</Button>
        </Link>
      }
    />
    </div>
  );
}

export function NotFoundResult() {
  return (
    <div data-testid="not-found">
    <Result
      status="404"
      title="404"
      subTitle={t('app.notFound')}
      extra={
        <Link to="/queue">
          <Button type="primary">{t('app.backHome')}</Button>
        </Link>
      }
    />
    </div>
  );
}

export function PlaceholderResult({ title }: { title: string }) {
  return (
    <div data-testid="placeholder">
      <Result status="info" title={title} subTitle={t('app.placeholder')} />
    </div>
  );
}
