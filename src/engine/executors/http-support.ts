import { StepFailure } from '../step-failure';

/** What http_request and webhook_out share: one deadline, one way to read an answer, one way to name a failure. */

/** Aborts at the request's own timeout or at the step's (ctx.signal: step timeout, worker shutdown), whichever is first. */
export function requestSignal(stepSignal: AbortSignal, timeoutMs: number): { signal: AbortSignal; timeout: AbortSignal } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: AbortSignal.any([stepSignal, timeout]), timeout };
}

/** The step's request timeout, or the action's default when the config holds none (or nonsense). */
export function timeoutOf(value: unknown, fallbackMs: number): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.min(Math.round(ms), 300_000) : fallbackMs;
}

/** Why the request stopped, for the timeline. */
export function describeAbort(stepSignal: AbortSignal, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted && !stepSignal.aborted) return `got no complete answer within ${timeoutMs} ms`;
  const reason = stepSignal.reason === undefined ? '' : messageOf(stepSignal.reason);
  return `was stopped: the step timed out or the worker is stopping${reason ? ` (${reason})` : ''}`;
}

/** Reads the whole body, refusing more than `limit` bytes instead of buffering whatever a server sends. */
export async function readLimited(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(declared, limit);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(size, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function tooLarge(size: number, limit: number): StepFailure {
  return new StepFailure('ResponseTooLarge', `The response is larger than ${limit} bytes (at least ${size})`, { retryable: false });
}

/**
 * fetch rejects with "fetch failed" and the real reason (ECONNREFUSED, ENOTFOUND, a TLS error) as its
 * cause; node:http rejects with the reason itself. Read by shape, not `instanceof`: the error may come
 * from another realm (undici, a test VM).
 */
export function networkFailure(error: unknown, where: string): StepFailure {
  type Coded = { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const cause = (error as Coded | undefined)?.cause ?? (error as Coded | undefined);
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const reason = typeof cause?.message === 'string' && cause.message ? cause.message : messageOf(error);
  return new StepFailure('NetworkError', `${where} failed: ${code && !reason.includes(code) ? `${code} ` : ''}${reason}`, { retryable: true, details: { code } });
}

export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
