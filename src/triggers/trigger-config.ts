import jsonata from 'jsonata';
import type { TriggerDefinition } from '@contracts';
import { MAX_CATCH_UP_CAP, checkCronSchedule } from './cron-schedule';
import { checkCidrList } from './ip-allow-list';

/**
 * The `config` of each trigger kind, parsed and checked (pure). The decider refuses a trigger whose config can never
 * work when it is added (there is no "edit trigger" command: remove and add again), so every trigger that reaches a
 * published version parses here; the runtime still parses defensively and skips what does not.
 *
 * cron:    { expression (or `cron`), zone = "UTC", missedRuns = "skip" | { catchUp: n }, input = {} }
 * webhook: { responseMode = "async" | "wait", timeoutMs = 10000, allowList?: CIDR[], rateLimitPerMinute = 600 }
 * event:   { on: "execution.succeeded" | "execution.failed" | "task.created" | "custom", type? (custom event type),
 *            workflowId? (only runs of that workflow), filter? (JSONata over { type, data, workflowId }) }
 */

export type MissedRunPolicy = 'skip' | { catchUp: number };

export interface CronTriggerConfig {
  expression: string;
  zone: string;
  missedRuns: MissedRunPolicy;
  input: Record<string, unknown>;
}

export interface WebhookTriggerConfig {
  responseMode: 'async' | 'wait';
  timeoutMs: number;
  allowList?: string[];
  rateLimitPerMinute: number;
}

export const EVENT_SOURCES = ['execution.succeeded', 'execution.failed', 'task.created', 'custom'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export interface EventTriggerConfig {
  on: EventSource;
  type?: string;
  workflowId?: string;
  filter?: string;
}

export const WEBHOOK_MAX_WAIT_MS = 30_000;
export const WEBHOOK_DEFAULT_WAIT_MS = 10_000;
export const WEBHOOK_DEFAULT_RATE_PER_MINUTE = 600;
const MAX_FILTER_CHARS = 2000;
const CUSTOM_TYPE = /^[A-Za-z0-9_.:-]{1,100}$/;

type Parsed<T> = { ok: true; config: T } | { ok: false; errors: string[] };

export function parseCronConfig(config: Record<string, unknown>): Parsed<CronTriggerConfig> {
  const errors: string[] = [];
  const expression = config.expression ?? config.cron;
  const zone = config.zone ?? config.timezone ?? 'UTC';
  if (typeof expression !== 'string' || typeof zone !== 'string') {
    return { ok: false, errors: ['a cron trigger needs config.expression (e.g. "0 9 * * 1-5") and optionally config.zone (e.g. "Europe/Berlin")'] };
  }
  const schedule = checkCronSchedule(expression, zone);
  if (!schedule.ok) errors.push(schedule.message);
  const missed = config.missedRuns ?? 'skip';
  let missedRuns: MissedRunPolicy = 'skip';
  if (missed !== 'skip') {
    const cap = (missed as { catchUp?: unknown })?.catchUp;
    if (typeof cap === 'number' && Number.isInteger(cap) && cap >= 1 && cap <= MAX_CATCH_UP_CAP) missedRuns = { catchUp: cap };
    else errors.push(`config.missedRuns is "skip" or { "catchUp": 1..${MAX_CATCH_UP_CAP} }`);
  }
  const input = config.input ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) errors.push('config.input is a JSON object');
  if (errors.length > 0 || !schedule.ok) return { ok: false, errors };
  return { ok: true, config: { expression: schedule.schedule.expression, zone: schedule.schedule.zone, missedRuns, input: input as Record<string, unknown> } };
}

export function parseWebhookConfig(config: Record<string, unknown>): Parsed<WebhookTriggerConfig> {
  const errors: string[] = [];
  const responseMode = config.responseMode ?? 'async';
  if (responseMode !== 'async' && responseMode !== 'wait') errors.push('config.responseMode is "async" (202 at once) or "wait" (the result)');
  const timeoutMs = config.timeoutMs ?? WEBHOOK_DEFAULT_WAIT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > WEBHOOK_MAX_WAIT_MS) {
    errors.push(`config.timeoutMs is 100..${WEBHOOK_MAX_WAIT_MS} ms`);
  }
  const rate = config.rateLimitPerMinute ?? WEBHOOK_DEFAULT_RATE_PER_MINUTE;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1 || rate > 1_000_000) errors.push('config.rateLimitPerMinute is 1..1000000');
  let allowList: string[] | undefined;
  if (config.allowList !== undefined) {
    const list = config.allowList;
    const checked = Array.isArray(list) && list.every((e) => typeof e === 'string') ? checkCidrList(list as string[]) : undefined;
    if (!checked) errors.push('config.allowList is a list of CIDR blocks such as "203.0.113.0/24"');
    else if (!checked.ok) errors.push(...checked.errors.map((e) => e.message));
    else allowList = checked.blocks.map((b) => b.cidr);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { responseMode: responseMode as 'async' | 'wait', timeoutMs: timeoutMs as number, rateLimitPerMinute: rate as number, ...(allowList ? { allowList } : {}) },
  };
}

export function parseEventConfig(config: Record<string, unknown>): Parsed<EventTriggerConfig> {
  const errors: string[] = [];
  const on = config.on;
  if (!EVENT_SOURCES.includes(on as EventSource)) errors.push(`config.on is one of ${EVENT_SOURCES.join(', ')}`);
  const type = config.type;
  if (on === 'custom' && (typeof type !== 'string' || !CUSTOM_TYPE.test(type))) errors.push('a custom event trigger names config.type (letters, digits, _ . : -)');
  const workflowId = config.workflowId;
  if (workflowId !== undefined && (typeof workflowId !== 'string' || !/^[0-9a-f-]{36}$/i.test(workflowId))) errors.push('config.workflowId is a workflow id');
  const filter = config.filter;
  if (filter !== undefined) {
    if (typeof filter !== 'string' || filter.length > MAX_FILTER_CHARS) errors.push(`config.filter is a JSONata expression of at most ${MAX_FILTER_CHARS} characters`);
    else {
      try {
        jsonata(filter);
      } catch (error) {
        errors.push(`config.filter does not parse: ${(error as Error).message}`);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { on: on as EventSource, ...(on === 'custom' ? { type: type as string } : {}), ...(workflowId ? { workflowId: workflowId as string } : {}), ...(filter ? { filter: filter as string } : {}) },
  };
}

/** Problems with a trigger's config, for the decider (empty: fine). Manual triggers take any config. */
export function triggerConfigErrors(trigger: Pick<TriggerDefinition, 'kind' | 'config'>): string[] {
  const config = trigger.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return ['a trigger config is a JSON object'];
  const parsed =
    trigger.kind === 'cron' ? parseCronConfig(config) : trigger.kind === 'webhook' ? parseWebhookConfig(config) : trigger.kind === 'event' ? parseEventConfig(config) : undefined;
  return parsed && !parsed.ok ? parsed.errors : [];
}
