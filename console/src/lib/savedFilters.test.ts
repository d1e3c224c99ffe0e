import { beforeEach, describe, expect, it } from 'vitest';
import { deleteSavedFilter, loadSavedFilters, saveFilter, SAVED_FILTERS_KEY } from './savedFilters';

describe('saved filters', () => {
  beforeEach(() => localStorage.clear());
  it('save, replace by name, delete', () => {
    saveFilter('urgent', { urgent: true, search: '', overdue: false });
    saveFilter('breached', { overdue: true, status: 'DISPATCHED' });
    expect(loadSavedFilters().map((s) => s.name)).toEqual(['breached', 'urgent']);
    expect(loadSavedFilters().find((s) => s.name === 'urgent')?.filters).toEqual({ urgent: true });
    saveFilter('urgent', { urgent: true, supported: true });
    expect(loadSavedFilters()).toHaveLength(2);
    expect(loadSavedFilters().find((s) => s.name === 'urgent')?.filters).toEqual({ urgent: true, supported: true });
    deleteSavedFilter('breached');
    expect(loadSavedFilters().map((s) => s.name)).toEqual(['urgent']);
  });
  it('ignores blank names and broken storage', () => {
    expect(saveFilter('  ', { urgent: true })).toEqual([]);
    localStorage.setItem(SAVED_FILTERS_KEY, '{not json');
    expect(loadSavedFilters()).toEqual([]);
    localStorage.setItem(SAVED_FILTERS_KEY, JSON.stringify([{ name: 1 }, { name: 'ok', filters: {} }]));
    expect(loadSavedFilters()).toEqual([{ name: 'ok', filters: {} }]);
  });
});
