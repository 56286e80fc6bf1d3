import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), used by incoming webhook triggers (verify) and
 * the outgoing `webhook_out` executor (sign), so what we send is what we accept.
 *
 * - Secret: `whsec_` + base64 of 24..64 random bytes; the HMAC key is the decoded bytes.
 * - Signed content: the bytes of `<webhook-id>.<webhook-timestamp>.` followed by the RAW body bytes. The body is
 *   never decoded as text, so invalid UTF-8 is just bytes and re-serialised JSON (same data, other bytes) fails.
 * - `webhook-signature`: space-separated `<version>,<base64>` entries; any `v1` entry matching any active secret
 *   passes (senders list several while rotating). Unknown versions (e.g. `v1a`, asymmetric) are ignored.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;
/** Rotation keeps the new and the old secret active together; the trigger aggregate enforces the limit. */
export const MAX_ACTIVE_WEBHOOK_SECRETS = 2;

const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const MAX_WEBHOOK_ID_LENGTH = 256;
// Bounds the work an unauthenticated caller can ask for before we know the request is genuine.
const MAX_SIGNATURE_HEADER_LENGTH = 4096;
const MAX_SIGNATURE_ENTRIES = 16;

// Visible ASCII only: the id becomes part of a dedupe key and of logs. Dots are allowed because Standard Webhooks
// allows any id; the digits-only timestamp keeps `id.timestamp.` unambiguous enough for senders' real ids.
const WEBHOOK_ID = /^[\x21-\x7e]+$/;
// Canonical decimal seconds, no sign, no leading zero: the signed text must be exactly what the header carried.
const TIMESTAMP = /^(0|[1-9][0-9]{0,11})$/;
const SIGNATURE_ENTRY = /^([A-Za-z0-9]+),([A-Za-z0-9+/]+={0,2})$/;
// A v1 signature is a 32-byte HMAC-SHA256 in padded base64: exactly 43 characters and one '='.
const V1_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type WebhookHeaderName = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookFailureReason =
  | 'missing-header'
  | 'doubled-header'
  | 'bad-webhook-id'
  | 'bad-timestamp'
  | 'timestamp-out-of-tolerance'
  | 'bad-signature-format'
  | 'signature-mismatch'
  | 'missing-body'
  | 'no-active-secret' // configuration, not the caller's fault
  | 'invalid-secret'; // configuration, not the caller's fault

export interface WebhookVerified {
  readonly ok: true;
  readonly webhookId: string;
  readonly timestamp: number;
  /** Which active secret matched: lets us tell when senders have stopped using the old one. */
  readonly secretIndex: number;
}

export interface WebhookRejected {
  readonly ok: false;
  readonly reason: WebhookFailureReason;
  readonly header?: WebhookHeaderName;
  /** Safe to show the sender: never contains a secret or the expected signature. */
  readonly detail: string;
}

export type WebhookVerification = WebhookVerified | WebhookRejected;

export interface VerifyWebhookInput {
  readonly secrets: readonly string[];
  /** Node's `req.headersDistinct` (arrays) lets doubled headers be told apart; `req.headers` works too. */
  readonly headers: WebhookHeaders;
  readonly rawBody: Uint8Array;
  readonly now: Date;
  readonly toleranceSeconds?: number;
}

export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

export function generateWebhookSecret(byteLength = 32): string {
  if (!Number.isInteger(byteLength) || byteLength < MIN_SECRET_BYTES || byteLength > MAX_SECRET_BYTES) {
    throw new RangeError(`a webhook secret has ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, got ${byteLength}`);
  }
  return WEBHOOK_SECRET_PREFIX + randomBytes(byteLength).toString('base64');
}

