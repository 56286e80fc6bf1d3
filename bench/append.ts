/**
 * Benchmark: single-event appends with an expected revision through PostgresEventStore.appendToStream,
 * beside plain single-row INSERTs into a bigserial table carrying the same JSON, at 1, 8 and 32
 * concurrent writers. Same database, same run, same pool. Time-boxed per cell.
 *
 *   npm run bench:append
 *   DATABASE_URL=postgres://... BENCH_SECONDS=5 BENCH_WARMUP_SECONDS=1 npm run bench:append
 *
 * Target (issue): appends at >= 0.6x the plain INSERT rate at 8 and 32 writers.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Pool } from 'pg';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres.event-store';
import type { ExpectedRevision } from '../src/adapters/event-store/event-store.port';
import { envelope, nowMs, percentile, resultLine, withBenchSchema } from './support';

const CONCURRENCY = [1, 8, 32];
const POOL_SIZE = 40;
const MEASURE_MS = seconds('BENCH_SECONDS', 5) * 1000;
const WARMUP_MS = seconds('BENCH_WARMUP_SECONDS', 1) * 1000;
const TARGET_RATIO = 0.6;
const TARGET_AT = new Set([8, 32]);

interface CellResult {
  perSecond: number;
  /** Completed inside the measurement window. */
  ops: number;
  /** Completed overall, warm-up and stragglers included. */
  total: number;
  p50: number;
  p99: number;
}

/**
 * Runs `concurrency` writers in a loop for warm-up + measurement; counts the operations that
 * complete inside the measurement window and records their latencies. Each writer finishes the
 * operation it has in flight when the window closes (not counted).
 */
async function timeBoxed(concurrency: number, makeWriter: (writer: number) => () => Promise<void>): Promise<CellResult> {
  const start = nowMs();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + MEASURE_MS;
  const latencies: number[] = [];
  let total = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, writer) => {
      const op = makeWriter(writer);
      for (;;) {
        const t0 = nowMs();
        if (t0 >= end) return;
        await op();
        const t1 = nowMs();
        total++;
        if (t1 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
      }
    }),
  );
  return {
    perSecond: latencies.length / (MEASURE_MS / 1000),
    ops: latencies.length,
    total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** The event of one append: a rename, as the workflow decider would emit it. */
function benchEvent(writer: number, n: number) {
  return envelope('WorkflowRenamed', { workflowId: randomUUID(), name: `workflow ${writer}.${n}`, previousName: `workflow ${writer}.${n - 1}` });
}

async function appendCell(store: PostgresEventStore, concurrency: number): Promise<CellResult> {
  return timeBoxed(concurrency, (writer) => {
    const streamId = `benchappend-${randomUUID()}`;
    let expected: ExpectedRevision = 'no_stream';
    let n = 0;
    return async () => {
      const result = await store.appendToStream(streamId, [benchEvent(writer, n++)], { expectedRevision: expected });
      const wanted = expected === 'no_stream' ? 0n : (expected as bigint) + 1n;
      if (result.nextRevision !== wanted) throw new Error(`${streamId}: expected revision ${wanted}, got ${result.nextRevision}`);
      expected = result.nextRevision;
    };
  });
}

/** The baseline at its best: a named prepared INSERT on the same pg pool the event store uses. */
async function insertCell(pool: Pool, concurrency: number): Promise<CellResult> {
  return timeBoxed(concurrency, (writer) => {
    let n = 0;
    return async () => {
      const e = benchEvent(writer, n++);
      const json = JSON.stringify({ type: e.type, data: e.data, metadata: e.metadata });
      await pool.query({ name: 'plain_insert', text: 'INSERT INTO plain_insert (data) VALUES ($1::jsonb)', values: [json] });
    };
  });
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

async function main(): Promise<void> {
  console.log(`append benchmark: ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s per cell, writers ${CONCURRENCY.join(', ')}`);
  let allMet = true;
  await withBenchSchema('bench_append', POOL_SIZE, async (handle) => {
    const db = handle.db;
    const store = new PostgresEventStore(handle);
    await store.init();
    await sql`CREATE TABLE plain_insert (id bigserial PRIMARY KEY, data jsonb NOT NULL)`.execute(db);
    const settings = await sql<{ sc: string; fsync: string; wal_sync_method: string; commit_delay: string }>`
      SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync,
             current_setting('wal_sync_method') AS wal_sync_method, current_setting('commit_delay') AS commit_delay`.execute(db);
    const s = settings.rows[0];
    console.log(`synchronous_commit=${s.sc} fsync=${s.fsync} wal_sync_method=${s.wal_sync_method} commit_delay=${s.commit_delay}`);

    let appended = 0;
    for (const concurrency of CONCURRENCY) {
      // Baseline first, then ours, at each concurrency: the same pool and the same connections.
      const baseline = await insertCell(handle.pool!, concurrency);
      const ours = await appendCell(store, concurrency);
      appended += ours.total;
      const name = `append ${concurrency} writer${concurrency === 1 ? '' : 's'}`;
      const lines = [
        resultLine(name, ours.perSecond, baseline.perSecond),
        `${name} latency: ours p50 ${ms(ours.p50)} p99 ${ms(ours.p99)}, baseline p50 ${ms(baseline.p50)} p99 ${ms(baseline.p99)}` +
          ` (${ours.ops} appends, ${baseline.ops} inserts measured)`,
      ];
      if (TARGET_AT.has(concurrency)) {
        const ratio = ours.perSecond / baseline.perSecond;
        const met = ratio >= TARGET_RATIO;
        allMet &&= met;
        lines.push(`${name} target >= ${TARGET_RATIO}x plain INSERT: ${met ? 'MET' : 'NOT MET'} (${ratio.toFixed(2)}x)`);
      }
      for (const line of lines) console.log(line);
    }

    // The appends must have produced gapless streams, one event per acknowledged append.
    const check = await sql<{ streams: string; events: string; broken: string }>`
      SELECT count(*)::text AS streams, coalesce(sum(n), 0)::text AS events,
             count(*) FILTER (WHERE n <> max_revision + 1 OR min_revision <> 0)::text AS broken
      FROM (SELECT stream_id, count(*) AS n, max(revision) AS max_revision, min(revision) AS min_revision
            FROM event_log GROUP BY stream_id) s`.execute(db);
    const c = check.rows[0];
    if (Number(c.events) !== appended || Number(c.broken) !== 0) {
      throw new Error(`event log check failed: ${c.events} events for ${appended} acknowledged appends, ${c.broken} streams with gaps`);
    }
    console.log(`check: ${c.events} events in ${c.streams} gapless streams, one per acknowledged append`);
  });
  console.log(`target (>= ${TARGET_RATIO}x at ${[...TARGET_AT].join(' and ')} writers): ${allMet ? 'MET' : 'NOT MET'}`);
}

function seconds(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds`);
  return value;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
