import { StepFailure } from '../step-failure';

/** What http_request and webhook_out share: one deadline, one way to read an answer, one way to name a failure. */

/** A request's deadline: its own timeout or the step's signal (step timeout, worker shutdown), whichever comes first. */
export interface RequestDeadline {
  signal: AbortSignal;
  /** The request's own timeout fired. */
  timedOut(): boolean;
  /** The call is over: the timer and the listener on the step's signal go with it. */
  release(): void;
}

/**
 * One controller and a timer cleared when the call ends, not AbortSignal.timeout with
 * AbortSignal.any: Node clears that timer only once a collection has found the signal unused
 * (a FinalizationRegistry), so every call's timer, signals and weak references outlived it and
 * were copied into the old generation (10% of the bytes promoted at 150 runs/s).
 */
export function requestDeadline(stepSignal: AbortSignal, timeoutMs: number): RequestDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const onStepAbort = () => controller.abort(stepSignal.reason);
  if (stepSignal.aborted) onStepAbort();
  else stepSignal.addEventListener('abort', onStepAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs).unref();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer);
      stepSignal.removeEventListener('abort', onStepAbort);
    },
  };
}

/** The step's request timeout, or the action's default when the config holds none (or nonsense). */
export function timeoutOf(value: unknown, fallbackMs: number): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.min(Math.round(ms), 300_000) : fallbackMs;
}

/** Why the request stopped, for the timeline. */
export function describeAbort(stepSignal: AbortSignal, deadline: RequestDeadline, timeoutMs: number): string {
  if (deadline.timedOut() && !stepSignal.aborted) return `got no complete answer within ${timeoutMs} ms`;
  const reason = stepSignal.reason === undefined ? '' : messageOf(stepSignal.reason);
  return `was stopped: the step timed out or the worker is stopping${reason ? ` (${reason})` : ''}`;
}

/**
 * Reads a whole body (a fetch Response's or a node:http answer's: both iterate their chunks), refusing
 * more than `limit` bytes, declared or sent, instead of buffering whatever a server sends. A body refused
 * part-way is closed by leaving its iteration; one refused unread, by `discard`.
 */
export async function readLimited(body: AsyncIterable<Uint8Array> | null | undefined, declaredLength: unknown, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const declared = Number(declaredLength);
  if (declared > limit) {
    await discard(body);
    throw tooLarge(declared, limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(size, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Closes a body nobody will read: a web stream is cancelled, a node:http answer destroyed (freeing its socket). */
async function discard(body: object): Promise<void> {
  if ('destroy' in body && typeof body.destroy === 'function') body.destroy();
  else if ('cancel' in body && typeof body.cancel === 'function') await (body.cancel() as Promise<void>).catch(() => undefined);
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
