/**
 * Benchmark: rebuilding the workflow_summary projection from the event log with ProjectionRunner.rebuild,
 * beside a plain copy of the same rows (read the log in pages of 500 in commit order, one multi-row
 * INSERT per page into a plain table with workflow_summary's columns). Same database, same run.
 *
 *   npm run bench:rebuild
 *   DATABASE_URL=postgres://... BENCH_WORKFLOWS=40000 npm run bench:rebuild
 *
 * The log is seeded directly with SQL (big multi-row INSERTs): 40,000 workflows x 5 events = 200,000 events.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { workflowStream, type EventEnvelope, type WorkflowEvent } from '@contracts';
import type { Database } from '../src/adapters/database/tables';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres.event-store';
import { InProcessBroker } from '../src/adapters/broker/in-process.broker';
import { migrateReadModels } from '../projections/migrations';
import { ProjectionRunner, type RebuildProgress } from '../projections/runner';
import { workflowSummaryProjector } from '../projections/workflow-summary/workflow-summary.projector';
import { envelope, nowMs, resultLine, withBenchSchema } from './support';

const WORKFLOWS = positiveInt('BENCH_WORKFLOWS', 40_000);
const EVENTS_PER_WORKFLOW = 5;
const TOTAL_EVENTS = WORKFLOWS * EVENTS_PER_WORKFLOW;
/** Workflows per seeding INSERT (x5 events per statement). */
const SEED_CHUNK = 2_000;
const PAGE = 500;
const WORKSPACES = 20;
const BASE_TIME = Date.parse('2025-01-01T00:00:00.000Z');

interface SeedRow {
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

/**
 * The five events of workflow `i`, valid for the workflow decider:
 *   even i: Created, Renamed, DescriptionChanged, Archived, Restored   -> active, described
 *   odd i:  Created, Archived, Restored, Renamed, Archived             -> archived, no description
 * Every workflow ends renamed to "<name> v2", at revision 4.
 */
function workflowEvents(i: number, sequence: { n: number }): WorkflowEvent[] {
  const workflowId = randomUUID();
  const workspaceId = `ws-${i % WORKSPACES}`;
  const name = `Workflow ${i}`;
  const meta = () => ({
    workspaceId,
    actor: { kind: 'user' as const, id: `user-${i % 50}` },
    occurredAt: new Date(BASE_TIME + sequence.n++).toISOString(),
  });
  const created = envelope('WorkflowCreated', { workflowId, workspaceId, name, description: '' }, meta());
  const renamed = () => envelope('WorkflowRenamed', { workflowId, name: `${name} v2`, previousName: name }, meta());
  const described = () => envelope('WorkflowDescriptionChanged', { workflowId, description: `Description of workflow ${i}` }, meta());
  const archived = () => envelope('WorkflowArchived', { workflowId }, meta());
  const restored = () => envelope('WorkflowRestored', { workflowId }, meta());
  return i % 2 === 0
    ? [created, renamed(), described(), archived(), restored()]
    : [created, archived(), restored(), renamed(), archived()];
}

/**
 * Seeds the log with big multi-row INSERTs (one transaction each). Within a chunk, events go in
 * revision-major order (every workflow's revision 0, then every revision 1, ...), so the streams
 * interleave in the global log as they would in real life.
 */
async function seed(db: Kysely<Database>): Promise<void> {
  const sequence = { n: 0 };
  for (let first = 0; first < WORKFLOWS; first += SEED_CHUNK) {
    const streams = [];
    for (let i = first; i < Math.min(first + SEED_CHUNK, WORKFLOWS); i++) streams.push(workflowEvents(i, sequence));
    const rows: SeedRow[] = [];
    for (let revision = 0; revision < EVENTS_PER_WORKFLOW; revision++) {
      for (const events of streams) {
        const e: EventEnvelope = events[revision];
        const workflowId = (e.data as { workflowId: string }).workflowId;
        rows.push({ event_id: e.metadata.eventId, stream_id: workflowStream(workflowId), revision, type: e.type, data: e.data, metadata: e.metadata });
      }
    }
    await sql`
      INSERT INTO event_log (event_id, stream_id, revision, type, data, metadata)
      SELECT x.event_id, x.stream_id, x.revision, x.type, x.data, x.metadata
      FROM ROWS FROM (
          jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            AS (event_id uuid, stream_id text, revision bigint, type text, data jsonb, metadata jsonb)
        ) WITH ORDINALITY AS x(event_id, stream_id, revision, type, data, metadata, ord)
      ORDER BY x.ord`.execute(db);
  }
}

interface LogRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: Record<string, string | undefined>;
  metadata: { workspaceId: string; occurredAt: string; actor: { id: string } };
  recorded_at: Date;
}

