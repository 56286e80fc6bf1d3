import * as crypto from 'node:crypto';
import type { Command, EventEnvelope, LogPosition, RecordedEvent } from '@contracts';
import { DuplicateEventId, WrongExpectedVersion, type EventStore } from '../adapters/event-store/event-store.port';
import type { DecidedEvent, Decider } from '../domain/decider';
import { advance, defaultStateCache, emptyEntry, type CachedStream, type StateCache } from './state-cache';

export const SCHEMA_VERSION = 1;
const CONFLICT_RETRIES = 3;

export interface CommandOptions {
  /** From `If-Match`: the revision the client last saw. A different current revision is a 412. */
  expectedRevision?: bigint;
  /**
   * Folded state kept between commands (state-cache.ts). Default: the process-wide cache of this
   * event store. `false` folds the whole stream on every command (as before the cache).
   */
  cache?: StateCache | false;
  /**
   * The command creates its stream (a new execution with a fresh id): decide on the initial state
   * and append expecting no stream, without reading first. If the stream exists after all, the
   * usual path reads it and decides again (a retry is then answered as before).
   */
  newStream?: boolean;
  /**
   * Decide on this process's cached state of the stream without reading it first, when there is
   * one (the caller has just loaded it, as the step runner has). The append still names the
   * revision decided on, so a stale cache is refused by the store, read, and decided again.
   */
  decideOnCache?: boolean;
  /** Commands decided right after this one and appended with it (see FollowUps); `false`: none, whatever the sender would add. */
  followUps?: FollowUps | false;
}

/**
 * Commands that follow at once from events just decided, decided on the state those events leave
 * and appended in the same write: the engine's pure steps (transform, condition) run there, so a
 * run's chain of them costs one append instead of one each. Called with the newest events; an
 * empty answer ends the chain. A follow-up the decider refuses is left out and a failing callback
 * ends the chain: what they would have done is left to the usual path (the step's queue message).
 */
export type FollowUps = (state: unknown, decided: readonly EventEnvelope[]) => Promise<Command[]>;

/** Follow-up commands in one append, at most: a chain is finite (cycles need a loop step), but bounded anyway. */
const MAX_FOLLOW_UPS = 32;

export interface CommandResult {
  /** Stream revision after the command; -1n when the stream is still empty. */
  revision: bigint;
  /** Position of the last event appended; absent when the command decided nothing. */
  position?: LogPosition;
  events: EventEnvelope[];
}

/** The client's `If-Match` revision is not the stream's: nothing was appended. */
export class PreconditionFailed extends Error {
  constructor(
    readonly streamId: string,
    readonly currentRevision: bigint,
  ) {
    super(`The resource changed: it is now at revision ${currentRevision}`);
    this.name = 'PreconditionFailed';
  }
}

/** Concurrent writers kept winning; the client may retry. */
export class ConcurrencyConflict extends Error {
  constructor(readonly streamId: string) {
    super(`Too many concurrent changes to ${streamId}; retry`);
    this.name = 'ConcurrencyConflict';
  }
}

/**
 * The one load-decide-append function every command goes through: load the stream's state, decide,
 * append with the revision the decision was made on. Without If-Match a conflicting writer makes it
 * read what was added and decide again (the decision may change); with If-Match the client must
 * look again (412). Event ids derive from the command id, so a retried command appends nothing twice.
 *
 * Loading: the state folded by the previous command on this stream is kept in a StateCache, so a
 * command reads only the events after that revision (plus the event at it, to check the stream is
 * still the one folded) and folds them on. A miss reads and folds the whole stream. What this
 * command appends is folded in after the append, in the form the store gives it back (jsonb
 * reorders keys and drops undefined: see withOwnEvents), so the next command on a stream this
 * process keeps writing reads one event, and `decideOnCache` none. Another process's write is
 * never missed: it is read before deciding, or the append with the expected revision fails and
 * the retry reads it.
 *
 * Retries of a handled command (same command id) answer what it did then, instead of deciding
 * again on a stream that may have moved on. They are found by the events' causationId: in the
 * events read by this command, and in the cache entry's window of the last `maxRecentCommands`
 * (200) command ids of the stream. On a miss the whole stream is read, so the check is complete.
 * LIMIT: on a hit, a retry of a command older than that window is decided again. Nothing is
 * stored twice even then: its events get the same ids, so the store's idempotent append answers
 * the original revision, or refuses the ids (DuplicateEventId), upon which the stream is read in
 * full and the original result is answered. Only a retry whose new decision is empty or refused
 * (DomainError) answers that instead of its original result.
 */
