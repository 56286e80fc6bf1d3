import { computed, inject, Injectable, signal } from '@angular/core';

import { AuthService, type ApiAnswer, type RequestOptions } from './auth.service';
import { takePrefetched } from './prefetch';

export interface Workspace {
  id: string;
  name: string;
  role: string;
}

export const WORKSPACE_KEY = 'bluebird.workspaceId';

/**
 * Every call to the API goes through here: bearer token and quiet refresh (AuthService), the chosen
 * workspace (X-Workspace-Id) and If-Match for edits.
 */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly auth = inject(AuthService);

  readonly workspaces = signal<Workspace[]>([]);
  readonly workspaceId = signal<string | null>(readWorkspace());
  readonly workspace = computed<Workspace | null>(() => this.workspaces().find((w) => w.id === this.workspaceId()) ?? this.workspaces()[0] ?? null);

  async loadWorkspaces(): Promise<void> {
    const list = await this.get<Workspace[]>('/api/workspaces');
    this.workspaces.set(Array.isArray(list) ? list : []);
    const chosen = this.workspaceId();
    if (!chosen || !this.workspaces().some((w) => w.id === chosen)) this.chooseWorkspace(this.workspaces()[0]?.id ?? null);
  }

  chooseWorkspace(id: string | null): void {
    this.workspaceId.set(id);
    try {
      if (id) localStorage.setItem(WORKSPACE_KEY, id);
      else localStorage.removeItem(WORKSPACE_KEY);
    } catch {
      /* storage disabled */
    }
  }

  get<T>(url: string, params?: Record<string, string | number | boolean | undefined>): Promise<T> {
    return this.call<T>('GET', url, { params: clean(params) }).then((a) => a.body);
  }

  /** A command: POST/PUT/DELETE with an optional revision for If-Match; resolves to body and new ETag. */
  call<T>(method: string, url: string, options: RequestOptions & { revision?: number } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const ws = this.workspaceId();
    if (ws) headers['X-Workspace-Id'] = ws;
    if (options.revision !== undefined) headers['If-Match'] = `"${options.revision}"`;
    const send = () => this.auth.request<T>(method, url, { params: options.params, body: options.body, headers });
    // A plain GET the page started before the app booted (see prefetch.ts): its answer, else ask now.
    const plainGet = method === 'GET' && !options.body && options.revision === undefined && !Object.keys(options.params ?? {}).length;
    const early = plainGet && !options.headers ? takePrefetched(url, this.auth.accessToken(), ws) : undefined;
    if (!early) return send();
    return early
      .then(async (res): Promise<ApiAnswer<T>> => {
        if (!res.ok) throw new Error(`prefetch answered ${res.status}`);
        return { body: (await res.json()) as T, etag: res.headers.get('ETag'), status: res.status };
      })
      .catch(send);
  }
}

/** The revision an ETag carries (`"12"` or `W/"12"`), or undefined. */
export function revisionOf(etag: string | null): number | undefined {
  const m = etag?.match(/"(\d+)"/);
  return m ? Number(m[1]) : undefined;
}

function clean(params?: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean> | undefined {
  if (!params) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function readWorkspace(): string | null {
  try {
    return localStorage.getItem(WORKSPACE_KEY);
  } catch {
    return null;
  }
}