/**
 * Baseline: read the log in pages of 500 in commit order (keyset on (transaction_id, global_position),
 * the same columns the store reads) and insert one row per event, one multi-row INSERT per page.
 */
async function plainCopy(db: Kysely<Database>): Promise<number> {
  const anyDb = db as unknown as Kysely<any>;
  let after = { transactionId: '0', globalPosition: '0' };
  let copied = 0;
  for (;;) {
    const page = await sql<LogRow>`
      SELECT global_position::text, transaction_id::text, event_id::text, stream_id, revision::text, type, data, metadata, recorded_at
      FROM event_log
      WHERE (transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition}::bigint)
      ORDER BY event_log.transaction_id, event_log.global_position
      LIMIT ${PAGE}`.execute(db);
    if (page.rows.length === 0) return copied;
    await anyDb
      .insertInto('plain_copy')
      .values(
        page.rows.map((r) => ({
          workflow_id: r.data.workflowId,
          workspace_id: r.metadata.workspaceId,
          name: r.data.name ?? '',
          description: r.data.description ?? '',
          status: r.type === 'WorkflowArchived' ? 'archived' : 'active',
          revision: r.revision,
          created_at: r.metadata.occurredAt,
          created_by: r.metadata.actor.id,
          updated_at: r.metadata.occurredAt,
          updated_by: r.metadata.actor.id,
        })),
      )
      .execute();
    copied += page.rows.length;
    const last = page.rows[page.rows.length - 1];
    after = { transactionId: last.transaction_id, globalPosition: last.global_position };
  }
}

