import { sql, type Kysely, type Transaction } from 'kysely';
import type { LogPosition, RecordedEvent } from '@contracts';
import { START_POSITION, categoryOf, comparePositions } from '@contracts';
import type { Database } from '../src/adapters/database/tables';
import type { EventStore } from '../src/adapters/event-store/event-store.port';
import type { Broker, Consumer, IncomingMessage } from '../src/adapters/broker/broker.port';
import { decodeEventMessage, type EventMessage } from '../src/adapters/broker/event-message';
import type { Metrics } from '../src/adapters/metrics/metrics';
import { projectionQueueName, type Projector } from './projector';
import { RETIRED_PROJECTION_QUEUES } from './retired-queues';
import type { ReadModelChanges } from './read-model-changes';

const CATCH_UP_BATCH = 2000;

export interface RebuildProgress {
  projection: string;
  applied: number;
  /** Events in the whole log (an estimate; -1 when the store cannot tell). */
  total: number;
  eventsPerSecond: number;
}

/**
 * Runs projectors: each binds its queue (its own, or one it shares), catches up from the store,
 * then stays live. Applying an event and advancing the checkpoint happen in ONE transaction, and
 * an event at or before the checkpoint is skipped, so a message delivered twice changes nothing.
 * A message whose `prev` is not the checkpoint reveals a gap (lost or reordered delivery): the
 * projector catches up from the store.
 */
