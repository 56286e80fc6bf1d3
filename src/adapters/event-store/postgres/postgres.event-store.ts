import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Pool } from 'pg';
import type { EventEnvelope, LogPosition, RecordedEvent } from '@contracts';
import { START_POSITION } from '@contracts';
import type { Database } from '../../database/tables';
import type { DatabaseHandle } from '../../database/database';
import {
  DuplicateEventId,
  WrongExpectedVersion,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
} from '../event-store.port';
import { pollingSubscription } from '../polling-subscription';
import { migrateEventLog } from './event-log.schema';
import type { AppendObserver } from '../append-observer';
import { AppendBatcher, eventColumns, expectationParams, expectationSql, type AppendedRow } from './append-batcher';

interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date | string;
}

const UNIQUE_VIOLATION = '23505';
/** Concurrent writers with expectedRevision 'any' retry this often before giving up. */
const ANY_REVISION_RETRIES = 20;

/**
 * Event store on PostgreSQL or PGlite (same SQL). An append is ONE statement: it reads the
 * stream's current revision, checks the expectation and inserts every event, so it is atomic
 * and costs one round trip and one commit. Concurrency is settled by UNIQUE(stream_id, revision).
 */
export class PostgresEventStore implements EventStore {
  readonly kind: 'postgres' | 'pglite';
  private readonly db: Kysely<Database>;
  private readonly schema?: string;
  private readonly pool?: Pool;
  private readonly listeners = new Set<() => void>();
  private readonly batcher?: AppendBatcher;

  constructor(
    handle: DatabaseHandle,
    private readonly observer?: AppendObserver,
  ) {
    this.db = handle.db;
    this.kind = handle.kind;
    this.schema = handle.schema;
    this.pool = handle.pool;
    this.batcher = handle.pool ? new AppendBatcher(handle.pool) : undefined;
  }

  async init(): Promise<void> {
    await migrateEventLog(this.db, this.schema);
  }

