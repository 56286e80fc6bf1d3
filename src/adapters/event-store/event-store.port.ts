import type { EventEnvelope, LogPosition, RecordedEvent } from '@contracts';

/**
 * The event store port. Every adapter (PostgreSQL/PGlite, EventStoreDB) passes the same contract
 * suite (`event-store.contract.ts`). Revisions are 0-based; an empty stream has no revision.
 */
export type ExpectedRevision = bigint | 'any' | 'no_stream' | 'stream_exists';

export interface AppendOptions {
  /** Defaults to 'any'. */
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: bigint;
  /** Global position of the last event appended. */
  position: LogPosition;
}

export interface ReadStreamOptions {
  /** Inclusive revision to start from (forwards: default 0; backwards: default the end). */
  from?: bigint;
  direction?: 'forwards' | 'backwards';
  limit?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. */
  after?: LogPosition;
  limit?: number;
  /** Only streams of these categories (`workflow`, `execution`, ...). */
  categories?: readonly string[];
}

export interface SubscribeOptions extends ReadAllOptions {
  signal?: AbortSignal;
  /** How long to wait between polls when the log is idle. */
  idleMs?: number;
}

export class WrongExpectedVersion extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** -1n when the stream does not exist. */
    readonly actual: bigint,
  ) {
    super(`Wrong expected version on ${streamId}: expected ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedVersion';
  }
}

/** An event id that already exists in another stream: an idempotent retry cannot explain it. */
export class DuplicateEventId extends Error {
  constructor(readonly eventId: string) {
    super(`Event id ${eventId} already exists in another stream or position`);
    this.name = 'DuplicateEventId';
  }
}

export interface EventStore {
  readonly kind: 'postgres' | 'pglite' | 'eventstoredb';
  /** Creates tables or checks the connection; safe to call from many processes at once. */
  init(): Promise<void>;
  /**
   * Appends atomically (all or nothing). A retry with the same event ids returns the original
   * result and stores nothing new. A stale expected revision throws WrongExpectedVersion.
   */
  appendToStream(streamId: string, events: readonly EventEnvelope[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Global log in commit order; never skips an event that commits late. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Polls readAll until the signal aborts; wakes early when this process appends. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** Rough number of events in the log, for progress reports. */
  estimateCount(): Promise<number>;
  /** Called after every successful append in this process (a nudge for local readers). */
  onAppended(listener: () => void): () => void;
  close(): Promise<void>;
}
