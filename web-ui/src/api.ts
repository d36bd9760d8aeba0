// JSON client for /api/v1. Session: httpOnly cookie set by the server.
// CSRF: every non-GET request carries x-csrf-token (from GET /api/v1/auth/csrf); on a 403
// {error:'csrf'} the token is fetched again and the request retried once.
import type {
  UpdateMeRequest,
  ApiError,
  Health,
  LoginRequest,
  SetupRequest,
  SetupStatus,
  SystemStatus,
  User,
  UserResponse,
} from '../../firmware-agent/src/http/schemas.js';

export const API_BASE = '/api/v1';

export class ApiRequestError extends Error {
  constructor(
    /** HTTP status, 0 when the server could not be reached */
    readonly status: number,
    /** ApiError.error, or 'network' / 'http_<status>' when the body was not an ApiError */
    readonly code: string,
    message: string,
    readonly field?: string,
    /** seconds, from the Retry-After header (429) */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

let csrfToken: string | null = null;

export async function refreshCsrf(): Promise<void> {
  const r = await request<{ token: string }>('GET', '/auth/csrf');
  csrfToken = r.token;
}

function parseRetryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
  const d = Date.parse(h);
  return Number.isFinite(d) ? Math.max(0, Math.ceil((d - Date.now()) / 1000)) : undefined;
}

function isApiError(v: unknown): v is ApiError {
  return typeof v === 'object' && v !== null && typeof (v as ApiError).error === 'string';
}

// Exported for page-level API modules (pages/*/…-api.ts).
export async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken === null && path !== '/auth/csrf') await refreshCsrf();
    if (csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiRequestError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (res.ok) return data as T;

  if (res.status === 403 && isApiError(data) && data.error === 'csrf' && !retried) {
    await refreshCsrf();
    return request<T>(method, path, body, true);
  }
  if (isApiError(data)) {
    throw new ApiRequestError(res.status, data.error, data.message ?? '', data.field, parseRetryAfter(res.headers.get('retry-after')));
  }
  throw new ApiRequestError(res.status, `http_${res.status}`, res.statusText || text.slice(0, 200), undefined, parseRetryAfter(res.headers.get('retry-after')));
}

export const api = {
  setupStatus: () => request<SetupStatus>('GET', '/setup/status'),
  setup: (req: SetupRequest) => request<UserResponse>('POST', '/setup', req),
  login: (req: LoginRequest) => request<UserResponse>('POST', '/auth/login', req),
  logout: () => request<Record<string, never>>('POST', '/auth/logout', {}),
  /** The signed-in user, or null when there is no valid session. */
  me: async (): Promise<User | null> => {
    try {
      return (await request<UserResponse>('GET', '/auth/me')).user;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) return null;
      throw e;
    }
  },
  /** Saves the signed-in user's language (and display name) on the server. */
  updateMe: (req: UpdateMeRequest) => request<UserResponse>('PATCH', '/auth/me', req),
  systemStatus: () => request<SystemStatus>('GET', '/system/status'),
  health: () => request<Health>('GET', '/health'),
};

export function liveUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${API_BASE}/live`;
}
