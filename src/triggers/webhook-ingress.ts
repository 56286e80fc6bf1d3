import type { Kysely } from 'kysely';
import { StreamCategory } from '@contracts';
import type { Database } from '../adapters/database/tables';
import { verifyWebhook, type WebhookHeaders } from '../adapters/crypto/webhook-signature';
import type { ExecutionStarter } from '../commands/start-execution';
import { problem, type Problem } from '../api/problem';
import { findPublishedVersion, type PublishedVersion } from '../queries/published-version';
import { fireTrigger } from './fire';
import { IpAllowList } from './ip-allow-list';
import { publishedTriggers, triggerKey, type PublishedTrigger } from './live-triggers';
import { webhookDeliveryId } from './replay-window';
import { WEBHOOK_DEFAULT_RATE_PER_MINUTE, parseWebhookConfig, type WebhookTriggerConfig } from './trigger-config';
import type { WebhookEndpoints } from './webhook-endpoints';
import { ExpiringCache } from '../queries/expiring-cache';
import { touchesCategories, type ReadModelChanges } from '../../projections/read-model-changes';

/**
 * Incoming webhook deliveries (SPEC C3), in the order that keeps unauthenticated work cheap and answers honest:
 * 1. unknown hook id: 404;                   2. caller outside the trigger's CIDR allow list: 403;
 * 3. over the trigger's rate (per process): 429;  4. signature (Standard Webhooks, raw bytes, 5 min): 400 / 401;
 * 5. trigger not published or disabled: 409 (only a signed sender learns that);
 * 6. body: UTF-8 JSON object (empty = {}): 400 / 422;   7. run: 202 { executionId } at once, or with
 *    responseMode "wait" 200 with the result (202 if it takes longer than timeoutMs).
 * Replay: the execution id is webhookDeliveryId(trigger, webhook-id), so a replayed or retried delivery (same id,
 * any timestamp) is answered 202 with the same execution id and `replayed: true`, and starts nothing.
 * Every refusal is a problem+json 4xx and appends nothing.
 */

export interface WebhookDelivery {
  hookId: string;
  headers: WebhookHeaders;
  rawBody: Uint8Array;
  remoteAddress: string | undefined;
  correlationId?: string;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown> | Problem;
  headers?: Record<string, string>;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const TRIGGER_CACHE_MS = 1000;

export class WebhookIngress {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly stopListening?: () => void;
  private readonly triggers = new ExpiringCache<{ live?: PublishedTrigger; config?: WebhookTriggerConfig; version?: PublishedVersion; allow?: IpAllowList }>(TRIGGER_CACHE_MS);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly endpoints: WebhookEndpoints,
    private readonly starter: ExecutionStarter,
    readModels?: ReadModelChanges,
    private readonly now: () => Date = () => new Date(),
  ) {
    // While workflow events are projected here (a trigger disabled, an archive, a publish), the
    // triggers are read from the database, and what was kept is dropped once they have committed:
    // the change counts as soon as the read models show it, not a second later.
    this.stopListening = readModels?.onChange((streamIds) => (touchesCategories(streamIds, [StreamCategory.workflow]) ? this.triggers.hold() : undefined));
  }

  /** Nest calls it as the application closes: the process's ReadModelChanges outlives this instance. */
  onModuleDestroy(): void {
    this.stopListening?.();
  }

  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const endpoint = await this.endpoints.byHookId(delivery.hookId);
    if (!endpoint) return refuse(404, 'webhook-not-found', 'No webhook at this address');
    const published = await this.published(endpoint.workflowId, endpoint.triggerId);
    const config = published.config;

    if (published.allow && !published.allow.allows(delivery.remoteAddress)) {
      return refuse(403, 'address-not-allowed', 'Your address is not on this webhook’s allow list');
    }
    const rate = config?.rateLimitPerMinute ?? WEBHOOK_DEFAULT_RATE_PER_MINUTE;
    if (!this.take(endpoint.hookId, rate)) {
      return { ...refuse(429, 'too-many-requests', `This webhook accepts ${rate} deliveries a minute`), headers: { 'Retry-After': String(Math.ceil(60 / rate)) } };
    }

