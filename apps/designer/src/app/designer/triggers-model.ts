import type { TriggerDefinition, TriggerKind } from '@contracts/workflow';

/**
 * The Triggers tab's logic, free of Angular: the shapes of the trigger routes (src/api/triggers.controller.ts,
 * src/queries/trigger.queries.ts), the config each kind's form builds (the rules of src/triggers/trigger-config.ts,
 * checked here only as hints: the server has the last word), the form an existing trigger fills to be edited, status
 * labels, next runs in two zones, and the revision a command without an ETag left behind. Tested in
 * triggers-model.spec.ts.
 */

export type TriggerStatus = 'live' | 'disabled' | 'unpublished' | 'archived';

/** One item of GET /api/workflows/:id/triggers. */
export interface TriggerItem extends TriggerDefinition {
  /** In the draft (editable); false for a trigger only the published version still has. */
  inDraft: boolean;
  publishedVersion: number | null;
  live: boolean;
  status: TriggerStatus;
  fires: number;
  lastFiredAt: string | null;
  nextFires?: string[];
  webhook?: { url: string; secrets: { fingerprint: string; addedAt: string }[] };
  /** The draft edited this published trigger: the name and config it fires with until the next publish. */
  publishedAs?: { name: string; config: Record<string, unknown> };
}

/** GET .../triggers/:triggerId/next */
export interface NextRuns {
  triggerId: string;
  expression: string;
  zone: string;
  source: 'published' | 'draft';
  live: boolean;
  next: string[];
}

/** One run of GET .../triggers/:triggerId/history */
export interface TriggerFire {
  executionId: string;
  status: string;
  version: number;
  startedAt: string;
  finishedAt: string | null;
}

/** A secret as the server shows it: once, when a webhook trigger is added or its secret rotated. */
export interface ShownSecret {
  triggerId: string;
  url: string;
  secret: string;
  fingerprint: string;
}

export const EVENT_SOURCES = ['execution.succeeded', 'execution.failed', 'task.created', 'custom'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];
export const KIND_TEXT: Record<TriggerKind, string> = { manual: 'Manual', cron: 'Schedule (cron)', webhook: 'Webhook', event: 'Event' };
export const KIND_ICON: Record<TriggerKind, string> = { manual: 'play', cron: 'clock', webhook: 'webhook', event: 'bolt' };
export const EVENT_TEXT: Record<EventSource, string> = {
  'execution.succeeded': 'A run succeeded',
  'execution.failed': 'A run failed',
  'task.created': 'A task was created',
  custom: 'A custom event (POST /api/events)',
};

export const WEBHOOK_MAX_WAIT_MS = 30_000;
export const WEBHOOK_DEFAULT_WAIT_MS = 10_000;
export const WEBHOOK_DEFAULT_RATE_PER_MINUTE = 600;
export const MAX_CATCH_UP = 10_000;
const CRON_NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CUSTOM_TYPE = /^[A-Za-z0-9_.:-]{1,100}$/;
const WORKFLOW_ID = /^[0-9a-f-]{36}$/i;

/** The add form as typed: every field a string (or a choice), one group per kind. */
export interface TriggerForm {
  kind: TriggerKind;
  name: string;
  cron: { expression: string; zone: string; missed: 'skip' | 'catchUp'; catchUp: string; input: string };
  webhook: { responseMode: 'async' | 'wait'; timeoutMs: string; allowList: string; rateLimitPerMinute: string };
  event: { on: EventSource; type: string; workflowId: string; filter: string };
}

export function emptyForm(kind: TriggerKind = 'cron'): TriggerForm {
  return {
    kind,
    name: '',
    cron: { expression: '0 9 * * 1-5', zone: 'UTC', missed: 'skip', catchUp: '1', input: '' },
    webhook: { responseMode: 'async', timeoutMs: String(WEBHOOK_DEFAULT_WAIT_MS), allowList: '', rateLimitPerMinute: String(WEBHOOK_DEFAULT_RATE_PER_MINUTE) },
    event: { on: 'execution.failed', type: '', workflowId: '', filter: '' },
  };
}

export interface AddTriggerBody {
  kind: TriggerKind;
  name: string;
  config: Record<string, unknown>;
}

/** Problems by field (`name`, `expression`, `zone`, ...); empty when the form can be sent. */
export type FormProblems = Record<string, string>;

