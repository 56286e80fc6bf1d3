import type { Pool } from 'pg';
import type { EventEnvelope } from '@contracts';
import type { ExpectedRevision } from '../event-store.port';

/** What an append statement answers per event (text: int8 and xid8 differ between drivers). */
export interface AppendedRow {
  stream_id: string;
  global_position: string;
  transaction_id: string;
  revision: string;
}

interface PendingAppend extends Append {
  resolve: (rows: AppendedRow[] | undefined) => void;
}

/**
 * Group commit. Appends to different streams that arrive while `maxInFlight` statements are already
 * running go to PostgreSQL together as one INSERT: one round trip and one commit for them all, where
 * each costs the writer about as much as the statement itself (a loopback write that wakes the server
 * is most of an append's CPU here). An idle store sends each append at once, so it waits for nothing.
 *
 * Each stream's expectation is checked on its own, so one append's stale revision leaves the others
 * standing; its rows are simply not inserted. The statement is atomic, so if it fails (two writers on
 * one stream, an event id stored before), nothing of it landed. Either way `submit` answers undefined
 * and the caller makes that append alone, which sorts out idempotent retries and stale revisions as
 * before. Two appends to one stream never share a statement, nor run in two at once: both would read
 * the same revision, and the loser's whole statement would fail.
 */
export class AppendBatcher {
  private readonly waiting: PendingAppend[] = [];
  /** Streams with an append in a statement now running: their next append waits for it (it would read the same revision). */
  private readonly busyStreams = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly pool: Pool,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 64,
  ) {}

  /** The rows inserted for this append, in revision order; undefined when it is to be made alone. */
  submit(streamId: string, events: readonly EventEnvelope[], expected: ExpectedRevision): Promise<AppendedRow[] | undefined> {
    return new Promise((resolve) => {
      this.waiting.push({ streamId, events, expected, resolve });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const pending of batch) this.busyStreams.delete(pending.streamId);
        this.drain();
      });
    }
  }

  /** Waiting appends in arrival order, one per stream not already in a running statement, up to maxBatch. */
  private takeBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    for (let i = 0; i < this.waiting.length && batch.length < this.maxBatch; ) {
      const pending = this.waiting[i];
      if (this.busyStreams.has(pending.streamId)) {
        i++;
        continue;
      }
      this.busyStreams.add(pending.streamId);
      batch.push(pending);
      this.waiting.splice(i, 1);
    }
    return batch;
  }

  private async send(batch: PendingAppend[]): Promise<void> {
    let rows: AppendedRow[];
    try {
      rows = await appendMany(this.pool, batch);
    } catch {
      for (const pending of batch) pending.resolve(undefined);
      return;
    }
    const byStream = new Map<string, AppendedRow[]>();
    for (const row of rows) {
      const own = byStream.get(row.stream_id);
      if (own) own.push(row);
      else byStream.set(row.stream_id, [row]);
    }
    for (const pending of batch) {
      const own = byStream.get(pending.streamId) ?? [];
      pending.resolve(own.length === pending.events.length ? own : undefined);
    }
  }
}

export interface Append {
  streamId: string;
  events: readonly EventEnvelope[];
  expected: ExpectedRevision;
}

/**
 * One INSERT of the events of appends to different streams, each only if its stream's revision is
 * as it expects: a named prepared statement, planned once per connection (bench/append). The rows
 * inserted, each stream's in revision order; none for an append whose expectation failed.
 */
export async function appendMany(pool: Pool, appends: readonly Append[]): Promise<AppendedRow[]> {
  const { rows } = await pool.query<AppendedRow>({ name: 'bluebird_append_v4', text: APPEND_MANY, values: statementValues(appends) });
  return rows.sort((a, b) => Number(BigInt(a.revision) - BigInt(b.revision)));
}

/** The statement's parameters: per append its stream, mode and revision; per event its append (1-based), place in it, id, type, data, metadata. */
function statementValues(batch: readonly Append[]): unknown[] {
  const eventCall: number[] = [];
  const eventNth: number[] = [];
  const events: EventEnvelope[] = [];
  batch.forEach((pending, index) => {
    pending.events.forEach((event, nth) => {
      eventCall.push(index + 1);
      eventNth.push(nth + 1);
      events.push(event);
    });
  });
  const expectations = batch.map((p) => expectationParams(p.expected));
  return [batch.map((p) => p.streamId), expectations.map(([mode]) => mode), expectations.map(([, revision]) => revision), eventCall, eventNth, ...eventColumns(events)];
}

/** An expected revision as an append statement's two parameters: its mode, and the revision when exact. */
export function expectationParams(expected: ExpectedRevision): [mode: string, revision: string | null] {
  return typeof expected === 'bigint' ? ['exact', expected.toString()] : [expected, null];
}

/** Events as an append statement's column parameters: ids, types, data, metadata. */
export function eventColumns(events: readonly EventEnvelope[]): unknown[] {
  return [
    events.map((e) => e.metadata.eventId),
    events.map((e) => e.type),
    // One JSON array each, not text[] of JSON: pg escapes every quote of an array element.
    JSON.stringify(events.map((e) => e.data)),
    JSON.stringify(events.map((e) => e.metadata)),
  ];
}

/** The SQL condition that a stream's current revision meets the expectation (mode, revision). */
export function expectationSql(current: string, mode: string, expected: string): string {
  return `CASE ${mode}
          WHEN 'exact' THEN ${current} = ${expected}
          WHEN 'no_stream' THEN ${current} = -1
          WHEN 'stream_exists' THEN ${current} >= 0
          ELSE true
        END`;
}

// Each stream's current revision is read beside its own expectation. Output columns are cast to text
// (int8 and xid8 differ between drivers); ORDER BY must name the table's columns.
const APPEND_MANY = `
  INSERT INTO event_log (event_id, stream_id, revision, type, data, metadata)
  SELECT input.event_id, calls.stream_id, stream_now.revision + input.nth, input.type, input.data, input.metadata
  FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::bigint[])) WITH ORDINALITY AS calls(stream_id, mode, expected, call)
  CROSS JOIN LATERAL (SELECT coalesce(max(revision), -1) AS revision FROM event_log WHERE event_log.stream_id = calls.stream_id) AS stream_now
  JOIN ROWS FROM (unnest($4::int[]), unnest($5::int[]), unnest($6::uuid[]), unnest($7::text[]), jsonb_array_elements($8::jsonb), jsonb_array_elements($9::jsonb))
         WITH ORDINALITY AS input(call, nth, event_id, type, data, metadata, ord)
    ON input.call = calls.call
  WHERE ${expectationSql('stream_now.revision', 'calls.mode', 'calls.expected')}
  ORDER BY input.ord
  RETURNING stream_id, global_position::text, transaction_id::text, revision::text`;
