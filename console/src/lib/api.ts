// The console's own HTTP endpoints (not GraphQL): config, dev login, scan-to-login, logout, photo upload.
import { consoleHeaders } from './client';

export interface DevLogin {
  code: string;
  label: string;
}
export interface ConsoleConfig {
  mode: 'dev' | 'production';
  devLogins: DevLogin[];
}
export interface RestError {
  code: string;
  message: string;
  field?: string;
}
export type RestResult<T> = ({ ok: true } & T) | { ok: false; error: RestError };

export interface ScanStart {
  scene: string;
  expiresAt: string;
  imageUrl: string;
}
export type ScanStatus = 'PENDING' | 'APPROVED' | 'EXPIRED';

export interface UploadedPhoto {
  mediaId: string;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
  contentType: string;
  size: number;
  url: string;
  thumbnailUrl: string;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<RestResult<T>> {
  try {
    const res = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: { ...consoleHeaders(), ...(init.body && !(init.body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}), ...(init.headers ?? {}) },
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (body && typeof body === 'object' && 'ok' in body) return body as RestResult<T>;
    if (res.ok && body && typeof body === 'object') return { ok: true, ...(body as T) };
    return { ok: false, error: { code: `HTTP_${res.status}`, message: `${res.status} ${res.statusText}` } };
  } catch (e) {
    return { ok: false, error: { code: 'NETWORK', message: e instanceof Error ? e.message : String(e) } };
  }
}

async function fetchConfig(): Promise<ConsoleConfig> {
  const r = await call<ConsoleConfig>('/console/api/config');
  if (r.ok) return { mode: r.mode === 'dev' ? 'dev' : 'production', devLogins: r.devLogins ?? [] };
  return { mode: 'production', devLogins: [] };
}

let earlyConfig: Promise<ConsoleConfig> | null = null;

/** Asks for the config at start-up, before the login page is in (lib/firstPage.ts): its next getConfig() takes it. */
export function prefetchConfig(): void {
  earlyConfig ??= fetchConfig();
}

export function getConfig(): Promise<ConsoleConfig> {
  const early = earlyConfig;
  earlyConfig = null;
  return early ?? fetchConfig();
}

export function devLogin(code: string): Promise<RestResult<object>> {
  return call('/console/api/dev-login', { method: 'POST', body: JSON.stringify({ code }) });
}

export function startScan(): Promise<RestResult<ScanStart>> {
  return call<ScanStart>('/console/api/scan', { method: 'POST', body: '{}' });
}

export function pollScan(scene: string): Promise<RestResult<{ status: ScanStatus }>> {
  return call<{ status: ScanStatus }>(`/console/api/scan/${encodeURIComponent(scene)}`);
}

export function logout(): Promise<RestResult<object>> {
  return call('/console/api/logout', { method: 'POST', body: '{}' });
}

/** POST /upload (multipart): returns the media id to pass as photoIds. */
export function uploadPhoto(file: File | Blob, name = 'photo'): Promise<RestResult<UploadedPhoto>> {
  const form = new FormData();
  form.append('file', file, file instanceof File ? file.name : name);
  return call<UploadedPhoto>('/upload', { method: 'POST', body: form });
}
