import { HttpErrorResponse } from '@angular/common/http';

/** True when `err` is an HTTP answer with one of the given status codes (0 = no answer at all). */
export function hasStatus(err: unknown, ...codes: number[]): err is HttpErrorResponse {
  return err instanceof HttpErrorResponse && codes.includes(err.status);
}

/** Turns a failed request into one short line a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    if (err.status === 0) return 'API unreachable';
    const body = err.error as { title?: unknown; detail?: unknown } | null;
    const detail =
      body && typeof body === 'object'
        ? typeof body.detail === 'string'
          ? body.detail
          : typeof body.title === 'string'
            ? body.title
            : ''
        : '';
    return `HTTP ${err.status}${detail ? `: ${detail}` : err.statusText ? ` ${err.statusText}` : ''}`;
  }
  return err instanceof Error ? err.message : 'Unknown error';
}
