/**
 * The first GETs of a page opened directly on a designer URL, started by main.ts before Angular boots,
 * so that they run beside the app's start (bundle evaluation, the session check, the lazy chunk) rather
 * than after it. ApiService takes each answer once, for the same URL, token and workspace, within a few
 * seconds; it asks again itself when an answer is missing, old, refused or failed (so a 401 still goes
 * through the refresh, and errors are reported as usual). Plain TypeScript, no Angular.
 */

interface Prefetched {
  token: string;
  workspace: string;
  at: number;
  response: Promise<Response>;
}

/** An answer older than this is not used (the page has been open a while: ask afresh). */
export const PREFETCH_MAX_AGE_MS = 10_000;

const prefetched = new Map<string, Prefetched>();

/** The GETs the page at `path` starts with (the designer: its draft with validation, and the actions catalogue). */
export function prefetchUrls(path: string): string[] {
  const m = /^\/workflows\/([0-9a-f-]{36})\/?$/i.exec(path);
  return m ? [`/api/workflows/${m[1]}`, '/api/actions'] : [];
}

/** Starts the page's first GETs when a session and a workspace are stored; does nothing otherwise. */
export function prefetchForPage(path: string, token: string | null, workspace: string | null, now = Date.now()): void {
  if (!token || !workspace || typeof fetch !== 'function') return;
  for (const url of prefetchUrls(path)) {
    const response = fetch(url, { headers: { Authorization: `Bearer ${token}`, 'X-Workspace-Id': workspace } });
    response.catch(() => undefined); // a failure is seen (and retried) by whoever takes it
    prefetched.set(url, { token, workspace, at: now, response });
  }
}

/** The prefetched answer for `url`, once, if it was asked with the same token and workspace and is fresh. */
export function takePrefetched(url: string, token: string | null, workspace: string | null, now = Date.now()): Promise<Response> | undefined {
  const hit = prefetched.get(url);
  if (!hit) return undefined;
  prefetched.delete(url);
  if (hit.token !== token || hit.workspace !== workspace || now - hit.at > PREFETCH_MAX_AGE_MS) return undefined;
  return hit.response;
}

/** Forgets every prefetched answer (tests, logout). */
export function clearPrefetched(): void {
  prefetched.clear();
}
