import { HttpClient, HttpHeaders } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { describeError, hasStatus } from './http-error';

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
}

export interface WorkspaceMembership {
  id: string;
  name: string;
  role: string;
}

/** Body of GET /api/auth/me. */
export interface Me extends AuthUser {
  workspaces: WorkspaceMembership[];
}

/** Body of POST /api/auth/login and POST /api/auth/refresh. */
interface TokenAnswer {
  accessToken: string;
  refreshToken: string;
  /** Lifetime of the access token in seconds (the token's own `exp` claim schedules the quiet refresh). */
  expiresIn: number;
  user: AuthUser;
  mustChangePassword: boolean;
}

export type Session =
  | { state: 'checking' }
  | { state: 'anonymous'; message?: string }
  | { state: 'authenticated'; user: AuthUser & { workspaces?: WorkspaceMembership[] }; mustChangePassword: boolean };

export interface RequestOptions {
  params?: Record<string, string | number | boolean>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  body: T;
  etag: string | null;
  status: number;
}

/** The `exp` claim of a JWT in milliseconds, or null when it cannot be read. */
function expiryOf(token: string): number | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

export const ACCESS_KEY = 'bluebird.accessToken';
const REFRESH_KEY = 'bluebird.refreshToken';

export function readToken(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: behave as logged out
  }
}

function writeTokens(access: string | null, refresh: string | null): void {
  try {
    for (const [key, value] of [[ACCESS_KEY, access], [REFRESH_KEY, refresh]] as const) {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    }
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

/** The one place that knows about tokens: login, logout, session restore and authenticated GETs. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  /** One refresh at a time: parallel 401s share it (a rotated refresh token must not be spent twice). */
  private refreshing: Promise<boolean> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** From the last login/refresh answer; GET /api/auth/me does not report it. */
  private mustChangePassword = false;

  readonly session = signal<Session>(readToken(ACCESS_KEY) ? { state: 'checking' } : { state: 'anonymous' });
  readonly user = computed(() => {
    const s = this.session();
    return s.state === 'authenticated' ? s.user : null;
  });

  /** On start: if a token is stored, ask the API whose it is (refreshing it once on 401). */
  async restore(): Promise<void> {
    if (!readToken(ACCESS_KEY)) {
      this.session.set({ state: 'anonymous' });
      return;
    }
    this.session.set({ state: 'checking' });
    try {
      const me = await this.get<Me>('/api/auth/me');
      performance.mark('bb:session');
      this.session.set({ state: 'authenticated', user: me, mustChangePassword: this.mustChangePassword });
      this.scheduleQuietRefresh();
    } catch (err) {
      // 401s already ended the session in get(); keep the tokens on other failures (the API may just be down).
      if (!hasStatus(err, 401)) this.session.set({ state: 'anonymous', message: describeError(err) });
    }
  }

  /** Logs in; resolves to null on success or to the line to show under the form. */
  async login(email: string, password: string): Promise<string | null> {
    try {
      const answer = await firstValueFrom(this.http.post<TokenAnswer>('/api/auth/login', { email, password }));
      this.accept(answer, true);
      return null;
    } catch (err) {
      if (hasStatus(err, 401)) return 'Wrong e-mail or password';
      if (hasStatus(err, 429)) return 'Too many attempts; wait a minute';
      return describeError(err); // status 0 gives 'API unreachable'
    }
  }

  logout(message?: string): void {
    writeTokens(null, null);
    clearTimeout(this.refreshTimer);
    this.mustChangePassword = false;
    this.session.set({ state: 'anonymous', message });
  }

  /** GET with the bearer token; on 401 refreshes once and retries, and ends the session if that fails. */
  async get<T>(url: string, params?: Record<string, string | number | boolean>): Promise<T> {
    return (await this.request<T>('GET', url, { params })).body;
  }

  /**
   * Any request with the bearer token (and the caller's extra headers, e.g. If-Match, X-Workspace-Id).
   * On 401 refreshes once and retries; ends the session if that fails. Resolves to the body and the ETag.
   */
  async request<T>(method: string, url: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    try {
      return await this.send<T>(method, url, options);
    } catch (err) {
      if (!hasStatus(err, 401)) throw err;
      if (!(await this.refresh())) {
        this.logout('Session expired; please log in again');
        throw err;
      }
    }
    try {
      return await this.send<T>(method, url, options);
    } catch (err) {
      if (hasStatus(err, 401)) this.logout('Session expired; please log in again');
      throw err;
    }
  }

  /** The current access token (for EventSource URLs and the like). */
  accessToken(): string | null {
    return readToken(ACCESS_KEY);
  }

  private async send<T>(method: string, url: string, options: RequestOptions): Promise<ApiAnswer<T>> {
    const token = readToken(ACCESS_KEY);
    let headers = new HttpHeaders(options.headers ?? {});
    if (token) headers = headers.set('Authorization', `Bearer ${token}`);
    const res = await firstValueFrom(
      this.http.request<T>(method, url, { headers, params: options.params, body: options.body, observe: 'response' }),
    );
    return { body: res.body as T, etag: res.headers.get('ETag'), status: res.status };
  }

  /** Refreshes the access token a minute before it expires, so a person never meets a 401. */
  private scheduleQuietRefresh(): void {
    clearTimeout(this.refreshTimer);
    const token = readToken(ACCESS_KEY);
    const exp = token ? expiryOf(token) : null;
    if (!exp) return;
    const wait = Math.max(5_000, exp - Date.now() - 60_000);
    this.refreshTimer = setTimeout(() => {
      if (this.session().state === 'authenticated') void this.refresh().catch(() => undefined);
    }, Math.min(wait, 2_000_000_000));
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** True when new tokens were stored, false when the API refused; network and 5xx errors propagate. */
  private async doRefresh(): Promise<boolean> {
    const refreshToken = readToken(REFRESH_KEY);
    if (!refreshToken) return false;
    try {
      this.accept(await firstValueFrom(this.http.post<TokenAnswer>('/api/auth/refresh', { refreshToken })), false);
      return true;
    } catch (err) {
      if (hasStatus(err, 400, 401, 403)) return false;
      throw err;
    }
  }

  private accept(answer: TokenAnswer, isLogin: boolean): void {
    writeTokens(answer.accessToken, answer.refreshToken);
    this.mustChangePassword = answer.mustChangePassword === true;
    this.scheduleQuietRefresh();
    const prev = this.session();
    // A refresh during restore() leaves the state to restore(); one while logged in keeps the known workspaces.
    if (isLogin || prev.state === 'authenticated') {
      const workspaces = !isLogin && prev.state === 'authenticated' ? prev.user.workspaces : undefined;
      this.session.set({
        state: 'authenticated',
        user: { ...answer.user, workspaces },
        mustChangePassword: this.mustChangePassword,
      });
    }
  }
}
