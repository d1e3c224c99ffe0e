import { describe, expect, it } from 'vitest';
import { acceptedName, readAsBase64, stripDataUrl } from './base64';

describe('grid import file reading', () => {
  it('strips a data URL prefix', () => {
    expect(stripDataUrl('data:text/csv;base64,YSxi')).toBe('YSxi');
    expect(stripDataUrl('data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,UEsD')).toBe('UEsD');
    expect(stripDataUrl('YSxi')).toBe('YSxi');
  });
  it('reads a blob as base64', async () => {
    const text = 'area,group\n一片,一组\n';
    const b64 = await readAsBase64(new Blob([text], { type: 'text/csv' }));
    expect(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))).toBe(text);
  });
  it('reads an empty blob', async () => {
    expect(await readAsBase64(new Blob([]))).toBe('');
  });
  it('accepts spreadsheet extensions only', () => {
    expect(acceptedName('网格.XLSX')).toBe(true);
    expect(acceptedName('grid.csv')).toBe(true);
    expect(acceptedName('grid.ods')).toBe(true);
    expect(acceptedName('grid.txt')).toBe(false);
  });
});
