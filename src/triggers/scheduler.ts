import { sql, type Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';
import { tickId, ticksBetween } from './cron-schedule';
import type { FireRequest, FireResult } from './fire';
import { publishedTriggers, triggerKey, type PublishedTrigger } from './live-triggers';
import { parseCronConfig, type CronTriggerConfig } from './trigger-config';

/**
 * The cron scheduler (SPEC C2). Every worker replica runs one; none leads. Each poll it reads the live cron triggers
 * and fires every tick in (checkpoint, now] with execution id = tickId(workflow/trigger, tick). Exactly once per tick
 * comes from the store, not from coordination: the run's stream is appended with expected revision no_stream, so
 * when two replicas (or a restarted one) fire the same tick, one run is recorded and the other is told it exists.
 *
 * The checkpoint (table trigger_checkpoint, shared by all replicas, only ever moved forward) says how far a schedule
 * has been handled. It matters after downtime, for the missed-run policy:
 * - a tick at most `graceMs` old is on time and always fires (a slow poll, a replica restarting);
 * - older ticks are MISSED: `skip` drops them, `{ catchUp: n }` fires the most recent n of them, oldest first.
 * A checkpoint moves past a tick only after that tick fired or was refused for good, so a replica killed mid-way
 * leaves the tick to the next poll (here or elsewhere), where the store answers "already fired" if it had been.
 * A trigger seen for the first time starts at "now": publishing a schedule does not replay its past.
 * While a trigger is disabled its checkpoint follows the clock, so resuming does not fire the paused ticks.
 * LIMIT: a schedule whose expression changed keeps its checkpoint (same trigger id); catch-up then uses the new
 * expression from there.
 */

export const DEFAULT_GRACE_MS = 60_000;
export const DEFAULT_POLL_MS = 250;
/** On-time ticks handled per trigger per poll: bounds one poll's work for a per-second schedule after a stall. */
const MAX_ON_TIME_TICKS = 120;

export interface SchedulerDeps {
  db: Kysely<Database>;
  fire(request: FireRequest): Promise<FireResult>;
  now?: () => Date;
  graceMs?: number;
  pollMs?: number;
  log?: (message: string) => void;
  /** Called for each tick handled (metrics, tests). */
  onTick?: (trigger: PublishedTrigger, tick: Date, result: FireResult) => void;
}

export class CronScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private readonly now: () => Date;
  private readonly graceMs: number;
  private readonly pollMs: number;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.graceMs = deps.graceMs ?? DEFAULT_GRACE_MS;
    this.pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.poll().catch((error) => this.deps.log?.(`scheduler poll failed: ${(error as Error).message}`));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.pollMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every cron trigger at `now`. Public so tests can drive time. */
  async poll(now = this.now()): Promise<void> {
    const triggers = await publishedTriggers(this.deps.db, { kind: 'cron' });
    if (triggers.length === 0) return;
    const checkpoints = await this.loadCheckpoints();
    const paused: PublishedTrigger[] = [];
    for (const live of triggers) {
      const key = triggerKey(live.workflowId, live.trigger.id);
      const checkpoint = checkpoints.get(key);
      if (!checkpoint) {
        await this.advance(live, now, true);
        continue;
      }
      if (!live.enabled) {
        if (checkpoint.getTime() < now.getTime()) paused.push(live);
        continue;
      }
      const parsed = parseCronConfig(live.trigger.config);
      if (!parsed.ok) continue; // refused when added; an older event stream may still hold one
      try {
        await this.fireDue(live, parsed.config, checkpoint, now);
      } catch (error) {
        // Left for the next poll: the checkpoint stayed at the last tick handled.
        this.deps.log?.(`schedule ${key} failed: ${(error as Error).message}`);
      }
    }
    for (const live of paused) await this.advance(live, now);
  }

  private async fireDue(live: PublishedTrigger, config: CronTriggerConfig, checkpoint: Date, now: Date): Promise<void> {
    const graceStart = new Date(now.getTime() - this.graceMs);
    const ticks: Date[] = [];
    // `skipped`: handled without firing (older than the policy keeps); `missedUntil`: handled once the missed fired.
    let skipped = checkpoint;
    let missedUntil = checkpoint;
    if (checkpoint.getTime() < graceStart.getTime()) {
      const cap = config.missedRuns === 'skip' ? 0 : config.missedRuns.catchUp;
      const missed = ticksBetween(config.expression, config.zone, checkpoint, graceStart, cap);
      ticks.push(...missed.ticks);
      skipped = missed.ticks.length === 0 ? graceStart : missed.truncated ? new Date(missed.ticks[0].getTime() - 1) : checkpoint;
      missedUntil = graceStart;
    }
    const onTimeFrom = checkpoint.getTime() > graceStart.getTime() ? checkpoint : graceStart;
    ticks.push(...ticksBetween(config.expression, config.zone, onTimeFrom, now, MAX_ON_TIME_TICKS).ticks);
    if (skipped.getTime() > checkpoint.getTime()) await this.advance(live, skipped);
    const key = triggerKey(live.workflowId, live.trigger.id);
    for (const tick of ticks) {
      const result = await this.deps.fire({
        workflowId: live.workflowId,
        kind: 'cron',
        triggerId: live.trigger.id,
        input: config.input,
        executionId: tickId(key, tick),
      });
      if (result.outcome === 'refused') this.deps.log?.(`schedule ${key} tick ${tick.toISOString()} refused: ${result.error.message}`);
      this.deps.onTick?.(live, tick, result);
      await this.advance(live, tick);
    }
    if (missedUntil.getTime() > checkpoint.getTime()) await this.advance(live, missedUntil);
  }

  private async loadCheckpoints(): Promise<Map<string, Date>> {
    const rows = await this.deps.db.selectFrom('trigger_checkpoint').select(['workflow_id', 'trigger_id', 'last_tick']).execute();
    return new Map(rows.map((r) => [triggerKey(r.workflow_id, r.trigger_id), new Date(r.last_tick)]));
  }

  /** Moves the checkpoint forward only (replicas race; the furthest wins). `firstSight` never moves an existing one. */
  private async advance(live: PublishedTrigger, to: Date, firstSight = false): Promise<void> {
    const at = to.toISOString();
    await this.deps.db
      .insertInto('trigger_checkpoint')
      .values({ workflow_id: live.workflowId, trigger_id: live.trigger.id, last_tick: at, updated_at: new Date().toISOString() })
      .onConflict((oc) =>
        firstSight
          ? oc.columns(['workflow_id', 'trigger_id']).doNothing()
          : oc.columns(['workflow_id', 'trigger_id']).doUpdateSet({
              last_tick: sql`GREATEST(trigger_checkpoint.last_tick, excluded.last_tick)`,
              updated_at: sql`excluded.updated_at`,
            }),
      )
      .execute();
  }
}
