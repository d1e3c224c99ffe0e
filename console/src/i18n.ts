export * from './lib/i18n';