export async function handleCommand<C extends Command, E extends DecidedEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  options: CommandOptions = {},
): Promise<CommandResult> {
  const cache = options.cache === false ? undefined : (options.cache ?? defaultStateCache(store));
  if (options.newStream && options.expectedRevision === undefined) {
    const created = await createStream(store, decider, streamId, command, cache, options.followUps);
    if (created) return created;
  }
  // Without a cache nothing is looked up between commands: the whole read answers retries.
  const maxRecentCommands = cache?.maxRecentCommands ?? 0;
  let known = cache?.get(decider, streamId);
  let trustKnown = options.decideOnCache === true && options.expectedRevision === undefined && known !== undefined;
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const { entry, read, complete } = trustKnown ? { entry: known!, read: [], complete: false } : await load(store, decider, streamId, known, maxRecentCommands);
    trustKnown = false;
    cache?.set(decider, streamId, entry);
    known = entry;
    const current = entry.revision;
    if (options.expectedRevision !== undefined && options.expectedRevision !== current) {
      throw new PreconditionFailed(streamId, current);
    }
    const earlier = await handledBefore(store, streamId, entry, read, command.metadata.commandId);
    if (earlier.length > 0) {
      const last = earlier[earlier.length - 1];
      return { revision: last.revision, position: last.position, events: earlier };
    }
    const events = await decideWithFollowUps(decider, command, entry.state, options.followUps);
    if (events.length === 0) return { revision: current, events: [] };
    try {
      const result = await store.appendToStream(streamId, events, {
        expectedRevision: current === -1n ? 'no_stream' : current,
      });
      cache?.set(decider, streamId, withOwnEvents(decider, entry, streamId, events, result, maxRecentCommands));
      return { revision: result.nextRevision, position: result.position, events };
    } catch (error) {
      if (error instanceof DuplicateEventId && !complete) {
        // This command's events exist already: a retry older than the window. The full read finds them.
        known = undefined;
        continue;
      }
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (options.expectedRevision !== undefined) throw new PreconditionFailed(streamId, error.actual);
      // Another writer went first: the next attempt reads what it appended. A stream now shorter
      // than the one folded cannot be continued: read it from the start.
      if (error.actual <= entry.revision) known = undefined;
    }
  }
  throw new ConcurrencyConflict(streamId);
}

/**
 * The folded state of a stream, through the same cache as commands (readers that act on a stream,
 * such as the engine's step runner, see what the next command will decide on).
 */
export async function loadState<E extends DecidedEvent, S>(
  store: EventStore,
  decider: Decider<never, E, S>,
  streamId: string,
  options: { atLeast?: bigint } = {},
): Promise<{ state: S; revision: bigint }> {
  const cache = defaultStateCache(store);
  const known = cache.get(decider, streamId);
  // A caller that only needs the state as of a revision it knows of (the event it handles) takes
  // the cached one without a read when the cache has got that far.
  if (known && options.atLeast !== undefined && known.revision >= options.atLeast) return { state: known.state, revision: known.revision };
  const { entry } = await load(store, decider, streamId, known, cache.maxRecentCommands);
  cache.set(decider, streamId, entry);
  return { state: entry.state, revision: entry.revision };
}

/** One append on a stream expected not to exist; undefined when it does exist (or the id was used). */
async function createStream<C extends Command, E extends DecidedEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  cache: StateCache | undefined,
  followUps: FollowUps | false | undefined,
): Promise<CommandResult | undefined> {
  const events = await decideWithFollowUps(decider, command, decider.initialState(), followUps);
  if (events.length === 0) return undefined;
  try {
    const result = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
    cache?.set(decider, streamId, withOwnEvents(decider, emptyEntry(decider), streamId, events, result, cache.maxRecentCommands));
    return { revision: result.nextRevision, position: result.position, events };
  } catch (error) {
    if (error instanceof WrongExpectedVersion || error instanceof DuplicateEventId) return undefined;
    throw error;
  }
}

