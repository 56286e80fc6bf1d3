import type { RecordedEvent } from '@contracts';
import type { EventStore } from '../adapters/event-store/event-store.port';
import type { DecidedEvent, Decider } from '../domain/decider';

/**
 * In-process cache of folded decider state, per (decider, stream), so that a command on a long
 * stream reads and folds only the events appended since the last command instead of the whole
 * history (handleCommand). Correctness never rests on the cache being current: handleCommand
 * always reads what follows the cached revision and appends with the revision it decided on, so
 * a write by another process is either read before deciding or refused by the store
 * (WrongExpectedVersion) and read on the retry.
 *
 * Entries are immutable values. This is safe because the deciders treat state as immutable:
 * `evolve` returns a new object for every change and `decide` only reads (checked for
 * workflowDecider and its graph, userDecider and workspaceDecider; state-cache.int-spec.ts runs
 * them on deep-frozen states). A decider that mutated its state in place must not be cached.
 */

/** Where the events of one handled command are in the stream (appends are atomic: one range). */
export interface CommandSpan {
  first: bigint;
  last: bigint;
}

export interface CachedStream<S> {
  /** Revision of the last event folded into `state`; -1n for an empty stream. */
  readonly revision: bigint;
  /** Event id at `revision`: the next read starts there and checks it is still the same event. */
  readonly lastEventId?: string;
  readonly state: S;
  /**
   * The most recent command ids seen in the stream (by the events' `metadata.causationId`),
   * oldest first, at most `maxRecentCommands`. Older ids fall out: see handleCommand for what a
   * retry of such a command gets.
   */
  readonly recentCommands: ReadonlyMap<string, CommandSpan>;
}

export interface StateCacheOptions {
  /** Streams kept; the least recently used is dropped beyond this. 0 keeps nothing. */
  maxStreams?: number;
  /** Command ids remembered per stream for answering retries without a full read. */
  maxRecentCommands?: number;
}

export const DEFAULT_STATE_CACHE_OPTIONS: Readonly<Required<StateCacheOptions>> = Object.freeze({
  // Runs in flight, each a stream, must fit: the engine reads a run's state from here when its
  // step messages arrive, which under load is thousands of starts later. At 2,000 a backlog of
  // that size turned every step message into a full read of its stream, which grew the backlog.
  // A run's state is a few kB (its definition, input and outputs).
  maxStreams: 10_000,
  maxRecentCommands: 200,
});

export class StateCache {
  readonly maxStreams: number;
  readonly maxRecentCommands: number;
  /** Counters, for tests, benchmarks and metrics. */
  readonly stats = { hits: 0, misses: 0, evictions: 0 };
  /** Insertion order is recency order: a hit moves the entry to the end. */
  private readonly entries = new Map<string, CachedStream<unknown>>();
  private readonly deciderIds = new WeakMap<object, number>();
  private nextDeciderId = 0;

  constructor(options: StateCacheOptions = {}) {
    this.maxStreams = nonNegativeInteger('maxStreams', options.maxStreams ?? DEFAULT_STATE_CACHE_OPTIONS.maxStreams);
    this.maxRecentCommands = nonNegativeInteger(
      'maxRecentCommands',
      options.maxRecentCommands ?? DEFAULT_STATE_CACHE_OPTIONS.maxRecentCommands,
    );
  }

  get size(): number {
    return this.entries.size;
  }

  get<S>(decider: DeciderKey<S>, streamId: string): CachedStream<S> | undefined {
    const key = this.keyOf(decider, streamId);
    const entry = this.entries.get(key);
    if (!entry) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry as CachedStream<S>;
  }

  /**
   * Replaces the stream's entry. An older revision replacing a newer one (two commands on one
   * stream at once) costs the next command a few more events to read, nothing else.
   */
  set<S>(decider: DeciderKey<S>, streamId: string, entry: CachedStream<S>): void {
    if (this.maxStreams === 0) return;
    const key = this.keyOf(decider, streamId);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxStreams) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.stats.evictions++;
    }
  }

  has(decider: DeciderKey<unknown>, streamId: string): boolean {
    return this.entries.has(this.keyOf(decider, streamId));
  }

  delete(decider: DeciderKey<unknown>, streamId: string): void {
    this.entries.delete(this.keyOf(decider, streamId));
  }

  clear(): void {
    this.entries.clear();
  }

  /** Two deciders folding the same stream keep separate states. */
  private keyOf(decider: object, streamId: string): string {
    let id = this.deciderIds.get(decider);
    if (id === undefined) {
      id = this.nextDeciderId++;
      this.deciderIds.set(decider, id);
    }
    return `${id}\u0000${streamId}`;
  }
}

/** A decider as the cache keys it: by identity; its initial state gives the state type. */
type DeciderKey<S> = Pick<Decider<never, never, S>, 'initialState'>;

/** The state of an empty stream. */
export function emptyEntry<S>(decider: DeciderKey<S>): CachedStream<S> {
  return { revision: -1n, state: decider.initialState(), recentCommands: new Map() };
}

/**
 * A new entry: `events` (the ones right after `entry.revision`, in order, as the store returned
 * them) folded onto `entry`. The entry given is left as it was.
 */
export function advance<E extends DecidedEvent, S>(
  decider: Decider<never, E, S>,
  entry: CachedStream<S>,
  events: readonly RecordedEvent[],
  maxRecentCommands: number,
): CachedStream<S> {
  if (events.length === 0) return entry;
  let state = entry.state;
  const recent = new Map(entry.recentCommands);
  for (const event of events) {
    state = decider.evolve(state, event as unknown as E);
    const id = event.metadata?.causationId;
    if (id === undefined || maxRecentCommands === 0) continue;
    const span = recent.get(id);
    // Re-inserted so the map stays in order of last use.
    recent.delete(id);
    recent.set(id, { first: span?.first ?? event.revision, last: event.revision });
  }
  for (const id of recent.keys()) {
    if (recent.size <= maxRecentCommands) break;
    recent.delete(id);
  }
  const last = events[events.length - 1];
  return { revision: last.revision, lastEventId: last.metadata.eventId, state, recentCommands: recent };
}

let defaultOptions: StateCacheOptions = {};
let defaultCaches = new WeakMap<EventStore, StateCache>();

/** The cache handleCommand uses unless told otherwise: one per event store instance. */
export function defaultStateCache(store: EventStore): StateCache {
  let cache = defaultCaches.get(store);
  if (!cache) {
    cache = new StateCache(defaultOptions);
    defaultCaches.set(store, cache);
  }
  return cache;
}

/** Sizes of the default caches created from now on (existing ones are dropped). */
export function configureDefaultStateCache(options: StateCacheOptions): void {
  defaultOptions = { ...options };
  defaultCaches = new WeakMap();
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`StateCache ${name} must be a non-negative integer, got ${value}`);
  return value;
}
