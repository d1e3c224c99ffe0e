import { describe, expect, it } from 'vitest';
import { acceptLanguage, format, getLang, LANG_KEY, registerMessages, setLang, t, te } from './i18n';

describe('i18n', () => {
  it('switches and stores the language', () => {
    setLang('en');
    expect(getLang()).toBe('en');
    expect(localStorage.getItem(LANG_KEY)).toBe('en');
    expect(t('menu.queue')).toBe('Queue');
    expect(acceptLanguage()).toBe('en');
    setLang('zh');
    expect(t('menu.queue')).toBe('待办');
    expect(acceptLanguage()).toBe('zh-CN');
  });
  it('falls back to Chinese, then to the key', () => {
    registerMessages('zh', { 'test.onlyZh': '只有中文' });
    expect(t('test.onlyZh', undefined, 'en')).toBe('只有中文');
    expect(t('test.missing', undefined, 'en')).toBe('test.missing');
  });
  it('interpolates', () => {
    expect(format('{a} and {b} {c}', { a: 1, b: 'x' })).toBe('1 and x {c}');
    expect(t('queue.selected', { count: 3 }, 'en')).toBe('3 selected');
  });
  it('enums fall back to the raw value', () => {
    expect(te('status', 'CLOSED', 'en')).toBe('Closed');
    expect(te('status', 'NEW_STATUS', 'en')).toBe('NEW_STATUS');
    expect(te('status', null)).toBe('');
  });
});