/** The command's events, then those of the follow-ups they lead to (each decided on the state before it), compacted by the decider. */
async function decideWithFollowUps<C extends Command, E extends DecidedEvent, S>(
  decider: Decider<C, E, S>,
  command: C,
  state: S,
  followUps: FollowUps | false | undefined,
): Promise<EventEnvelope[]> {
  const events = decider.decide(command, state).map((event, index) => stamp(command, event, index));
  if (!followUps || events.length === 0) return events;
  // Folded as the store will give them back, so a follow-up sees what a later read would.
  const fold = (from: S, added: readonly EventEnvelope[]) => added.reduce((s, e) => decider.evolve(s, { type: e.type, data: dataAsJsonb(e) } as E), from);
  let folded = fold(state, events);
  let newest = events;
  let budget = MAX_FOLLOW_UPS;
  while (newest.length > 0 && budget > 0) {
    let next: Command[];
    try {
      next = await followUps(folded, newest);
    } catch {
      break;
    }
    newest = [];
    for (const followUp of next.slice(0, budget)) {
      budget--;
      let decided: EventEnvelope[];
      try {
        decided = decider.decide(followUp as C, folded).map((event, index) => stamp(followUp, event, index));
      } catch {
        continue; // refused here, it is decided (and its error reported) on the usual path
      }
      folded = fold(folded, decided);
      newest.push(...decided);
    }
    events.push(...newest);
  }
  return decider.compact ? decider.compact(events) : events;
}

interface Loaded<S> {
  entry: CachedStream<S>;
  /** The events read (and folded) by this load, in order. */
  read: RecordedEvent[];
  /** The whole stream was read. */
  complete: boolean;
}

/** The stream's state: `known` plus the events after it, or a fold of the whole stream. */
async function load<E extends DecidedEvent, S>(
  store: EventStore,
  decider: Decider<never, E, S>,
  streamId: string,
  known: CachedStream<S> | undefined,
  maxRecentCommands: number,
): Promise<Loaded<S>> {
  if (known && known.revision >= 0n) {
    const events = await store.readStream(streamId, { from: known.revision });
    const [first, ...read] = events;
    if (first && first.revision === known.revision && first.metadata.eventId === known.lastEventId) {
      return { entry: advance(decider, known, read, maxRecentCommands), read, complete: false };
    }
    // Not the stream that was folded (it was deleted or rewritten): fold it anew.
  }
  const read = await store.readStream(streamId);
  return { entry: advance(decider, emptyEntry(decider), read, maxRecentCommands), read, complete: true };
}

/**
 * The cache entry after this command's own append: its events folded on as the store will give
 * them back (JSON as jsonb returns it: no undefined, keys in jsonb's order), so the next command
 * on the stream, or the step runner, need not read them back. Only when they directly follow the
 * entry; an idempotent re-append answered with an older revision leaves the entry to be read on.
 */
function withOwnEvents<E extends DecidedEvent, S>(
  decider: Decider<never, E, S>,
  entry: CachedStream<S>,
  streamId: string,
  events: readonly EventEnvelope[],
  result: { nextRevision: bigint; position: LogPosition },
  maxRecentCommands: number,
): CachedStream<S> {
  if (events.length === 0 || result.nextRevision !== entry.revision + BigInt(events.length)) return entry;
  const first = result.nextRevision - BigInt(events.length) + 1n;
  const stored: RecordedEvent[] = events.map((event, index) => ({
    type: event.type,
    data: dataAsJsonb(event),
    metadata: asJsonb(event.metadata) as RecordedEvent['metadata'],
    streamId,
    revision: first + BigInt(index),
    position: result.position,
    recordedAt: '',
  }));
  return advance(decider, entry, stored, maxRecentCommands);
}

/** Each decided event's data as jsonb gives it back, made once: the follow-ups' fold and the cache update both need it. */
const jsonbData = new WeakMap<EventEnvelope, unknown>();