export class ProjectionRunner {
  private readonly consumers: Consumer[] = [];
  private running = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: EventStore,
    private readonly broker: Broker,
    readonly projectors: readonly Projector[],
    private readonly metrics?: Metrics,
    private readonly log: (message: string) => void = () => undefined,
    private readonly changes?: ReadModelChanges,
  ) {}

  /**
   * Binds each queue FIRST, then catches up from the store: an event published before the queue
   * existed would otherwise reach nobody, and nothing would reveal the gap until the next event
   * of that category. Messages arriving during the catch-up are duplicates (skipped) or next in
   * line (the checkpoint lock orders them). Projectors that name one queue share it.
   */
  async start(): Promise<void> {
    if (!this.running) this.changes?.runnerRunning(true);
    this.running = true;
    await this.broker.deleteQueues(RETIRED_PROJECTION_QUEUES);
    const byQueue = new Map<string, Projector[]>();
    for (const projector of this.projectors) {
      const queue = projectionQueueName(projector);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), projector]);
    }
    for (const [queue, projectors] of byQueue) {
      const consumer = await this.broker.consumeBatches(
        {
          name: queue,
          bindings: [...new Set(projectors.flatMap((p) => p.categories.map((c) => `${c}.#`)))],
          prefetch: 200,
          deliveryLimit: 10,
          singleActiveConsumer: true,
        },
        (messages) => this.onMessages(projectors, messages),
      );
      this.consumers.push(consumer);
      for (const projector of projectors) await this.catchUp(projector);
    }
  }

  async stop(): Promise<void> {
    if (this.running) this.changes?.runnerRunning(false);
    this.running = false;
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.cancel()));
  }

  async onMessage(projector: Projector, message: IncomingMessage): Promise<void> {
    await this.onMessages([projector], [message]);
  }

  /**
   * Applies the messages that arrived together, in ONE transaction for all the projectors of the
   * queue: for each of them and each category, the run of events that continues its checkpoint,
   * and the checkpoint with it (one commit per batch, not per event or per projector); duplicates
   * are skipped; a `prev` that is not the position before reveals a gap, and that projector
   * catches up from the store once the transaction has committed.
   */
  async onMessages(group: readonly Projector[], messages: readonly IncomingMessage[]): Promise<void> {
    this.metrics?.brokerMessages.inc({ direction: 'consumed' }, messages.length);
    const byCategory = new Map<string, EventMessage[]>();
    for (const message of messages) {
      const decoded = decodeEventMessage(message);
      const category = categoryOf(decoded.event.streamId);
      const received = byCategory.get(category);
      if (received) received.push(decoded);
      else byCategory.set(category, [decoded]);
    }
    const categories = [...byCategory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // one lock order for every writer
    const work = group.flatMap((projector) => categories.filter(([category]) => projector.categories.includes(category)).map(([category, received]) => ({ projector, category, received })));
    if (work.length === 0) return;
    const ended = this.changing(work.flatMap(({ received }) => received.map((m) => m.event)));
    const gaps = await this.db.transaction().execute(async (trx) => {
      const checkpoints = await lockCheckpoints(trx, work.map(({ projector, category }) => ({ projection: projector.name, category })));
      const found: { projector: Projector; category: string }[] = [];
      const advanced: CheckpointAdvance[] = [];
      for (const [index, { projector, category, received }] of work.entries()) {
        const { run, gap } = continuation(received, checkpoints[index]);
        if (run.length > 0) {
          await this.applyAll(trx, projector, run);
          advanced.push({ projection: projector.name, category, position: run[run.length - 1].position, applied: run.length });
        }
        if (gap) found.push({ projector, category });
      }
      await saveCheckpoints(trx, advanced);
      return found;
    }).finally(ended);
    for (const projector of new Set(gaps.map((g) => g.projector))) {
      this.log(`projection ${projector.name}: gap in ${gaps.filter((g) => g.projector === projector).map((g) => g.category).join(', ')}; catching up from the store`);
      await this.catchUp(projector);
    }
  }

  /** Tells this process's read-model caches which streams a transaction will apply events of; answers what to call when it has ended. */
  private changing(events: readonly Pick<RecordedEvent, 'streamId'>[]): () => void {
    if (!this.changes?.listened || events.length === 0) return () => undefined;
    return this.changes.changing(new Set(events.map((e) => e.streamId)));
  }

  /** Applies everything in the store after the checkpoint. Returns the number of events applied. */
  async catchUp(projector: Projector, onProgress?: (applied: number) => void): Promise<number> {
    let applied = 0;
    for (const category of projector.categories) {
      for (;;) {
        const from = await readCheckpoint(this.db, projector.name, category);
        const events = await this.store.readAll({ after: from, limit: CATCH_UP_BATCH, categories: [category] });
        if (events.length === 0) break;
        const ended = this.changing(events);
        const fresh = await this.db.transaction().execute(async (trx) => {
          const [checkpoint] = await lockCheckpoints(trx, [{ projection: projector.name, category }]);
          const fresh = events.filter((e) => comparePositions(e.position, checkpoint) > 0);
          if (fresh.length === 0) return [];
          await this.applyAll(trx, projector, fresh);
          await saveCheckpoints(trx, [{ projection: projector.name, category, position: fresh[fresh.length - 1].position, applied: fresh.length }]);
          return fresh;
        }).finally(ended);
        applied += fresh.length;
        onProgress?.(applied);
      }
    }
    return applied;
  }

  /** Empties the projector's tables and checkpoints, then replays the whole log into them. */
  async rebuild(projector: Projector, onProgress?: (p: RebuildProgress) => void): Promise<number> {
    const total = await this.store.estimateCount();
    const started = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const table of projector.tables) await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
      await trx.deleteFrom('projection_checkpoint').where('projection', '=', projector.name).execute();
    });
    const report = (applied: number) =>
      onProgress?.({
        projection: projector.name,
        applied,
        total,
        eventsPerSecond: Math.round(applied / Math.max((Date.now() - started) / 1000, 0.001)),
      });
    const applied = await this.catchUp(projector, report);
    report(applied);
    return applied;
  }

  private async applyAll(trx: Transaction<Database>, projector: Projector, events: readonly RecordedEvent[]): Promise<void> {
    await projector.apply(trx, events);
    const last = events[events.length - 1];
    this.metrics?.projectionEvents.inc({ projection: projector.name }, events.length);
    this.metrics?.projectionLag.set({ projection: projector.name }, Math.max(0, (Date.now() - Date.parse(last.recordedAt)) / 1000));
  }
}

