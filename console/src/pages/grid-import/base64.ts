// Reading an upload for the grid import: the file's bytes as base64, nothing parsed in the browser.

/** The largest file the server takes (GridImportInput: at most 2 MB). */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

export const IMPORT_EXTENSIONS = ['.xlsx', '.xls', '.ods', '.csv'];

/** "data:…;base64,AAAA" → "AAAA" (a bare base64 string is returned as it is). */
export function stripDataUrl(s: string): string {
  const i = s.indexOf(';base64,');
  return s.startsWith('data:') && i >= 0 ? s.slice(i + 8) : s;
}

/** Whether the name ends with an extension the import reads. */
export function acceptedName(name: string): boolean {
  const n = name.toLowerCase();
  return IMPORT_EXTENSIONS.some((e) => n.endsWith(e));
}

/** The file's bytes as base64 (FileReader.readAsDataURL, prefix removed). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.onload = () => resolve(stripDataUrl(typeof r.result === 'string' ? r.result : ''));
    r.readAsDataURL(file);
  });
}
