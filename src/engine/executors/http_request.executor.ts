import { performance } from 'node:perf_hooks';
import type { StepContext, StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { describeAbort, messageOf, networkFailure, requestDeadline, timeoutOf } from './http-support';
import { exchange } from './http-exchange';

/**
 * Calls an HTTP API (the seed's CALL_API). Every request carries `Idempotency-Key`, the same on
 * every attempt and redelivery of the step (SPEC B9), so a target that honours it applies the call
 * once however often a killed worker repeats it.
 */

const DEFAULTS = { method: 'GET', bodyType: 'json', timeoutMs: 30_000, responseType: 'auto', failOnStatus: ['4xx', '5xx'] } as const;
/** Larger answers fail the step rather than fill a worker's memory and the execution log. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Output fields the response fills; a mapping may replace `body` (to keep only what later steps need), not these. */
const MEASURED_FIELDS = new Set(['status', 'headers', 'durationMs']);

export interface HttpResponseSnapshot {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const httpRequestExecutor: StepExecutor<'http_request'> = {
  type: 'http_request',
  async execute(ctx) {
    const config = ctx.config;
    const method = String(config.method ?? DEFAULTS.method).toUpperCase();
    const url = requestUrl(config.url, config.query, ctx);
    const timeoutMs = timeoutOf(config.timeoutMs, DEFAULTS.timeoutMs);
    const deadline = requestDeadline(ctx.signal, timeoutMs);
    const request = buildRequest(method, config, ctx);
    const mapping = checkedMapping(config.responseMapping);

    const started = performance.now();
    let response: HttpResponseSnapshot;
    try {
      const answer = await exchange({ method, url, ...request, signal: deadline.signal, maxBytes: MAX_RESPONSE_BYTES });
      response = { status: answer.status, headers: answer.headers, body: decodeBody(answer.body, answer.headers, config.responseType) };
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      if (deadline.signal.aborted) throw new StepFailure('Timeout', `${method} ${url.origin}${url.pathname} ${describeAbort(ctx.signal, deadline, timeoutMs)}`);
      throw networkFailure(error, `${method} ${url.origin}${url.pathname}`);
    } finally {
      deadline.release();
    }
    const durationMs = Math.round(performance.now() - started);

    const failOnStatus = Array.isArray(config.failOnStatus) ? (config.failOnStatus as string[]) : DEFAULTS.failOnStatus;
    if (statusMatches(response.status, failOnStatus)) throw statusFailure(method, url, response);

    const mapped = await mapResponse(mapping, response, ctx);
    return { output: { body: response.body, ...mapped, status: response.status, headers: response.headers, durationMs } };
  },
};

/** Absolute URLs as given; a path (`/api/customers`) against this app's own address, as the seed's CALL_API meant. */
function requestUrl(raw: unknown, query: unknown, ctx: StepContext): URL {
  if (typeof raw !== 'string' || !raw.trim()) throw new StepFailure('InvalidConfig', 'http_request needs a url', { retryable: false });
  const text = raw.trim();
  let url: URL;
  try {
    url = text.startsWith('/') ? new URL(text, `http://127.0.0.1:${ctx.services.config.port}`) : new URL(text);
  } catch {
    throw new StepFailure('InvalidConfig', `"${clip(text)}" is not a URL`, { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StepFailure('InvalidConfig', `Only http and https URLs can be called, not ${url.protocol}`, { retryable: false });
  }
  for (const [name, value] of Object.entries(asRecord(query))) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== null && one !== undefined) url.searchParams.append(name, asText(one));
  }
  return url;
}

/** The request's headers (checked, as fetch would) and body. */
function buildRequest(method: string, config: Record<string, unknown>, ctx: StepContext): { headers: Record<string, string>; body?: string } {
  const headers = new Headers();
  try {
    // A key the step sets itself wins: it chose what "the same call" means for its target.
    headers.set('Idempotency-Key', ctx.idempotencyKey);
    for (const [name, value] of Object.entries(asRecord(config.headers))) headers.set(name, asText(value));
  } catch (error) {
    throw new StepFailure('InvalidConfig', `Invalid request header: ${messageOf(error)}`, { retryable: false });
  }
  const payload = config.body !== undefined ? config.body : config.data;
  let body: string | undefined;
  if (payload !== undefined && payload !== null) {
    if (method === 'GET' || method === 'HEAD') throw new StepFailure('InvalidConfig', `A ${method} request cannot carry a body`, { retryable: false });
    const encoded = encodeBody(payload, String(config.bodyType ?? DEFAULTS.bodyType));
    body = encoded.text;
    if (!headers.has('content-type')) headers.set('content-type', encoded.contentType);
  }
  return { headers: Object.fromEntries(headers), body };
}

function encodeBody(payload: unknown, bodyType: string): { text: string; contentType: string } {
  switch (bodyType) {
    case 'json':
      return { text: JSON.stringify(payload), contentType: 'application/json' };
    case 'text':
      return { text: asText(payload), contentType: 'text/plain; charset=utf-8' };
    case 'form': {
      if (typeof payload !== 'object' || Array.isArray(payload)) {
        throw new StepFailure('InvalidConfig', 'A form body must be an object of field names to values', { retryable: false });
      }
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(payload as Record<string, unknown>)) {
        for (const one of Array.isArray(value) ? value : [value]) if (one !== null && one !== undefined) form.append(name, asText(one));
      }
      return { text: form.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    default:
      throw new StepFailure('InvalidConfig', `Unknown bodyType "${bodyType}" (json, form or text)`, { retryable: false });
  }
}

function decodeBody(bytes: Buffer, headers: Record<string, string>, responseType: unknown): unknown {
  const text = bytes.toString('utf8');
  const type = String(responseType ?? DEFAULTS.responseType);
  if (type === 'text') return text;
  if (type === 'json') {
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new StepFailure('InvalidResponse', `The response is not JSON: "${clip(text)}"`, { details: { text: clip(text, 500) } });
    }
  }
  // auto: JSON when the response says so, and text when it says so but is not (a proxy's error page).
  const contentType = headers['content-type'] ?? '';
  if (/\bjson\b|\+json/i.test(contentType) && text.trim() !== '') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text === '' ? null : text;
}

/** `404` names one status; `4xx` a class. */
export function statusMatches(status: number, patterns: readonly string[]): boolean {
  const text = String(status);
  return patterns.some((pattern) => pattern === text || (pattern.endsWith('xx') && pattern[0] === text[0]));
}

function statusFailure(method: string, url: URL, response: HttpResponseSnapshot): StepFailure {
  const { status } = response;
  const where = `${method} ${url.origin}${url.pathname}`;
  const preview = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  const message = `${where} answered ${status}${preview ? `: ${clip(preview, 200)}` : ''}`;
  const details = { status, headers: response.headers, body: typeof response.body === 'string' ? clip(response.body, 2000) : response.body };
  // 408 and 429 say "ask again later"; any other 4xx would get the same answer on a retry.
  if (status >= 400 && status < 500) return new StepFailure('HttpClientError', message, { retryable: status === 408 || status === 429, details });
  if (status >= 500) return new StepFailure('HttpServerError', message, { retryable: true, details });
  return new StepFailure('HttpStatusError', message, { retryable: false, details });
}

/** Checked before the call: a config mistake must not cost a side effect first. */
function checkedMapping(mapping: unknown): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, expression] of Object.entries(asRecord(mapping))) {
    if (MEASURED_FIELDS.has(name)) {
      throw new StepFailure('InvalidConfig', `responseMapping cannot set "${name}": the response fills it`, { retryable: false });
    }
    if (typeof expression !== 'string' || !expression.trim()) {
      throw new StepFailure('InvalidConfig', `responseMapping "${name}" must be a JSONata expression`, { retryable: false });
    }
    checked[name] = expression;
  }
  return checked;
}

async function mapResponse(mapping: Record<string, string>, response: HttpResponseSnapshot, ctx: StepContext): Promise<Record<string, unknown>> {
  const mapped: Record<string, unknown> = {};
  // The response's parts are roots (`body.id`) and also `response` (`response.status`), over the step's scope.
  const roots = { ...response, response };
  for (const [name, expression] of Object.entries(mapping)) {
    try {
      mapped[name] = await ctx.evaluate(expression, roots);
    } catch (error) {
      if (error instanceof StepFailure) throw new StepFailure(error.kind, `responseMapping ${name}: ${error.message}`, { retryable: error.retryable });
      throw error;
    }
  }
  return mapped;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const clip = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
