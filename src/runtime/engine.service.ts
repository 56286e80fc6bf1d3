import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import type { ExecutionCommand, ExecutionEvent, RecordedEvent, StepScheduledData, WaitStep } from '@contracts';
import { executionStream } from '@contracts';
import type { Consumer } from '../adapters/broker/broker.port';
import { decodeEventMessage } from '../adapters/broker/event-message';
import { createLeaderLock } from '../adapters/database/leader-lock';
import { Commands } from '../commands/dispatch';
import { deterministicId, loadState, type CommandOptions } from '../commands/handle-command';
import { DomainError } from '../domain/decider';
import { executionDecider } from '../domain/execution/execution.decider';
import type { EngineServices } from '../engine/executor';
import { executorRegistry } from '../engine/executors';
import { OutputStore } from '../engine/output-store';
import { PURE_ACTIONS, StepRunner } from '../engine/step-runner';
import { TimerService } from '../engine/timer-service';
import type { Infrastructure } from '../infrastructure';
import { engineMetadata, engineServices } from './engine-services';
import { INFRASTRUCTURE } from './tokens';

/** The engine's queues (under the broker namespace): the steps work queue and the lifecycle consumer's. */
export const ENGINE_QUEUES = ['steps', 'engine.lifecycle'] as const;

/** Deliveries of one step message before it is dead-lettered (its timeout timer still ends the attempt). */
const STEP_DELIVERY_LIMIT = 20;
/** How long a finished child waits for its parent step to record that it waits for it. */
const PARENT_WAIT_TRIES = 25;

