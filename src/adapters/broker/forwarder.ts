import { sql, type Kysely } from 'kysely';
import type { LogPosition } from '@contracts';
import { START_POSITION, categoryOf, formatPosition, parsePosition } from '@contracts';
import type { Database } from '../database/tables';
import type { LeaderLock } from '../database/leader-lock';
import type { EventStore } from '../event-store/event-store.port';
import type { Metrics } from '../metrics/metrics';
import type { Broker } from './broker.port';
import { encodeEventMessage, settledSchedules } from './event-message';

export interface ForwarderOptions {
  name?: string;
  batchSize?: number;
  /** Poll interval when the log is idle (a local append wakes it sooner); default 20 ms. */
  idleMs?: number;
  /** How often a standby replica tries to take the lock. */
  standbyMs?: number;
  log?: (message: string) => void;
}

interface Checkpoint {
  position: LogPosition;
  categoryPositions: Record<string, string>;
}

/** Batches published and not yet confirmed, at most, while the next ones are read and sent. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Reads the global log from its checkpoint and publishes every event to the broker, in log order,
 * then advances the checkpoint. Only the holder of the leader lock publishes. A crash between
 * publishing and saving the checkpoint republishes the batch: delivery is at-least-once.
 *
 * While it runs, batches are pipelined: the next batch is read and published while the broker
 * has yet to confirm the ones before (up to MAX_BATCHES_IN_FLIGHT), and the checkpoint follows the
 * confirms in order. One channel keeps the messages in log order; a failed confirm drops the
 * pipeline and starts again from the last saved checkpoint (republishing is at-least-once anyway).
 */
