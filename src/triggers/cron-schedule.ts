import { Cron } from 'croner';
import { uuidV5 } from '../adapters/crypto/deterministic-uuid';

/**
 * Cron schedules with an IANA time zone: validation, next-fire preview, missed-run catch-up and tick ids.
 *
 * Syntax: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; names (JAN, MON),
 * ranges, lists and `*` / `a-b` steps; croner's L, W and # extensions; the nicknames below. When both day-of-month
 * and day-of-week are restricted a day matching EITHER fires (POSIX/Vixie cron), e.g. `0 0 13 * 5`.
 *
 * Daylight saving (we keep croner 11's rules, which are Vixie cron's and croner-rust's, so preview, live firing
 * and catch-up agree). A pattern is FIXED-TIME when its second, minute and hour are each a single number
 * (`30 2 * * *`, `0 30 2 * * 1-5`); anything else is an INTERVAL pattern (`*\/15 * * * *`, `30 * * * *`,
 * `0 1,2 * * *`).
 * - Spring gap, fixed-time: a local time that does not exist fires ONCE at the first instant after the gap, i.e.
 *   at the transition itself. Europe/Berlin 2026-03-29: `30 2 * * *` fires at 03:00 CEST = 01:00Z (also with
 *   seconds: `15 30 2 * * *` fires at 03:00:00, not 03:00:15). A daily job must not silently skip a day.
 * - Spring gap, interval: the non-existent local times are skipped (`*\/30` goes 01:30 CET -> 03:00 CEST); the
 *   job keeps its real-time rhythm instead of bursting.
 * - Autumn overlap, fixed-time: fires ONCE, at the FIRST occurrence (the daylight-time one). Europe/Berlin
 *   2026-10-25: `30 2 * * *` fires at 02:30 CEST = 00:30Z, not again at 02:30 CET = 01:30Z.
 * - Autumn overlap, interval: every real instant whose local time matches fires, so `30 * * * *` fires at
 *   00:30Z and 01:30Z (both read 02:30 locally): an hourly job still runs every real hour.
 */

export type CronScheduleField = 'expression' | 'zone';