/** The body of POST /api/workflows/:id/triggers from the form, or the fields to fix first. */
export function buildTrigger(form: TriggerForm): { ok: true; body: AddTriggerBody } | { ok: false; problems: FormProblems } {
  const problems: FormProblems = {};
  const name = form.name.trim() || KIND_TEXT[form.kind];
  if (name.length > 200) problems['name'] = 'A name has at most 200 characters';
  let config: Record<string, unknown> = {};
  if (form.kind === 'cron') {
    const c = form.cron;
    const expression = c.expression.trim().replace(/\s+/g, ' ');
    const hint = cronHint(expression);
    if (hint) problems['expression'] = hint;
    const zone = c.zone.trim() || 'UTC';
    if (!isTimeZone(zone)) problems['zone'] = `“${zone}” is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
    let missedRuns: 'skip' | { catchUp: number } = 'skip';
    if (c.missed === 'catchUp') {
      const n = Number(c.catchUp);
      if (!Number.isInteger(n) || n < 1 || n > MAX_CATCH_UP) problems['catchUp'] = `Catch up 1 to ${MAX_CATCH_UP} missed runs`;
      else missedRuns = { catchUp: n };
    }
    let input: Record<string, unknown> = {};
    if (c.input.trim()) {
      const parsed = parseJsonObject(c.input);
      if (parsed === undefined) problems['input'] = 'The input is a JSON object, e.g. {"report": "daily"}';
      else input = parsed;
    }
    config = { expression, zone, missedRuns, input };
  } else if (form.kind === 'webhook') {
    const w = form.webhook;
    const timeoutMs = Number(w.timeoutMs);
    if (w.responseMode === 'wait' && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > WEBHOOK_MAX_WAIT_MS)) {
      problems['timeoutMs'] = `The wait is 100 to ${WEBHOOK_MAX_WAIT_MS} ms`;
    }
    const rate = Number(w.rateLimitPerMinute);
    if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) problems['rateLimitPerMinute'] = 'The rate limit is 1 to 1000000 requests a minute';
    const allowList = splitList(w.allowList);
    const bad = allowList.filter((c) => !looksLikeCidr(c));
    if (bad.length) problems['allowList'] = `Not a CIDR block: ${bad.join(', ')} (write 203.0.113.0/24 or 2001:db8::/32)`;
    config = {
      responseMode: w.responseMode,
      // An answer-at-once hook keeps the wait it has (the field is hidden then), for when it waits again.
      timeoutMs: Number.isInteger(timeoutMs) && timeoutMs >= 100 && timeoutMs <= WEBHOOK_MAX_WAIT_MS ? timeoutMs : WEBHOOK_DEFAULT_WAIT_MS,
      rateLimitPerMinute: rate,
      ...(allowList.length ? { allowList } : {}),
    };
  } else if (form.kind === 'event') {
    const e = form.event;
    const type = e.type.trim();
    const workflowId = e.workflowId.trim();
    const filter = e.filter.trim();
    if (e.on === 'custom' && !CUSTOM_TYPE.test(type)) problems['type'] = 'Name the custom event type: letters, digits, _ . : or - (e.g. invoice.paid)';
    if (workflowId && !WORKFLOW_ID.test(workflowId)) problems['workflowId'] = 'A workflow id looks like 3f2b…-…: copy it from the workflow’s address';
    if (filter.length > 2000) problems['filter'] = 'A filter has at most 2000 characters';
    config = { on: e.on, ...(e.on === 'custom' ? { type } : {}), ...(workflowId ? { workflowId } : {}), ...(filter ? { filter } : {}) };
  }
  if (Object.keys(problems).length) return { ok: false, problems };
  return { ok: true, body: { kind: form.kind, name, config } };
}

/** The body of PATCH /api/workflows/:id/triggers/:triggerId: a new name and config; the kind never changes. */
export interface ChangeTriggerBody {
  name: string;
  config: Record<string, unknown>;
}

/**
 * The add form filled in with an existing trigger, to edit it in place: what `buildTrigger` makes of it is the
 * trigger's config again (stored configs may use the older `cron` and `timezone` keys or leave defaults out).
 */
export function formFromTrigger(t: Pick<TriggerDefinition, 'kind' | 'name' | 'config'>): TriggerForm {
  const form = emptyForm(t.kind);
  const c = t.config ?? {};
  form.name = t.name;
  if (t.kind === 'cron') {
    const missed = c['missedRuns'] as { catchUp?: unknown } | string | undefined;
    const catchUp = missed && typeof missed === 'object' && typeof missed.catchUp === 'number' ? missed.catchUp : undefined;
    const input = c['input'];
    form.cron = {
      expression: String(c['expression'] ?? c['cron'] ?? ''),
      zone: String(c['zone'] ?? c['timezone'] ?? 'UTC'),
      missed: catchUp === undefined ? 'skip' : 'catchUp',
      catchUp: String(catchUp ?? 1),
      input: input && typeof input === 'object' && Object.keys(input).length ? JSON.stringify(input) : '',
    };
  } else if (t.kind === 'webhook') {
    form.webhook = {
      responseMode: c['responseMode'] === 'wait' ? 'wait' : 'async',
      timeoutMs: String(c['timeoutMs'] ?? WEBHOOK_DEFAULT_WAIT_MS),
      allowList: Array.isArray(c['allowList']) ? c['allowList'].map(String).join(', ') : '',
      rateLimitPerMinute: String(c['rateLimitPerMinute'] ?? WEBHOOK_DEFAULT_RATE_PER_MINUTE),
    };
  } else if (t.kind === 'event') {
    const on = EVENT_SOURCES.includes(c['on'] as EventSource) ? (c['on'] as EventSource) : form.event.on;
    form.event = { on, type: String(c['type'] ?? ''), workflowId: String(c['workflowId'] ?? ''), filter: String(c['filter'] ?? '') };
  }
  return form;
}

/**
 * The body of PATCH .../triggers/:triggerId from the edit form (checked as when adding, the kind kept from the
 * trigger), and whether it changes anything: a form left as it was need not be sent.
 */
export function buildTriggerChange(
  form: TriggerForm,
  trigger: Pick<TriggerDefinition, 'kind' | 'name' | 'config'>,
): { ok: true; body: ChangeTriggerBody; changed: boolean } | { ok: false; problems: FormProblems } {
  const built = buildTrigger({ ...form, kind: trigger.kind });
  if (!built.ok) return built;
  const before = buildTrigger(formFromTrigger(trigger));
  const { name, config } = built.body;
  const changed = !before.ok || before.body.name !== name || JSON.stringify(before.body.config) !== JSON.stringify(config);
  return { ok: true, body: { name, config }, changed };
}

/** A quick look at a cron expression (the server parses it for real), or undefined when it looks right. */
export function cronHint(expression: string): string | undefined {
  const e = expression.trim();
  if (!e) return 'Write a schedule, e.g. 0 9 * * 1-5 (09:00 on weekdays)';
  if (e.startsWith('@')) return CRON_NICKNAMES.includes(e.toLowerCase()) ? undefined : `Known nicknames: ${CRON_NICKNAMES.join(', ')}`;
  const fields = e.split(' ').length;
  if (fields !== 5 && fields !== 6) return `A schedule has 5 fields (minute hour day month weekday) or 6 with seconds first; this has ${fields}`;
  return undefined;
}

/** True for a zone this browser's Intl knows (IANA names such as Europe/Berlin, and UTC). */
export function isTimeZone(zone: string): boolean {
  if (!zone || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Commas, spaces or new lines separate the entries of a list. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** IPv4 or IPv6 with a prefix length, or a single address (the server checks the details). */
export function looksLikeCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length || !address) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255)) return false;
    return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
  }
  if (/^[0-9a-f:.]+$/i.test(address) && address.includes(':')) return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128);
  return false;
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What the status of a trigger means for the person editing it. */
export function statusLabel(
  t: Pick<TriggerItem, 'status' | 'inDraft' | 'publishedVersion' | 'enabled'> & Partial<Pick<TriggerItem, 'kind' | 'publishedAs'>>,
): { text: string; tone: 'ok' | 'warn' | 'error' | 'muted'; hint: string } {
  // An edit in the draft does not fire until published: say what the published version still does.
  const edited = t.publishedAs && t.kind ? ` v${t.publishedVersion} has “${t.publishedAs.name}”: ${describeConfig({ kind: t.kind, config: t.publishedAs.config })}; your edit applies once you publish.` : '';
  switch (t.status) {
    case 'live':
      if (edited) return { text: 'live', tone: 'ok', hint: `Fires now, as published.${edited}` };
      return { text: 'live', tone: 'ok', hint: t.inDraft ? `Fires now, as published in v${t.publishedVersion}.` : `Fires now (v${t.publishedVersion}); removed from the draft: publish to stop it.` };
    case 'disabled':
      return { text: 'disabled', tone: 'warn', hint: `Published in v${t.publishedVersion} but switched off: enable it to fire again (no publish needed).${edited}` };
    case 'unpublished':
      return { text: 'draft', tone: 'muted', hint: t.enabled ? 'Only in the draft: it fires once you publish.' : 'Only in the draft, switched off.' };
    case 'archived':
      return { text: 'archived', tone: 'muted', hint: 'The workflow is archived: no trigger fires.' };
  }
}

/** One line about a trigger's config. */
export function describeConfig(t: Pick<TriggerDefinition, 'kind' | 'config'>): string {
  const c = t.config ?? {};
  switch (t.kind) {
    case 'manual':
      return 'Started by hand (Run button or POST .../executions)';
    case 'cron': {
      const missed = c['missedRuns'] as { catchUp?: number } | string | undefined;
      const catchUp = missed && typeof missed === 'object' && missed.catchUp ? ` · catch up ${missed.catchUp}` : '';
      return `${String(c['expression'] ?? c['cron'] ?? '?')} · ${String(c['zone'] ?? c['timezone'] ?? 'UTC')}${catchUp}`;
    }
    case 'webhook': {
      const mode = c['responseMode'] === 'wait' ? `waits up to ${Number(c['timeoutMs'] ?? WEBHOOK_DEFAULT_WAIT_MS) / 1000} s for the result` : 'answers 202 at once';
      const allow = Array.isArray(c['allowList']) && c['allowList'].length ? ` · from ${(c['allowList'] as string[]).join(', ')}` : '';
      return `${mode} · ${Number(c['rateLimitPerMinute'] ?? WEBHOOK_DEFAULT_RATE_PER_MINUTE)}/min${allow}`;
    }
    case 'event': {
      const on = String(c['on'] ?? '?');
      const what = on === 'custom' ? `custom event “${String(c['type'] ?? '?')}”` : on;
      return `On ${what}${c['workflowId'] ? ` of workflow ${String(c['workflowId']).slice(0, 8)}…` : ''}${c['filter'] ? ' · filtered' : ''}`;
    }
  }
}

/** An instant as read in a zone: `Mon 2 Mar, 09:00` (with the year when asked: `Mon 2 Mar 2026, 09:00`). */
export function formatInZone(iso: string, zone: string, locale = 'en-GB', withYear = true): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(withYear ? { year: 'numeric' as const } : {}),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export interface NextRunRow {
  iso: string;
  /** In the trigger's zone. */
  inZone: string;
  /** In the person's zone; equal to inZone when both zones read the same. */
  local: string;
  sameZone: boolean;
}

/** The next runs read in the trigger's zone and in the person's own; the year only when one is not this year. */
export function nextRunRows(
  next: readonly string[],
  zone: string,
  localZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
  locale = 'en-GB',
  now = new Date(),
): NextRunRow[] {
  const withYear = next.some((iso) => new Date(iso).getUTCFullYear() !== now.getUTCFullYear());
  return next.map((iso) => {
    const inZone = formatInZone(iso, zone, locale, withYear);
    const local = formatInZone(iso, localZone, locale, withYear);
    return { iso, inZone, local, sameZone: inZone === local };
  });
}

/** `/api/hooks/abc` as the address senders use. */
export function absoluteUrl(path: string, origin: string): string {
  if (!path) return '';
  return /^https?:\/\//.test(path) ? path : `${origin.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** A fingerprint short enough for a list (`sha256:1a2b3c4d…`). */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 20 ? `${fingerprint.slice(0, 18)}…` : fingerprint;
}

/** The problem of a refused request: its detail and, for a refused config, each error (application/problem+json). */
export function problemOf(err: unknown): { status: number; detail: string; errors: string[] } {
  const e = err as { status?: unknown; error?: unknown; message?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : 0;
  let body = e?.error as { detail?: unknown; title?: unknown; errors?: unknown } | string | null | undefined;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as { detail?: unknown; title?: unknown; errors?: unknown };
    } catch {
      /* plain text */
    }
  }
  const obj = body && typeof body === 'object' ? body : undefined;
  const errors = Array.isArray(obj?.errors) ? obj.errors.map(String) : [];
  const detail =
    typeof obj?.detail === 'string'
      ? obj.detail
      : typeof obj?.title === 'string'
        ? obj.title
        : typeof body === 'string' && body
          ? body
          : status === 0 && e && 'status' in e
            ? 'API unreachable'
            : typeof e?.message === 'string'
              ? e.message
              : 'Unknown error';
  // The detail often repeats the errors joined by "; ": show the list only when it adds something.
  return { status, detail, errors: errors.length > 1 ? errors : [] };
}

/** Event types of the workflow stream that only the trigger routes record and that leave the draft as it was. */
export const OWN_EVENT_TYPES = new Set(['WebhookSecretRotated', 'WebhookSecretRetired', 'TriggerEnabled', 'TriggerDisabled']);

/**
 * The revision to build on after a command that answers none (rotating or retiring a secret): the last of the
 * events after `current` as long as they are such events; if someone else edited the draft meanwhile, `current`
 * stays (the next edit then meets the 412 and the reload it deserves).
 */
export function revisionAfterOwnEvents(current: number, items: readonly { revision: number; type: string }[]): number {
  let revision = current;
  for (const item of [...items].sort((a, b) => a.revision - b.revision)) {
    if (item.revision <= revision) continue;
    if (item.revision !== revision + 1 || !OWN_EVENT_TYPES.has(item.type)) break;
    revision = item.revision;
  }
  return revision;
}