/** The received events that continue `checkpoint` in order: duplicates skipped, up to a missing one (a gap). */
function continuation(received: readonly EventMessage[], checkpoint: LogPosition): { run: RecordedEvent[]; gap: boolean } {
  let expected = checkpoint;
  const run: RecordedEvent[] = [];
  for (const { event, prev } of received) {
    if (comparePositions(event.position, expected) <= 0) continue;
    if (comparePositions(prev, expected) !== 0) return { run, gap: true };
    run.push(event);
    expected = event.position;
  }
  return { run, gap: false };
}

async function readCheckpoint(db: Kysely<Database>, projection: string, category: string): Promise<LogPosition> {
  const row = await db
    .selectFrom('projection_checkpoint')
    .select(['transaction_id', 'global_position'])
    .where('projection', '=', projection)
    .where('category', '=', category)
    .executeTakeFirst();
  return row ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } : START_POSITION;
}

/**
 * Locks (creating when needed) the checkpoint rows, serialising every writer of these projections, and answers their
 * positions in the order asked. One statement for all the projectors of a queue, since each statement is a round
 * trip: the no-op update of an existing row locks it as SELECT ... FOR UPDATE would. Rows are locked in key order,
 * the one order every writer uses.
 */
async function lockCheckpoints(trx: Transaction<Database>, keys: readonly { projection: string; category: string }[]): Promise<LogPosition[]> {
  if (keys.length === 0) return [];
  const keyOf = (projection: string, category: string) => `${projection}\u0000${category}`;
  // Each key once (a second row for the same key would make ON CONFLICT fail), in key order.
  const unique = new Map(keys.map((k) => [keyOf(k.projection, k.category), k]));
  const ordered = [...unique.keys()].sort().map((key) => unique.get(key)!);
  const rows = await trx
    .insertInto('projection_checkpoint')
    .values(ordered.map(({ projection, category }) => ({ projection, category, transaction_id: '0', global_position: '0', events_applied: 0 })))
    .onConflict((oc) => oc.columns(['projection', 'category']).doUpdateSet({ projection: (eb) => eb.ref('excluded.projection') }))
    .returning(['projection', 'category', 'transaction_id', 'global_position'])
    .execute();
  const positions = new Map(rows.map((r) => [keyOf(r.projection, r.category), { transactionId: BigInt(r.transaction_id), globalPosition: BigInt(r.global_position) }]));
  return keys.map(({ projection, category }) => positions.get(keyOf(projection, category))!);
}

interface CheckpointAdvance {
  projection: string;
  category: string;
  position: LogPosition;
  applied: number;
}

/** Moves checkpoints (locked by lockCheckpoints in this transaction) forward, all in one statement. */
async function saveCheckpoints(trx: Transaction<Database>, advances: readonly CheckpointAdvance[]): Promise<void> {
  if (advances.length === 0) return;
  const values = advances.map(
    (a) => sql`(${a.projection}::text, ${a.category}::text, ${a.position.transactionId.toString()}::bigint, ${a.position.globalPosition.toString()}::bigint, ${a.applied}::bigint)`,
  );
  await sql`
    UPDATE projection_checkpoint AS c
    SET transaction_id = v.transaction_id, global_position = v.global_position, events_applied = c.events_applied + v.applied, updated_at = ${new Date().toISOString()}
    FROM (VALUES ${sql.join(values)}) AS v(projection, category, transaction_id, global_position, applied)
    WHERE c.projection = v.projection AND c.category = v.category`.execute(trx);
}

/** True once the projection has applied everything up to `position` in that category. */
export async function projectionHasReached(
  db: Kysely<Database>,
  projection: string,
  category: string,
  position: LogPosition,
): Promise<boolean> {
  return comparePositions(await readCheckpoint(db, projection, category), position) >= 0;
}