export class CronScheduleError extends Error {
  constructor(
    readonly field: CronScheduleField,
    message: string,
  ) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

export interface CronSchedule {
  readonly expression: string;
  readonly zone: string;
  /** True for 6-field expressions: the schedule can fire more than once a minute. */
  readonly hasSeconds: boolean;
}

export interface TickWindow {
  /** The most recent `cap` fire instants in (from, to], oldest first. */
  readonly ticks: Date[];
  /** True when older ticks in (from, to] were left out because of the cap. */
  readonly truncated: boolean;
}

export const CRON_NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;
export const MAX_PREVIEW_COUNT = 1000;
export const MAX_CATCH_UP_CAP = 10_000;
const MAX_EXPRESSION_LENGTH = 256;

// Frozen: tick ids already stored were derived from this namespace and the name layout in tickId().
const CRON_TICK_NAMESPACE = '96ec927f-fb65-438e-a2b5-72e557e2e64b';

// A fixed reference keeps validation independent of the clock: a pattern without a year field that fires after
// 2000 fires in every later leap cycle too.
const NEVER_FIRES_REFERENCE = new Date('2000-01-01T00:00:00Z');

// Names such as Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5, UTC. Offsets ("+05:30") are refused
// even where a newer ICU would accept them: an offset has no daylight-saving rules, which hides mistakes.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Returns the zone (trimmed) when Intl knows it; throws CronScheduleError('zone') otherwise. */
export function validateTimeZone(zone: string): string {
  if (typeof zone !== 'string' || zone.trim() === '') throw new CronScheduleError('zone', 'time zone is required, e.g. "Europe/Berlin"');
  const name = zone.trim();
  if (name.length > 64 || !ZONE_NAME.test(name)) {
    throw new CronScheduleError('zone', `"${name.slice(0, 64)}" is not an IANA time zone name such as "Europe/Berlin" or "UTC"`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new CronScheduleError('zone', `unknown time zone "${name}"; use an IANA name such as "Europe/Berlin" or "UTC"`);
  }
  return name;
}

/** Validates expression and zone together; throws CronScheduleError naming the bad field. */
export function parseCronSchedule(expression: string, zone: string): CronSchedule {
  return { ...load(expression, zone).schedule };
}

/** Like parseCronSchedule, for request validation: never throws on bad input. */
export function checkCronSchedule(
  expression: string,
  zone: string,
): { ok: true; schedule: CronSchedule } | { ok: false; field: CronScheduleField; message: string } {
  try {
    return { ok: true, schedule: parseCronSchedule(expression, zone) };
  } catch (error) {
    if (error instanceof CronScheduleError) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
}

/** The next `count` fire instants strictly after `after` (fewer only if the pattern runs out). */
export function nextFires(expression: string, zone: string, after: Date, count: number): Date[] {
  assertInstant('after', after);
  if (!Number.isInteger(count) || count < 1 || count > MAX_PREVIEW_COUNT) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_PREVIEW_COUNT}, got ${count}`);
  }
  return load(expression, zone).cron.nextRuns(count, after);
}

/**
 * Fire instants in (from, to] for missed-run catch-up after downtime: the most recent `cap` of them, so a long
 * outage replays the freshest ticks instead of a burst of stale ones; `cap` 0 is the "skip" policy (it still says
 * whether anything was missed). Cost is O(cap), however long the outage.
 */
export function ticksBetween(expression: string, zone: string, from: Date, to: Date, cap: number): TickWindow {
  assertInstant('from', from);
  assertInstant('to', to);
  if (!Number.isInteger(cap) || cap < 0 || cap > MAX_CATCH_UP_CAP) {
    throw new RangeError(`cap must be an integer from 0 to ${MAX_CATCH_UP_CAP}, got ${cap}`);
  }
  const { cron } = load(expression, zone);
  if (to.getTime() <= from.getTime()) return { ticks: [], truncated: false };

  // Walk back from `to` only to find where to start; the ticks themselves come from the forward walk, the same
  // one nextFires() and the live scheduler use, so their tick ids always agree.
  let start = from;
  if (cap > 0) {
    // Ticks are whole seconds and previousRuns is strictly before its reference: the next whole second after
    // `to` makes a tick exactly at `to` count.
    const recent = cron.previousRuns(cap + 1, new Date(Math.floor(to.getTime() / 1000) * 1000 + 1000));
    const anchor = recent.length === cap + 1 ? recent[cap] : undefined;
    if (anchor && anchor.getTime() > from.getTime()) start = anchor;
  }
  const ticks: Date[] = [];
  if (cap > 0) {
    let cursor = start;
    for (;;) {
      const next = cron.nextRun(cursor);
      if (next === null || next.getTime() > to.getTime()) break;
      if (next.getTime() <= cursor.getTime()) throw new Error(`croner did not advance after ${cursor.toISOString()}`);
      ticks.push(next);
      if (ticks.length > cap) ticks.shift();
      cursor = next;
    }
  }
  const first = cron.nextRun(from);
  const missedAny = first !== null && first.getTime() <= to.getTime();
  const truncated = missedAny && (ticks.length === 0 || first.getTime() < ticks[0].getTime());
  return { ticks, truncated };
}

/**
 * The id of one (schedule, tick): the same on every replica and after every restart, so storing the fire under
 * this id (event id or stream name) lets the store's unique constraint keep exactly one fire per tick.
 */
export function tickId(scheduleId: string, fireInstant: Date): string {
  if (typeof scheduleId !== 'string' || scheduleId === '') throw new TypeError('tickId: scheduleId is required');
  assertInstant('fireInstant', fireInstant);
  return uuidV5(CRON_TICK_NAMESPACE, `${scheduleId}/${fireInstant.toISOString()}`);
}

function normalizeExpression(expression: string): string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new CronScheduleError('expression', 'cron expression is required, e.g. "0 9 * * 1-5"');
  }
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CronScheduleError('expression', `cron expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 1 && fields[0].startsWith('@')) {
    const nickname = fields[0].toLowerCase();
    if (!(CRON_NICKNAMES as readonly string[]).includes(nickname)) {
      throw new CronScheduleError('expression', `unknown nickname "${fields[0]}"; use one of ${CRON_NICKNAMES.join(', ')}`);
    }
    return nickname;
  }
  if (fields.length !== 5 && fields.length !== 6) {
    throw new CronScheduleError(
      'expression',
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}`,
    );
  }
  return fields.join(' ');
}

// Validated patterns are reused: the scheduler asks about the same few schedules every tick. Calls with an explicit
// reference date do not touch a Cron's run state, and a paused Cron without a callback owns no timer.
interface Loaded {
  readonly schedule: CronSchedule;
  readonly cron: Cron;
}
const loaded = new Map<string, Loaded>();
const MAX_LOADED = 512;

function load(expression: string, zone: string): Loaded {
  const key = `${zone}\n${expression}`;
  const hit = loaded.get(key);
  if (hit) return hit;
  const validZone = validateTimeZone(zone);
  const normalized = normalizeExpression(expression);
  let cron: Cron;
  try {
    cron = new Cron(normalized, { timezone: validZone, paused: true, mode: '5-or-6-parts', domAndDow: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    throw new CronScheduleError('expression', `invalid cron expression "${normalized}": ${message}`);
  }
  if (cron.nextRun(NEVER_FIRES_REFERENCE) === null) {
    throw new CronScheduleError('expression', `"${normalized}" never fires (no date matches it, e.g. 31 February)`);
  }
  const hasSeconds = !normalized.startsWith('@') && normalized.split(' ').length === 6;
  const entry: Loaded = { schedule: { expression: normalized, zone: validZone, hasSeconds }, cron };
  if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value as string);
  loaded.set(key, entry);
  return entry;
}

function assertInstant(name: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError(`${name} must be a valid Date`);
}