/** The HMAC key of a `whsec_` secret; throws WebhookSecretError with a message fit for a form. */
export function decodeWebhookSecret(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new WebhookSecretError(`a webhook secret starts with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new WebhookSecretError(`a webhook secret is "${WEBHOOK_SECRET_PREFIX}" followed by padded base64`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(`a webhook secret decodes to ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes, this one to ${key.length}`);
  }
  return key;
}

export function isValidWebhookSecret(secret: string): boolean {
  try {
    decodeWebhookSecret(secret);
    return true;
  } catch {
    return false;
  }
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for the `webhook-signature` header. */
export function signWebhook(secret: string, webhookId: string, timestampSeconds: number, body: Uint8Array): string {
  if (!WEBHOOK_ID.test(webhookId) || webhookId.length > MAX_WEBHOOK_ID_LENGTH) {
    throw new TypeError(`webhook id must be 1..${MAX_WEBHOOK_ID_LENGTH} visible ASCII characters`);
  }
  if (!Number.isSafeInteger(timestampSeconds) || !TIMESTAMP.test(String(timestampSeconds))) {
    throw new TypeError(`webhook timestamp must be whole seconds since the epoch, got ${timestampSeconds}`);
  }
  return `v1,${hmac(decodeWebhookSecret(secret), webhookId, String(timestampSeconds), body).toString('base64')}`;
}

/** The three headers an outgoing delivery carries. */
export function signedWebhookHeaders(
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  body: Uint8Array,
): Record<WebhookHeaderName, string> {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, webhookId, timestampSeconds, body),
  };
}

/** Checks a delivery. Never throws, whatever the headers and body hold; every failure has a reason code. */
export function verifyWebhook(input: VerifyWebhookInput): WebhookVerification {
  const keys: Buffer[] = [];
  if (!Array.isArray(input.secrets) || input.secrets.length === 0) return reject('no-active-secret', 'the trigger has no active secret');
  for (const secret of input.secrets) {
    try {
      keys.push(decodeWebhookSecret(secret));
    } catch {
      return reject('invalid-secret', 'the trigger has a malformed secret');
    }
  }

  const id = singleHeader(input.headers, 'webhook-id');
  if (!id.ok) return id;
  const timestamp = singleHeader(input.headers, 'webhook-timestamp');
  if (!timestamp.ok) return timestamp;
  const signature = singleHeader(input.headers, 'webhook-signature');
  if (!signature.ok) return signature;

  if (!WEBHOOK_ID.test(id.value) || id.value.length > MAX_WEBHOOK_ID_LENGTH) {
    return reject('bad-webhook-id', `webhook-id must be 1..${MAX_WEBHOOK_ID_LENGTH} visible ASCII characters`, 'webhook-id');
  }
  if (!TIMESTAMP.test(timestamp.value)) {
    return reject('bad-timestamp', 'webhook-timestamp must be whole seconds since the epoch', 'webhook-timestamp');
  }
  const nowMs = input.now instanceof Date ? input.now.getTime() : NaN;
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const skew = Math.floor(nowMs / 1000) - Number(timestamp.value);
  // Written so that a NaN clock or tolerance rejects instead of passing.
  if (!(Math.abs(skew) <= tolerance)) {
    return reject('timestamp-out-of-tolerance', `webhook-timestamp is more than ${tolerance} s away from our clock`, 'webhook-timestamp');
  }

  const given = parseSignatures(signature.value);
  if (!given.ok) return given;
  if (!(input.rawBody instanceof Uint8Array)) return reject('missing-body', 'the raw request body was not captured');

  for (let index = 0; index < keys.length; index++) {
    const expected = hmac(keys[index], id.value, timestamp.value, input.rawBody);
    // Every entry is compared, so timing does not reveal which entry was close.
    let matched = false;
    for (const candidate of given.signatures) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
    if (matched) return { ok: true, webhookId: id.value, timestamp: Number(timestamp.value), secretIndex: index };
  }
  return reject('signature-mismatch', 'no signature matches an active secret', 'webhook-signature');
}

function hmac(key: Buffer, webhookId: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${webhookId}.${timestamp}.`, 'utf8').update(body).digest();
}

type HeaderResult = { ok: true; value: string } | WebhookRejected;

function singleHeader(headers: WebhookHeaders, name: WebhookHeaderName): HeaderResult {
  // Node lower-cases header names; a hand-built object may not, and two spellings of one name count as doubled.
  const present = headers && typeof headers === 'object' ? Object.keys(headers).filter((key) => key.toLowerCase() === name) : [];
  const values = present.map((key) => headers[key]).filter((value) => value !== undefined && value !== null);
  if (values.length === 0) return reject('missing-header', `${name} header is missing`, name);
  if (values.length > 1) return reject('doubled-header', `${name} header was sent more than once`, name);
  const raw: unknown = values[0];
  let value: unknown = raw;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return reject('missing-header', `${name} header is missing`, name);
    if (raw.length > 1) return reject('doubled-header', `${name} header was sent more than once`, name);
    value = raw[0];
  }
  if (typeof value !== 'string') return reject('missing-header', `${name} header is missing`, name);
  const trimmed = value.trim();
  if (trimmed === '') return reject('missing-header', `${name} header is empty`, name);
  return { ok: true, value: trimmed };
}

function parseSignatures(header: string): { ok: true; signatures: Buffer[] } | WebhookRejected {
  const bad = (detail: string) => reject('bad-signature-format', detail, 'webhook-signature');
  if (header.length > MAX_SIGNATURE_HEADER_LENGTH) return bad(`webhook-signature is longer than ${MAX_SIGNATURE_HEADER_LENGTH} characters`);
  const entries = header.split(' ').filter((entry) => entry !== '');
  if (entries.length > MAX_SIGNATURE_ENTRIES) return bad(`webhook-signature has more than ${MAX_SIGNATURE_ENTRIES} entries`);
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    // Strict: a sender using this scheme never produces a malformed entry, so one means a broken or hostile sender.
    const match = SIGNATURE_ENTRY.exec(entry);
    if (!match) return bad('webhook-signature entries look like "v1,<base64>"');
    if (match[1] !== 'v1') continue;
    if (!V1_SIGNATURE.test(match[2])) return bad('a v1 signature is 32 bytes of padded base64 (44 characters)');
    signatures.push(Buffer.from(match[2], 'base64'));
  }
  if (signatures.length === 0) return bad('webhook-signature has no v1 signature');
  return { ok: true, signatures };
}

function reject(reason: WebhookFailureReason, detail: string, header?: WebhookHeaderName): WebhookRejected {
  return header ? { ok: false, reason, header, detail } : { ok: false, reason, detail };
}
