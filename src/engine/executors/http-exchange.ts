import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { StepFailure } from '../step-failure';
import { readLimited, tooLarge } from './http-support';

/**
 * One HTTP call for http_request, on node:http(s) with keep-alive agents, behaving as fetch did
 * there: redirects followed (at most 20; a 303, and a 301 or 302 after a POST, go on as a GET
 * without the body; credentials are not sent to another origin), gzip, deflate and br answers
 * decoded, the answer's size limited while it is read. Not fetch: its WHATWG Request, Headers and
 * stream objects cost a tenth of a run's CPU in the engine's process (bench/ab-executions).
 */

export interface HttpExchange {
  method: string;
  url: URL;
  /** Names in any case; validated by the caller (it builds them through `Headers`). */
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Answers larger than this many bytes fail the call. */
  maxBytes: number;
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (Set-Cookie too). */
  headers: Record<string, string>;
  body: Buffer;
}

const MAX_REDIRECTS = 20;
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
/** Not sent on to another origin by a redirect (as fetch does). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export async function exchange(call: HttpExchange): Promise<HttpAnswer> {
  let { method, url, body } = call;
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'bluebird-workflows', ...lowerCased(call.headers) };
  for (let redirects = 0; ; redirects++) {
    const response = await send(method, url, headers, body, call.signal);
    const location = response.headers.location;
    if (!isRedirect(response.statusCode) || !location) return { status: response.statusCode ?? 0, headers: headersOf(response), body: await readAll(response, call.maxBytes) };
    response.resume(); // its body is not wanted: let the connection go back to the pool
    if (redirects >= MAX_REDIRECTS) throw new StepFailure('NetworkError', `${method} ${url.origin}${url.pathname} redirected more than ${MAX_REDIRECTS} times`, { retryable: false });
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new StepFailure('NetworkError', `A redirect to ${next.protocol} cannot be followed`, { retryable: false });
    if (response.statusCode === 303 ? method !== 'HEAD' : (response.statusCode === 301 || response.statusCode === 302) && method === 'POST') {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
    url = next;
  }
}

/**
 * One request. A keep-alive connection the server closes just as a request goes out on it fails
 * the request with ECONNRESET (the agent cannot know the server's idle timeout, and a busy worker's
 * own timers fire late): such a request is sent once more on a fresh connection, as Node's
 * documentation of `reusedSocket` advises. The server most likely never read it, and if it did,
 * the request's Idempotency-Key is the same.
 */
function send(method: string, url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal, onReused = true): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const withLength = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, { method, headers: withLength, agent: agents[url.protocol as keyof typeof agents], signal }, resolve);
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (onReused && request.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) resolve(send(method, url, headers, body, signal, false));
      else reject(error);
    });
    request.end(body);
  });
}

const isRedirect = (status: number | undefined) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The whole (decoded) body, refusing more than `limit` bytes instead of buffering whatever a server sends. */
async function readAll(response: IncomingMessage, limit: number): Promise<Buffer> {
  const raw = await readLimited(response, response.headers['content-length'], limit);
  return decode(raw, String(response.headers['content-encoding'] ?? '').trim().toLowerCase(), limit);
}

/** A compressed answer, decompressed; one that would grow past `limit` fails (a small bomb is no way around it). */
function decode(raw: Buffer, encoding: string, limit: number): Buffer {
  if (raw.length === 0) return raw;
  const options = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw, options);
    if (encoding === 'deflate') return inflateSync(raw, options);
    if (encoding === 'br') return brotliDecompressSync(raw, options);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit + 1, limit);
    throw new StepFailure('InvalidResponse', `The response's ${encoding} encoding is broken: ${(error as Error).message}`);
  }
  return raw;
}