export class Forwarder {
  private stopped = true;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** When an append of this process last nudged the loop (it may not be readable yet, see run). */
  private nudgedAt = 0;
  /** Nudges so far, and the last one a read that began after it found events for (see idleWait). */
  private nudges = 0;
  private nudgesServed = 0;
  private unsubscribe?: () => void;
  private readonly name: string;
  private readonly batchSize: number;
  /** The checkpoint as last saved by this leader (undefined: read it from the database). */
  private checkpoint?: Checkpoint;
  /** Where the next read starts: ahead of the checkpoint while batches await their confirms. */
  private cursor?: Checkpoint;
  /** Confirms awaited and checkpoints saved in publishing order. */
  private confirmations: Promise<void> = Promise.resolve();
  private batchesInFlight = 0;
  /** A batch's confirm or checkpoint failed: the pipeline starts again from the saved checkpoint. */
  private pipelineFailure?: Error;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: EventStore,
    private readonly broker: Broker,
    private readonly lock: LeaderLock,
    private readonly metrics?: Metrics,
    private readonly options: ForwarderOptions = {},
  ) {
    this.name = options.name ?? 'main';
    this.batchSize = options.batchSize ?? 500;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.store.onAppended(() => {
      this.nudgedAt = Date.now();
      this.nudges++;
      this.wake?.();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await this.confirmations;
    await this.lock.release();
  }

  isLeader(): boolean {
    return this.lock.isHeld();
  }

  /**
   * Publishes one batch if this process leads and waits until it is confirmed and checkpointed;
   * returns how many events went out.
   */
  async forwardBatch(): Promise<number> {
    const sent = await this.sendBatch();
    await this.confirmations;
    await this.recoverFromFailure();
    return sent;
  }

  /** Reads and publishes the next batch; its confirm and checkpoint follow in the background. */
  private async sendBatch(): Promise<number> {
    await this.recoverFromFailure();
    // Only the leader writes the checkpoint, so while it leads its own copy is the truth; a new
    // term (the lock lost and won again) reads it back, since another replica may have moved it.
    if (!this.lock.isHeld()) {
      await this.confirmations;
      this.checkpoint = this.cursor = undefined;
    }
    if (!(await this.lock.tryAcquire())) return 0;
    const cursor = (this.cursor ??= this.checkpoint ??= await this.loadCheckpoint());
    const events = await this.store.readAll({ after: cursor.position, limit: this.batchSize });
    if (events.length === 0) return 0;
    const categoryPositions = { ...cursor.categoryPositions };
    const settled = settledSchedules(events);
    const messages = events.map((event) => {
      const category = categoryOf(event.streamId);
      const prev = parsePosition(categoryPositions[category] ?? '') ?? START_POSITION;
      categoryPositions[category] = formatPosition(event.position);
      return encodeEventMessage(event, prev, settled.has(event));
    });
    const next = { position: events[events.length - 1].position, categoryPositions };
    this.cursor = next;
    const confirmed = this.broker.publish(messages);
    this.batchesInFlight++;
    this.confirmations = this.confirmations
      .then(async () => {
        await confirmed;
        // After a failed batch nothing later may move the checkpoint past it.
        if (this.pipelineFailure) return;
        this.metrics?.brokerMessages.inc({ direction: 'published' }, messages.length);
        if (!this.lock.isHeld()) throw new Error('forwarder lost its leader lock while publishing');
        await this.saveCheckpoint(next);
        this.checkpoint = next;
      })
      .catch((error: Error) => {
        this.pipelineFailure ??= error;
      })
      .finally(() => this.batchesInFlight--);
    confirmed.catch(() => undefined); // observed through the chain above
    if (this.batchesInFlight >= MAX_BATCHES_IN_FLIGHT) await this.confirmations;
    return events.length;
  }

  /**
   * After a failed batch: once the batches behind it have drained (saving nothing), everything
   * after the saved checkpoint is read and sent again, and the failure is thrown to the caller.
   */
  private async recoverFromFailure(): Promise<void> {
    if (!this.pipelineFailure) return;
    await this.confirmations;
    const failure = this.pipelineFailure;
    this.pipelineFailure = undefined;
    this.cursor = this.checkpoint;
    throw failure;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const nudges = this.nudges;
        const forwarded = await this.sendBatch();
        if (forwarded > 0) this.nudgesServed = nudges;
        failures = 0;
        // A short batch means the log is read to its end: the next read would come back empty (under
        // load, every other read did), so wait for the next append's nudge as when nothing was read.
        if (forwarded < this.batchSize) await this.sleep(this.lock.isHeld() ? this.idleWait() : (this.options.standbyMs ?? 1000));
      } catch (error) {
        failures++;
        this.options.log?.(`forwarder: ${(error as Error).message}; retrying`);
        await this.sleep(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  /**
   * How long to wait after a read that reached the end of the log. Just after a local append that
   * no read has found yet, only a moment: the append may be committed but not yet readable (an
   * older transaction elsewhere holds the visibility horizon of DESIGN.md section 6), or may have
   * landed while the last read ran, when no sleep was there to wake. Otherwise the idle poll, which
   * is what notices other processes' appends (a local append wakes it at once). Polling every 2 ms
   * after every nudge, found or not, cost 17 reads of the log per run at 20 runs/s.
   */
  private idleWait(): number {
    const unserved = this.nudges > this.nudgesServed;
    return unserved && Date.now() - this.nudgedAt < 250 ? 2 : (this.options.idleMs ?? 20);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async loadCheckpoint(): Promise<Checkpoint> {
    const row = await this.db
      .selectFrom('forwarder_checkpoint')
      .select(['transaction_id', 'global_position', 'category_positions'])
      .where('name', '=', this.name)
      .executeTakeFirst();
    if (!row) return { position: START_POSITION, categoryPositions: {} };
    return {
      position: { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) },
      categoryPositions: row.category_positions ?? {},
    };
  }

  private async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const values = {
      name: this.name,
      transaction_id: checkpoint.position.transactionId.toString(),
      global_position: checkpoint.position.globalPosition.toString(),
      category_positions: JSON.stringify(checkpoint.categoryPositions),
      updated_at: new Date().toISOString(),
    };
    await this.db
      .insertInto('forwarder_checkpoint')
      .values({ ...values, category_positions: sql<string>`${values.category_positions}::jsonb` })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          transaction_id: values.transaction_id,
          global_position: values.global_position,
          category_positions: sql`${values.category_positions}::jsonb`,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }
}
