import { performance } from 'node:perf_hooks';
import { uuidV5 } from '../../adapters/crypto/deterministic-uuid';
import { isValidWebhookSecret, signedWebhookHeaders } from '../../adapters/crypto/webhook-signature';
import type { StepContext, StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { describeAbort, messageOf, networkFailure, readLimited, requestDeadline, timeoutOf } from './http-support';

/**
 * POSTs a signed JSON payload (Standard Webhooks, the scheme our own webhook triggers verify, via
 * the one signing module). The webhook-id is derived from the step's idempotency key, so every
 * attempt and redelivery of the step carries the same id and a receiver deduplicates on it; the
 * timestamp is taken per attempt, so a retry an hour later still lands inside the receiver's window.
 */

const DEFAULTS = { event: 'workflow.step', timeoutMs: 15_000 } as const;
/** Namespace of delivery ids (a fixed random UUID): the same step always gets the same id. */
const DELIVERY_ID_NAMESPACE = '9b0f4c1e-5a7d-4e2b-8c3f-6d1a2b3c4d5e';
/** What a failure keeps of the receiver's answer, for the timeline. */
const FAILURE_BODY_BYTES = 64 * 1024;
/** Headers the signature stands for: a step's own headers cannot replace them. */
const SIGNED_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']);

/** Finds the signing secret a step names; undefined when there is none. */
export type WebhookSecretResolver = (name: string, ctx: StepContext) => Promise<string | undefined>;

/**
 * Until workspaces keep secrets of their own, a secret is configured on the worker as
 * `BLUEBIRD_SECRET_<NAME>` (name upper-cased, other characters as `_`). The prefix keeps a workflow
 * from naming the process's other secrets (JWT_SECRET, AI_API_KEY).
 * TODO: move to a workspace secrets port on EngineServices once one exists.
 */
export const secretFromEnvironment: WebhookSecretResolver = async (name) => process.env[secretEnvironmentName(name)] || undefined;

export function secretEnvironmentName(name: string): string {
  return `BLUEBIRD_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function deliveryIdFor(idempotencyKey: string): string {
  return `msg_${uuidV5(DELIVERY_ID_NAMESPACE, idempotencyKey).replace(/-/g, '')}`;
}

export function createWebhookOutExecutor(resolveSecret: WebhookSecretResolver = secretFromEnvironment): StepExecutor<'webhook_out'> {
  return {
    type: 'webhook_out',
    async execute(ctx) {
      const config = ctx.config;
      const url = deliveryUrl(config.url);
      const secret = await signingSecret(config.secretRef, ctx, resolveSecret);
      if (config.payload === undefined) throw new StepFailure('InvalidConfig', 'webhook_out needs a payload', { retryable: false });
      const body = Buffer.from(JSON.stringify(config.payload), 'utf8');
      const deliveryId = deliveryIdFor(ctx.idempotencyKey);
      const timestamp = Math.floor(ctx.services.now().getTime() / 1000);

      const headers = new Headers();
      try {
        for (const [name, value] of Object.entries(asRecord(config.headers))) {
          if (!SIGNED_HEADERS.has(name.toLowerCase())) headers.set(name, typeof value === 'string' ? value : JSON.stringify(value ?? ''));
        }
      } catch (error) {
        throw new StepFailure('InvalidConfig', `Invalid header: ${messageOf(error)}`, { retryable: false });
      }
      headers.set('content-type', 'application/json');
      headers.set('webhook-event', String(config.event ?? DEFAULTS.event));
      headers.set('idempotency-key', ctx.idempotencyKey);
      for (const [name, value] of Object.entries(signedWebhookHeaders(secret, deliveryId, timestamp, body))) headers.set(name, value);

      const timeoutMs = timeoutOf(config.timeoutMs, DEFAULTS.timeoutMs);
      const deadline = requestDeadline(ctx.signal, timeoutMs);
      const where = `POST ${url.origin}${url.pathname}`;
      const started = performance.now();
      let status: number;
      try {
        // Not followed: a receiver that moved must be reconfigured, not sent signed payloads elsewhere.
        const answer = await fetch(url, { method: 'POST', headers, body, signal: deadline.signal, redirect: 'manual' });
        status = answer.status;
        if (status < 200 || status >= 300) {
          const text = (await readLimited(answer.body, answer.headers.get('content-length'), FAILURE_BODY_BYTES).catch(() => Buffer.alloc(0))).toString('utf8');
          throw deliveryFailure(where, status, text);
        }
        await answer.body?.cancel().catch(() => undefined);
      } catch (error) {
        if (error instanceof StepFailure) throw error;
        if (deadline.signal.aborted) throw new StepFailure('Timeout', `${where} ${describeAbort(ctx.signal, deadline, timeoutMs)}`);
        throw networkFailure(error, where);
      } finally {
        deadline.release();
      }
      return { output: { deliveryId, status, durationMs: Math.round(performance.now() - started) } };
    },
  };
}

export const webhookOutExecutor: StepExecutor<'webhook_out'> = createWebhookOutExecutor();

function deliveryUrl(raw: unknown): URL {
  const text = typeof raw === 'string' ? raw.trim() : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new StepFailure('InvalidConfig', `webhook_out needs an http(s) URL, got "${text.slice(0, 80)}"`, { retryable: false });
  }
  return url;
}

async function signingSecret(name: unknown, ctx: StepContext, resolveSecret: WebhookSecretResolver): Promise<string> {
  if (typeof name !== 'string' || !name) throw new StepFailure('InvalidConfig', 'webhook_out needs a secretRef', { retryable: false });
  const secret = await resolveSecret(name, ctx);
  if (!secret) throw new StepFailure('SecretNotFound', `No secret named "${name}" is configured`, { retryable: false });
  // Never echo the secret itself: the message lands in the execution timeline.
  if (!isValidWebhookSecret(secret)) {
    throw new StepFailure('InvalidConfig', `The secret "${name}" is not a webhook secret (whsec_ followed by base64 of 24 to 64 bytes)`, { retryable: false });
  }
  return secret;
}

/**
 * Standard Webhooks senders retry every answer outside 2xx (a receiver may be mid-deploy or
 * misconfigured for a while); 410 Gone is the receiver saying "stop sending".
 */
function deliveryFailure(where: string, status: number, text: string): StepFailure {
  const message = `${where} answered ${status}${text ? `: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}` : ''}`;
  const details = { status, body: text.slice(0, 2000) };
  if (status >= 500) return new StepFailure('HttpServerError', message, { retryable: true, details });
  if (status >= 400) return new StepFailure('HttpClientError', message, { retryable: status !== 410, details });
  return new StepFailure('HttpStatusError', message, { retryable: true, details });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