/**
 * The engine in this process (DESIGN.md section 4, step 6): a competing consumer of the steps
 * work queue (`bluebird.steps`), the durable timer service (one active replica), and the
 * lifecycle consumer that reports finished child runs to their parents and counts outcomes.
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Engine');
  private readonly shutdown = new AbortController();
  private readonly consumers: Consumer[] = [];
  readonly services: EngineServices;
  readonly runner: StepRunner;
  readonly timers: TimerService;
  private readonly workerId = `${hostname()}:${process.pid}`;
  private readonly localTimers = new Set<NodeJS.Timeout>();
  private stopWatchingCommands?: () => void;

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    private readonly commands: Commands,
  ) {
    this.services = engineServices(infra, commands);
    this.runner = new StepRunner({
      store: infra.store,
      services: this.services,
      registry: executorRegistry,
      outputs: new OutputStore(infra.database.db),
      report: async (command, { commandKey, workspaceId, correlationId }) => {
        // The runner has just loaded the run's state: decide on it without reading again.
        await this.sendExecution(command, deterministicId(commandKey, 0), workspaceId, correlationId, { decideOnCache: true });
        if (command.type === 'WaitStep') this.armLocally(command.data as WaitStep['data'], workspaceId);
      },
      workerId: this.workerId,
      shutdown: this.shutdown.signal,
      observeStep: (action, outcome, seconds) => infra.metrics.stepDuration.observe({ action, outcome }, seconds),
    });
    this.timers = new TimerService({
      db: infra.database.db,
      leader: createLeaderLock(infra.database, 'bluebird-timers'),
      fire: async (timer, key) => {
        const data = timer.command.type === 'TimeOutStep' ? { ...timer.command.data, random: Math.random() } : timer.command.data;
        // A run's workspace never changes: any state of it will do.
        const workspaceId = (await loadState(infra.store, executionDecider, executionStream(timer.executionId), { atLeast: 0n })).state.workspaceId;
        await this.sendExecution({ type: timer.command.type, data } as ExecutionCommand, deterministicId(key, 0), workspaceId, key);
      },
      onFired: (kind) => infra.metrics.timersFired.inc({ kind }),
      log: (m) => this.logger.warn(m),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { broker, config } = this.infra;
    // Whoever appended them here (a worker's report, a start through the API in this process, a timer).
    this.stopWatchingCommands = this.commands.onStored((aggregate, command, result) => {
      if (aggregate === 'execution') this.runPureStepsNow(result.events, command.metadata.correlationId, result.revision);
    });
    this.consumers.push(
      await broker.consume(
        { name: ENGINE_QUEUES[0], bindings: ['execution.StepScheduled'], prefetch: config.engineConcurrency, deliveryLimit: STEP_DELIVERY_LIMIT },
        async (message) => {
          const { event } = decodeEventMessage(message);
          await this.runner.run(event.data as StepScheduledData, event.metadata.correlationId, event.revision, { redelivered: message.redelivered });
        },
      ),
      await broker.consume(
        {
          name: ENGINE_QUEUES[1],
          bindings: ['execution.ExecutionSucceeded', 'execution.ExecutionFailed', 'execution.ExecutionCancelled'],
          prefetch: 50,
          deliveryLimit: STEP_DELIVERY_LIMIT,
        },
        async (message) => this.onExecutionEnded(decodeEventMessage(message).event),
      ),
    );
    this.timers.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopWatchingCommands?.();
    this.shutdown.abort();
    for (const timer of this.localTimers) clearTimeout(timer);
    await Promise.all(this.consumers.map((c) => c.cancel().catch(() => undefined)));
    await this.timers.stop();
  }

  /**
   * A pure step the command's own append left scheduled (its follow-up was refused, or the chain
   * ran out) runs at once here instead of after a trip through the forwarder and the queue. If its
   * queue message wins the race, the same deterministic evaluation runs twice and the second report
   * is refused.
   */
  private runPureStepsNow(events: readonly { type: string; data: unknown }[], correlationId: string, revision: bigint): void {
    // Started or already closed in the same append (an outcome carries its start): nothing left to run.
    const started = new Set(events.filter((e) => e.type !== 'StepScheduled').map((e) => (e.data as { scheduledId?: string }).scheduledId));
    for (const event of events) {
      if (event.type !== 'StepScheduled' || this.shutdown.signal.aborted) continue;
      const data = event.data as StepScheduledData;
      if (!PURE_ACTIONS.has(data.actionType ?? '') || started.has(data.scheduledId)) continue;
      setImmediate(() => {
        this.runner.run(data, correlationId, revision).catch(() => undefined); // the queue copy is the fallback
      });
    }
  }

  /**
   * A delay this worker just set also gets an in-memory timer, so it fires on time instead of after
   * the timer read model has caught up and the next poll. It sends the very command the durable
   * timer would (same id), so whichever comes second changes nothing; a crash leaves the durable one.
   */
  private armLocally(data: WaitStep['data'], workspaceId: string): void {
    if (data.wait.kind !== 'timer' || this.shutdown.signal.aborted) return;
    const { timerId, fireAt } = data.wait;
    const key = `timer:delay:${timerId}@${new Date(fireAt).toISOString()}`;
    const timer = setTimeout(() => {
      this.localTimers.delete(timer);
      const command = { type: 'FireTimer' as const, data: { executionId: data.executionId, stepId: data.stepId, timerId } };
      this.sendExecution(command, deterministicId(key, 0), workspaceId, key).catch(() => undefined);
    }, Math.max(0, Date.parse(fireAt) - Date.now()));
    timer.unref();
    this.localTimers.add(timer);
  }

  private async sendExecution(command: Pick<ExecutionCommand, 'type' | 'data'>, commandId: string, workspaceId: string, correlationId: string, options: CommandOptions = {}) {
    return this.commands.send('execution', { ...command, metadata: engineMetadata(commandId, workspaceId, correlationId) } as ExecutionCommand, options);
  }

  /** A run ended: count it, tell a waiting parent, and cancel the children of a cancelled run. */
  private async onExecutionEnded(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & ExecutionEvent;
    // The run has ended at this event: a state at least that far on is final (the cache may have it).
    const { state } = await loadState(this.infra.store, executionDecider, executionStream(event.data.executionId), { atLeast: recorded.revision });
    // At-least-once delivery may count a run twice after a crash; the read model is the exact count.
    const ended = event.type === 'ExecutionSucceeded' ? 'succeeded' : event.type === 'ExecutionFailed' ? 'failed' : 'cancelled';
    this.infra.metrics.executions.inc({ status: ended });
    if (state.startedAt) this.infra.metrics.executionDuration.observe((Date.parse(recorded.metadata.occurredAt) - Date.parse(state.startedAt)) / 1000);
    if (state.parent && state.status !== 'running' && state.status !== 'paused') {
      const status = state.status === 'succeeded' ? 'succeeded' : state.status === 'failed' ? 'failed' : 'cancelled';
      const output = event.type === 'ExecutionSucceeded' ? (event.data.output ?? {}) : undefined;
      const error = event.type === 'ExecutionFailed' ? event.data.error : undefined;
      const command = {
        type: 'FinishChild' as const,
        data: { executionId: state.parent.executionId, stepId: state.parent.stepId, childExecutionId: state.executionId, status, ...(output ? { output } : {}), ...(error ? { error } : {}), random: Math.random() },
      };
      for (let tries = 0; ; tries++) {
        try {
          await this.sendExecution(command, deterministicId(`finish-child:${recorded.metadata.eventId}`, 0), state.workspaceId, recorded.metadata.correlationId);
          break;
        } catch (error) {
          // The parent may not have recorded its wait yet (the child was quick): give it a moment.
          if (!(error instanceof DomainError) || error.code !== 'stale-child' || tries >= PARENT_WAIT_TRIES) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    if (event.type === 'ExecutionCancelled') {
      for (const run of Object.values(state.steps)) {
        if (run.status !== 'waiting' || run.wait?.kind !== 'child') continue;
        const child = run.wait.childExecutionId;
        await this.sendExecution({ type: 'CancelExecution', data: { executionId: child, reason: 'The parent execution was cancelled' } }, deterministicId(`cancel-child:${child}`, 0), state.workspaceId, recorded.metadata.correlationId).catch(
          (error) => {
            if (!(error instanceof DomainError)) throw error;
          },
        );
      }
    }
  }
}