  async appendToStream(
    streamId: string,
    events: readonly EventEnvelope[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const started = process.hrtime.bigint();
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await this.insert(streamId, events, expected, attempt > 0);
        if (rows.length === events.length) {
          const last = rows[rows.length - 1];
          this.observer?.appended(events.length, Number(process.hrtime.bigint() - started) / 1e9);
          this.notify();
          return { nextRevision: BigInt(last.revision), position: toPosition(last) };
        }
        // The expectation did not hold: either this is a retry of an append that already landed...
        const replay = await this.findIdempotentReplay(streamId, events);
        if (replay) return replay;
        throw new WrongExpectedVersion(streamId, expected, await this.currentRevision(streamId));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const replay = await this.findIdempotentReplay(streamId, events);
        if (replay) return replay;
        if (constraintOf(error) === 'event_log_event_id_unique') throw new DuplicateEventId(events[0].metadata.eventId);
        // ...or a concurrent writer took the same revision first.
        if (expected === 'any' && attempt < ANY_REVISION_RETRIES) continue;
        throw new WrongExpectedVersion(streamId, expected, await this.currentRevision(streamId));
      }
    }
  }

  private async insert(streamId: string, events: readonly EventEnvelope[], expected: ExpectedRevision, alone: boolean): Promise<AppendedRow[]> {
    if (this.pool) {
      // Group commit first; an append the batch could not take is made alone (see AppendBatcher).
      const batched = alone ? undefined : await this.batcher?.submit(streamId, events, expected);
      return batched ?? this.insertPrepared(this.pool, streamId, events, expected);
    }
    const input = JSON.stringify(
      events.map((e, ord) => ({ ord, event_id: e.metadata.eventId, type: e.type, data: e.data, metadata: e.metadata })),
    );
    const result = await sql<EventRow>`
      WITH current_revision AS (
        SELECT coalesce(max(revision), -1) AS revision FROM event_log WHERE stream_id = ${streamId}
      ), input AS (
        SELECT * FROM jsonb_to_recordset(${input}::jsonb)
          AS x(ord int, event_id uuid, type text, data jsonb, metadata jsonb)
      )
      INSERT INTO event_log (event_id, stream_id, revision, type, data, metadata)
      SELECT input.event_id, ${streamId}, current_revision.revision + 1 + input.ord, input.type, input.data, input.metadata
      FROM current_revision, input
      WHERE ${expectationHolds(expected)}
      ORDER BY input.ord
      RETURNING stream_id, global_position::text, transaction_id::text, revision::text`.execute(this.db);
    return result.rows;
  }

  /**
   * The same append as a named prepared statement on the pg pool: planned once per connection
   * instead of on every append, which is most of an append's cost (bench/append). Simpler than the
   * batch's statement (appendMany): bench/append did worse when appends that go alone used that one.
   */
  private async insertPrepared(pool: Pool, streamId: string, events: readonly EventEnvelope[], expected: ExpectedRevision): Promise<AppendedRow[]> {
    const result = await pool.query<AppendedRow>({
      name: 'bluebird_append_v3',
      text: APPEND_PREPARED,
      values: [streamId, ...expectationParams(expected), ...eventColumns(events)],
    });
    return result.rows;
  }

  /** When every event id is already stored in this stream, in order, the append already happened. */
  private async findIdempotentReplay(streamId: string, events: readonly EventEnvelope[]): Promise<AppendResult | undefined> {
    const ids = events.map((e) => e.metadata.eventId);
    const found = await sql<EventRow>`
      SELECT event_id::text, stream_id, revision::text, global_position::text, transaction_id::text
      FROM event_log WHERE event_id = ANY(${ids}::uuid[]) ORDER BY event_log.revision`.execute(this.db);
    if (found.rows.length === 0) return undefined;
    const inOrder = found.rows.every((r, i) => r.stream_id === streamId && r.event_id === ids[i]);
    const consecutive = found.rows.every((r, i) => i === 0 || BigInt(r.revision) === BigInt(found.rows[i - 1].revision) + 1n);
    if (found.rows.length !== ids.length || !inOrder || !consecutive) throw new DuplicateEventId(found.rows[0].event_id);
    const last = found.rows[found.rows.length - 1];
    return { nextRevision: BigInt(last.revision), position: toPosition(last) };
  }

  private async currentRevision(streamId: string): Promise<bigint> {
    const result = await sql<{ revision: string }>`
      SELECT coalesce(max(revision), -1)::text AS revision FROM event_log WHERE stream_id = ${streamId}`.execute(this.db);
    return BigInt(result.rows[0].revision);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = options.limit ?? 100_000;
    const from = options.from;
    const bound =
      from === undefined ? sql`true` : backwards ? sql`revision <= ${from.toString()}::bigint` : sql`revision >= ${from.toString()}::bigint`;
    const result = await sql<EventRow>`
      SELECT ${columns} FROM event_log
      WHERE stream_id = ${streamId} AND ${bound}
      ORDER BY event_log.revision ${backwards ? sql`DESC` : sql`ASC`}
      LIMIT ${limit}`.execute(this.db);
    return result.rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START_POSITION;
    const limit = options.limit ?? 500;
    const categories = options.categories?.length
      ? sql`AND (${sql.join(options.categories.map((c) => sql`stream_id LIKE ${`${c}-%`}`), sql` OR `)})`
      : sql``;
    // Only transactions older than the oldest one still running are visible here, so a reader
    // never moves its checkpoint past an event that has yet to commit.
    const result = await sql<EventRow>`
      SELECT ${columns} FROM event_log
      WHERE (transaction_id, global_position) > (${after.transactionId.toString()}::xid8, ${after.globalPosition.toString()}::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ${categories}
      ORDER BY event_log.transaction_id, event_log.global_position
      LIMIT ${limit}`.execute(this.db);
    return result.rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return pollingSubscription((o) => this.readAll(o), options, (listener) => this.onAppended(listener));
  }

  async estimateCount(): Promise<number> {
    const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM event_log`.execute(this.db);
    return Number(result.rows[0].n);
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

// Output columns are cast to text (int8 and xid8 differ between drivers); ORDER BY must name the
// table's columns (event_log.x), or it would sort by the text aliases.
const APPEND_PREPARED = `
  INSERT INTO event_log (event_id, stream_id, revision, type, data, metadata)
  SELECT input.event_id, $1, current_revision.revision + input.ord, input.type, input.data, input.metadata
  FROM (SELECT coalesce(max(revision), -1) AS revision FROM event_log WHERE stream_id = $1) AS current_revision,
       ROWS FROM (unnest($4::uuid[]), unnest($5::text[]), jsonb_array_elements($6::jsonb), jsonb_array_elements($7::jsonb))
         WITH ORDINALITY AS input(event_id, type, data, metadata, ord)
  WHERE ${expectationSql('current_revision.revision', '$2::text', '$3::bigint')}
  ORDER BY input.ord
  RETURNING stream_id, global_position::text, transaction_id::text, revision::text`;

const columns = sql`global_position::text, transaction_id::text, event_id::text, stream_id, revision::text, type, data, metadata, recorded_at`;

function expectationHolds(expected: ExpectedRevision): RawBuilder<unknown> {
  if (expected === 'any') return sql`true`;
  if (expected === 'no_stream') return sql`current_revision.revision = -1`;
  if (expected === 'stream_exists') return sql`current_revision.revision >= 0`;
  return sql`current_revision.revision = ${expected.toString()}::bigint`;
}

function toPosition(row: Pick<EventRow, 'transaction_id' | 'global_position'>): LogPosition {
  return { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) };
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    type: row.type,
    data: row.data,
    metadata: row.metadata as RecordedEvent['metadata'],
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: toPosition(row),
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === UNIQUE_VIOLATION;
}

function constraintOf(error: unknown): string | undefined {
  const e = error as { constraint?: string; message?: string };
  if (e.constraint) return e.constraint;
  // PGlite reports the constraint only in the message.
  return /"([a-z_]+)"/.exec(e.message ?? '')?.[1];
}