function dataAsJsonb(event: EventEnvelope): unknown {
  if (!jsonbData.has(event)) jsonbData.set(event, asJsonb(event.data));
  return jsonbData.get(event);
}

/**
 * A value as PostgreSQL's jsonb gives it back: what JSON.parse(JSON.stringify(value)) gives (toJSON
 * called, undefined and functions dropped from objects and null in arrays, non-finite numbers null),
 * with object keys shortest first, then by bytes. Built by one walk instead of a text round trip: it
 * runs on every event a command decides (a run's start folds its definition), and the round trip
 * was most of an append's JavaScript time.
 */
export function asJsonb(value: unknown): unknown {
  return toJsonb(value, '');
}

/** Values made by sharedJsonb: already as jsonb gives them back, and frozen, so asJsonb hands them on as they are. */
const sharedValues = new WeakSet<object>();

/**
 * The value as asJsonb gives it, deeply frozen and marked so that asJsonb later returns it without
 * a walk: for what many events carry unchanged, such as a published version's definition, which
 * every run's start folds (the walk over it was most of asJsonb's time per run). Frozen, because
 * the runs' states share it: a change through one would show in all.
 */
export function sharedJsonb<T>(value: T): T {
  const normal = deepFreeze(asJsonb(value));
  if (normal !== null && typeof normal === 'object') sharedValues.add(normal);
  return normal as T;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

function toJsonb(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null; // -0 is written as 0
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (value === null) return null;
  if (sharedValues.has(value)) return value;
  if (Array.isArray(value)) {
    const array = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) array[i] = toJsonb(value[i], String(i)) ?? null;
    return array;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return toJsonb(value.valueOf(), key);
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = jsonbKeyOrder(keys[i - 1], keys[i]) < 0;
  if (!ordered) keys.sort(jsonbKeyOrder);
  const copy: Record<string, unknown> = {};
  for (const k of keys) {
    const v = toJsonb(object[k], k);
    if (v === undefined) continue;
    // An own "__proto__" key (JSON.parse makes one) must stay a key, not set the prototype.
    if (k === '__proto__') Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
    else copy[k] = v;
  }
  return copy;
}

const ASCII = /^[\x00-\x7f]*$/;

function jsonbKeyOrder(a: string, b: string): number {
  // ASCII (nearly every key): one byte per character, and code unit order is byte order.
  if (ASCII.test(a) && ASCII.test(b)) return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  const byLength = Buffer.byteLength(a) - Buffer.byteLength(b);
  return byLength !== 0 ? byLength : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The events an earlier handling of this command id appended, or none. They are all in `read`
 * when its window span starts there (always so after a full read); otherwise the span the cache
 * remembers is read again.
 */
async function handledBefore<S>(
  store: EventStore,
  streamId: string,
  entry: CachedStream<S>,
  read: readonly RecordedEvent[],
  commandId: string,
): Promise<RecordedEvent[]> {
  const inRead = read.filter((e) => e.metadata.causationId === commandId);
  const span = entry.recentCommands.get(commandId);
  if (!span || (inRead.length > 0 && span.first >= inRead[0].revision)) return inRead;
  const events = await store.readStream(streamId, { from: span.first, limit: Number(span.last - span.first) + 1 });
  return events.filter((e) => e.metadata.causationId === commandId);
}

function stamp(command: Command, event: DecidedEvent, index: number): EventEnvelope {
  const { commandId, ...metadata } = command.metadata;
  return {
    type: event.type,
    data: event.data,
    metadata: { ...metadata, causationId: commandId, eventId: deterministicId(commandId, index), schemaVersion: SCHEMA_VERSION },
  };
}

/** crypto.hash (Node 20.12 and later) is the one-shot digest: about 40% cheaper than a Hash object per id. */
const sha1: (text: string) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string, encoding: 'buffer'): Buffer }).hash('sha1', text, 'buffer')
    : (text) => crypto.createHash('sha1').update(text).digest();

/** A UUID (version 5 layout) from the command id and the event's index in the decision. */
export function deterministicId(commandId: string, index: number): string {
  const hash = sha1(`${commandId}/${index}`);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
