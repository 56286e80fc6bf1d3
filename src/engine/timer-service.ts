import type { Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';
import type { LeaderLock } from '../adapters/database/leader-lock';
import { DomainError } from '../domain/decider';

export interface DueTimer {
  timerKey: string;
  executionId: string;
  kind: string;
  dueAt: Date;
  command: { type: string; data: Record<string, unknown> };
}

export interface TimerServiceOptions {
  db: Kysely<Database>;
  leader: LeaderLock;
  /** Sends a timer's command; its events remove the timer from `execution_timer` (a projection). */
  fire(timer: DueTimer, commandId: string): Promise<void>;
  pollMs?: number;
  onFired?(kind: string): void;
  log?(message: string): void;
}

/** A timer just fired is not fired again for this long while its projection catches up. */
const REFIRE_AFTER_MS = 5_000;
/** A timer whose command was refused for a passing reason (a paused run) is tried again after this. */
const RETRY_REFUSED_AFTER_MS = 1_000;

/**
 * Durable timers (step timeouts, retry back-offs, delays, approval deadlines, execution timeouts):
 * rows of the `execution_timer` read model, fired by the one replica that holds the timer lock.
 * Firing sends a command with an id derived from the timer and its due time, so a timer fired
 * twice (a leader change, a slow projection) is recorded once; a refused command (the step
 * finished meanwhile) changes nothing.
 */
export class TimerService {
  private stopped = true;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  /** timer key + due time -> when it may be tried again. */
  private readonly holdUntil = new Map<string, number>();

  constructor(private readonly options: TimerServiceOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    await this.options.leader.release();
  }

  /** Checks for due timers now (a timer that is due soon was just added). */
  nudge(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 50;
    while (!this.stopped) {
      try {
        if (await this.options.leader.tryAcquire()) await this.fireDue();
      } catch (error) {
        this.options.log?.(`timer poll failed: ${(error as Error).message}`);
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.leader.isHeld() ? pollMs : pollMs * 20);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async fireDue(): Promise<void> {
    const now = Date.now();
    for (const [key, until] of this.holdUntil) if (until <= now) this.holdUntil.delete(key);
    const rows = await this.options.db
      .selectFrom('execution_timer')
      .selectAll()
      .where('due_at', '<=', new Date(now).toISOString() as never)
      .orderBy('due_at')
      .limit(500)
      .execute();
    const due = rows
      .map((r): DueTimer => ({ timerKey: r.timer_key, executionId: r.execution_id, kind: r.kind, dueAt: new Date(r.due_at), command: r.command }))
      .filter((t) => !this.holdUntil.has(holdKey(t)));
    // Timers of one execution go one after another (they would conflict on its stream); executions in parallel.
    const byExecution = new Map<string, DueTimer[]>();
    for (const t of due) byExecution.set(t.executionId, [...(byExecution.get(t.executionId) ?? []), t]);
    await Promise.all(
      [...byExecution.values()].map(async (timers) => {
        for (const timer of timers) await this.fireOne(timer);
      }),
    );
  }

  private async fireOne(timer: DueTimer): Promise<void> {
    const key = holdKey(timer);
    this.holdUntil.set(key, Date.now() + REFIRE_AFTER_MS);
    try {
      await this.options.fire(timer, key);
      this.options.onFired?.(timer.kind);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'execution-paused') {
        this.holdUntil.set(key, Date.now() + RETRY_REFUSED_AFTER_MS);
      } else if (!(error instanceof DomainError)) {
        this.holdUntil.set(key, Date.now() + RETRY_REFUSED_AFTER_MS);
        this.options.log?.(`timer ${timer.timerKey} failed: ${(error as Error).message}`);
      }
      // Any other refusal: the timer is stale; its row goes when the projection catches up.
    }
  }
}

const holdKey = (timer: DueTimer): string => `timer:${timer.timerKey}@${timer.dueAt.toISOString()}`;