    const verified = verifyWebhook({ secrets: endpoint.secrets.map((s) => s.secret), headers: delivery.headers, rawBody: delivery.rawBody, now: this.now() });
    if (!verified.ok) {
      if (verified.reason === 'no-active-secret' || verified.reason === 'invalid-secret') return refuse(404, 'webhook-not-found', 'No webhook at this address');
      const status = verified.reason === 'signature-mismatch' || verified.reason === 'timestamp-out-of-tolerance' ? 401 : 400;
      return refuse(status, `webhook-${verified.reason}`, verified.detail, verified.header ? { header: verified.header } : {});
    }

    if (!published.live || !config) return refuse(409, 'trigger-not-published', 'This webhook trigger is not in a published version of its workflow');
    if (!published.live.enabled) return refuse(409, 'trigger-disabled', 'This webhook trigger is disabled');

    const input = parseBody(delivery.rawBody);
    if ('problem' in input) return { status: input.problem.status, body: input.problem };

    const executionId = webhookDeliveryId(triggerKey(endpoint.workflowId, endpoint.triggerId), verified.webhookId);
    const fired = await fireTrigger(this.starter, this.db, {
      workflowId: endpoint.workflowId,
      kind: 'webhook',
      triggerId: endpoint.triggerId,
      input: input.value,
      executionId,
      correlationId: delivery.correlationId,
      published: published.version,
      // Answered at once: the engine runs the workflow's steps, pure ones too. A caller waiting
      // for the result gets it sooner with them decided here.
      deferPureSteps: config.responseMode !== 'wait',
    });
    if (fired.outcome === 'refused') {
      const status = fired.error.kind === 'not_found' ? 404 : fired.error.kind === 'conflict' ? 409 : 422;
      return refuse(status, fired.error.code, fired.error.message, fired.error.details !== undefined ? { errors: fired.error.details } : {});
    }
    const replayed = fired.outcome === 'already';
    if (config.responseMode === 'wait') return this.waitForResult(executionId, replayed, config.timeoutMs);
    return { status: 202, body: { executionId, replayed } };
  }

  /** Polls the execution read model until the run ends or the timeout passes (then 202: still running). */
  private async waitForResult(executionId: string, replayed: boolean, timeoutMs: number): Promise<WebhookAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.db.selectFrom('execution').select(['status', 'output', 'error']).where('execution_id', '=', executionId).executeTakeFirst();
      if (row && TERMINAL.has(row.status)) {
        return { status: 200, body: { executionId, replayed, status: row.status, ...(row.output ? { output: row.output } : {}), ...(row.error ? { error: row.error } : {}) } };
      }
      if (Date.now() >= deadline) return { status: 202, body: { executionId, replayed, status: row?.status ?? 'running' } };
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }

  private published(workflowId: string, triggerId: string) {
    return this.triggers.get(triggerKey(workflowId, triggerId), async () => {
      const [[live], version] = await Promise.all([publishedTriggers(this.db, { workflowId, triggerId, kind: 'webhook' }), findPublishedVersion(this.db, workflowId)]);
      const parsed = live ? parseWebhookConfig(live.trigger.config) : undefined;
      const config = parsed?.ok ? parsed.config : undefined;
      // The version is read with the trigger so a delivery costs no version lookup; a publish shows within a second.
      return { live, config, version, allow: config?.allowList ? IpAllowList.parse(config.allowList) : undefined };
    });
  }

  /** Token bucket per hook: `rate` a minute, bursts up to `rate`. Per process (replicas each allow the rate). */
  private take(hookId: string, ratePerMinute: number): boolean {
    const now = Date.now();
    const bucket = this.buckets.get(hookId) ?? { tokens: ratePerMinute, at: now };
    bucket.tokens = Math.min(ratePerMinute, bucket.tokens + ((now - bucket.at) * ratePerMinute) / 60_000);
    bucket.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(hookId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The run's input: the body as a JSON object; an empty body is {}. */
function parseBody(raw: Uint8Array): { value: Record<string, unknown> } | { problem: Problem } {
  if (raw.length === 0) return { value: {} };
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { problem: problem(400, 'invalid-utf8', 'Invalid UTF-8', 'The body is not valid UTF-8') };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: problem(400, 'malformed-json', 'Malformed JSON', 'The body is not JSON') };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: problem(422, 'body-not-object', 'Body not an object', 'The body must be a JSON object: it becomes the run’s input') };
  }
  return { value: value as Record<string, unknown> };
}

function refuse(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): WebhookAnswer {
  const title = code.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { status, body: problem(status, code, title, detail, extra) };
}