async function main(): Promise<void> {
  console.log(`rebuild benchmark: ${WORKFLOWS} workflows x ${EVENTS_PER_WORKFLOW} events = ${TOTAL_EVENTS} events`);
  await withBenchSchema('bench_rebuild', 4, async (handle) => {
    const db = handle.db;
    const store = new PostgresEventStore(handle);
    await store.init();
    await migrateReadModelsHere(db, handle.schema!);

    let t0 = nowMs();
    await seed(db);
    // Autovacuum may be off on the bench machine; a log that has been sitting would be analysed.
    await sql`VACUUM ANALYZE event_log`.execute(db);
    const seeded = await store.estimateCount();
    if (seeded !== TOTAL_EVENTS) throw new Error(`seeded ${seeded} events, wanted ${TOTAL_EVENTS}`);
    console.log(`seeded ${seeded} events in ${((nowMs() - t0) / 1000).toFixed(1)} s (bulk INSERT + VACUUM ANALYZE)`);

    // Baseline first: a plain copy of the same rows into a table with workflow_summary's columns.
    await sql`CREATE TABLE plain_copy (LIKE workflow_summary)`.execute(db);
    t0 = nowMs();
    const copied = await plainCopy(db);
    const baselineSeconds = (nowMs() - t0) / 1000;
    if (copied !== TOTAL_EVENTS) throw new Error(`baseline copied ${copied} rows, wanted ${TOTAL_EVENTS}`);
    const baseline = copied / baselineSeconds;
    console.log(`baseline: copied ${copied} events in ${baselineSeconds.toFixed(1)} s (${Math.round(baseline)} events/s)`);

    // Ours: ProjectionRunner.rebuild (the broker is not used by a rebuild).
    const runner = new ProjectionRunner(db, store, new InProcessBroker(), [workflowSummaryProjector]);
    const REPORT_EVERY = 20_000;
    let lastReported = -1;
    const onProgress = (p: RebuildProgress) => {
      const crossed = Math.floor(p.applied / REPORT_EVERY) > Math.floor(lastReported / REPORT_EVERY);
      if (p.applied === lastReported || (!crossed && p.applied < p.total)) return;
      lastReported = p.applied;
      console.log(`rebuild ${p.projection}: ${p.applied}/${p.total} events, ${p.eventsPerSecond} events/s`);
    };
    t0 = nowMs();
    const applied = await runner.rebuild(workflowSummaryProjector, onProgress);
    const oursSeconds = (nowMs() - t0) / 1000;
    if (applied !== TOTAL_EVENTS) throw new Error(`rebuild applied ${applied} events, wanted ${TOTAL_EVENTS}`);
    const ours = applied / oursSeconds;
    console.log(`rebuild: applied ${applied} events in ${oursSeconds.toFixed(1)} s (${Math.round(ours)} events/s)`);

    // The rebuilt table: one row per workflow, each in its final state.
    const check = await sql<{ rows: string; archived: string; described: string; renamed: string; at_revision_4: string }>`
      SELECT count(*)::text AS rows,
             count(*) FILTER (WHERE status = 'archived')::text AS archived,
             count(*) FILTER (WHERE description <> '')::text AS described,
             count(*) FILTER (WHERE name LIKE '% v2')::text AS renamed,
             count(*) FILTER (WHERE revision = ${EVENTS_PER_WORKFLOW - 1})::text AS at_revision_4
      FROM workflow_summary`.execute(db);
    const c = check.rows[0];
    const half = WORKFLOWS / 2;
    const expected = { rows: WORKFLOWS, archived: Math.floor(half), described: Math.ceil(half), renamed: WORKFLOWS, at_revision_4: WORKFLOWS };
    const wrong = (Object.keys(expected) as (keyof typeof expected)[]).filter((k) => Number(c[k]) !== expected[k]);
    console.log(
      `check: workflow_summary has ${c.rows} rows (wanted ${WORKFLOWS}); archived ${c.archived}, described ${c.described}, ` +
        `renamed ${c.renamed}, at revision ${EVENTS_PER_WORKFLOW - 1}: ${c.at_revision_4}${wrong.length ? `; WRONG: ${wrong.join(', ')}` : ''}`,
    );
    console.log(resultLine(`rebuild workflow_summary (${TOTAL_EVENTS} events)`, ours, baseline));
    if (wrong.length) throw new Error(`rebuilt workflow_summary is wrong: ${wrong.join(', ')}`);
  });
}

/**
 * `migrateReadModels` does not pass its `schema` to kysely's Migrator (no `migrationTableSchema`), so
 * when ANOTHER schema of the database already holds `kysely_migration` (a concurrent test file, another
 * bench run), kysely believes the table exists, skips creating it here and fails. Work around it here
 * (loudly) by creating kysely's two bookkeeping tables in our schema and retrying.
 */
async function migrateReadModelsHere(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await migrateReadModels(db, schema);
  } catch (error) {
    if (!/relation "kysely_migration(_lock)?" does not exist/.test((error as Error).message ?? '')) throw error;
    console.warn(
      `WARNING: migrateReadModels(db, '${schema}') failed (${(error as Error).message}): it ignores its schema argument and ` +
        `another schema of this database holds kysely_migration. Creating kysely's tables in ${schema} and retrying (bench-only workaround).`,
    );
    await sql`CREATE TABLE IF NOT EXISTS kysely_migration (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)`.execute(db);
    await sql`CREATE TABLE IF NOT EXISTS kysely_migration_lock (id varchar(255) NOT NULL PRIMARY KEY, is_locked integer NOT NULL DEFAULT 0)`.execute(db);
    await migrateReadModels(db, schema);
  }
}

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
