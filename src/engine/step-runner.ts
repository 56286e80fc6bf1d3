import { setMaxListeners } from 'node:events';
import type { ExecutionCommand, StepScheduledData, StepWait } from '@contracts';
import { findAction } from '@contracts';
import type { EventStore } from '../adapters/event-store/event-store.port';
import { loadState } from '../commands/handle-command';
import { DomainError } from '../domain/decider';
import { executionDecider, type ExecutionState } from '../domain/execution/execution.decider';
import { enclosingLoops } from '../domain/workflow/loops';
import { executionStream } from '@contracts';
import type { EngineServices, ExecutorRegistry, StepContext, StepOutcome } from './executor';
import { buildScope, evaluate, resolveConfig, type ExpressionScope } from './expressions';
import type { OutputStore } from './output-store';
import { StepFailure } from './step-failure';

export interface StepRunnerDeps {
  store: EventStore;
  services: EngineServices;
  registry: ExecutorRegistry;
  outputs: OutputStore;
  /** Records a worker's report on the execution stream (the one command path). */
  report(command: Pick<ExecutionCommand, 'type' | 'data'>, context: { commandKey: string; workspaceId: string; correlationId: string }): Promise<void>;
  workerId: string;
  /** Aborts every running attempt when the worker shuts down (the message goes back to the queue). */
  shutdown: AbortSignal;
  observeStep?(actionType: string, outcome: 'succeeded' | 'failed' | 'waiting', seconds: number): void;
}

export type RunResult = 'ran' | 'stale' | 'paused';

/**
 * Action types whose attempt only evaluates expressions: no side effect, so running one on a
 * cached state that turns out stale costs nothing (its report is refused), and one may run eagerly.
 */
export const PURE_ACTIONS: ReadonlySet<string> = new Set(['transform', 'condition']);

/**
 * Runs one scheduled step attempt (DESIGN.md section 4, step 6): checks the attempt is still the
 * live one, renders the step's templates against the run's data, calls the executor with the
 * step's timeout, and records what happened as one command (the StepStarted goes with it, so an
 * attempt costs one append). A worker killed anywhere in here leaves the message unacknowledged:
 * it is delivered again and the attempt runs again with the same idempotency key (SPEC B9).
 */
export class StepRunner {
  constructor(private readonly deps: StepRunnerDeps) {
    // Each attempt in flight listens for the shutdown: as many as the engine runs at once, not a leak to warn of.
    setMaxListeners(0, deps.shutdown);
  }

  /**
   * `scheduledAt`: the revision of the StepScheduled event. The attempt runs on this process's
   * cached state when that has got so far (as it has in the process that scheduled the step), with
   * one exception: a step with a side effect whose message was delivered before reads the stream
   * first, since the earlier delivery may have run the attempt in a process whose appends this cache
   * has not seen. Whatever a stale cache lets through is refused when reported (the append expects
   * the cached revision), and its side effect carries the attempt's idempotency key.
   */
  async run(scheduled: StepScheduledData, correlationId: string, scheduledAt?: bigint, delivery: { redelivered?: boolean } = {}): Promise<RunResult> {
    const mayUseCache = scheduledAt !== undefined && (PURE_ACTIONS.has(scheduled.actionType ?? '') || !delivery.redelivered);
    const cached = mayUseCache ? { atLeast: scheduledAt } : {};
    const { state } = await loadState(this.deps.store, executionDecider, executionStream(scheduled.executionId), cached);
    const live = liveness(state, scheduled);
    if (live !== 'live') return live;
    const { command, failure } = await this.attempt(state, scheduled);
    if (failure !== undefined && this.deps.shutdown.aborted) throw failure; // hand the message back; another worker runs it
    await this.report(command, { commandKey: reportKey(scheduled), workspaceId: state.workspaceId, correlationId });
    return 'ran';
  }

  /**
   * Runs the attempt on `state` (where it is live) and answers the command that records its
   * outcome: CompleteStep, WaitStep or FailStep (the StepStarted goes with it). Records nothing:
   * `run` reports it, and the engine appends a pure step's with the command that scheduled it.
   */
  async attempt(state: ExecutionState, scheduled: StepScheduledData): Promise<{ command: Pick<ExecutionCommand, 'type' | 'data'>; failure?: unknown }> {
    const { executionId, stepId, attempt, scheduledId, timeoutMs } = scheduled;
    const step = state.definition.steps.find((s) => s.id === stepId)!;
    const action = findAction(step.type);
    const startedAt = this.deps.services.now().toISOString();
    const started = performance.now();
    const attemptRef = { executionId, stepId, attempt, scheduledId, startedAt, workerId: this.deps.workerId };
    const failed = (error: unknown, prefix = '', retryable?: boolean) => {
      const failure = asFailure(error);
      const data = { ...attemptRef, error: { kind: failure.kind, message: prefix + failure.message, retryable: retryable ?? failure.retryable }, random: Math.random() };
      return { command: { type: 'FailStep' as const, data }, failure: error };
    };

    let outcome: StepOutcome;
    let scope: ExpressionScope | undefined;
    try {
      if (!action) throw new StepFailure('InvalidConfig', `Unknown action type ${step.type}`, { retryable: false });
      scope = await this.scopeOf(state, stepId);
      const config = await resolveConfig(action.type, (scheduled.input ?? step.config) as Record<string, unknown>, scope);
      outcome = await this.withTimeout(timeoutMs, (signal) =>
        this.deps.registry[action.type].execute(this.contextFor(state, scheduled, config, scope!, signal)),
      );
    } catch (error) {
      this.deps.observeStep?.(step.type, 'failed', (performance.now() - started) / 1000);
      return failed(error);
    }

    if ('wait' in outcome) {
      this.deps.observeStep?.(step.type, 'waiting', (performance.now() - started) / 1000);
      return { command: { type: 'WaitStep', data: { ...attemptRef, wait: outcome.wait as StepWait } } };
    }
    let edgeConditions: Record<string, boolean> | undefined;
    try {
      edgeConditions = await this.edgeConditionsAfter(state, stepId, outcome.output, scope!);
    } catch (error) {
      return failed(error, 'Edge condition: ', false);
    }
    // A loop's items stay in the event: the decider goes through them.
    const output = action!.type === 'loop' ? outcome.output : await this.deps.outputs.keep(outcome.output);
    this.deps.observeStep?.(step.type, 'succeeded', (performance.now() - started) / 1000);
    return { command: { type: 'CompleteStep', data: { ...attemptRef, output, ...(edgeConditions ? { edgeConditions } : {}) } } };
  }

  /**
   * What the step's expressions read: input, variables (declared defaults under the input),
   * earlier outputs, and inside a loop its current item and index (as `item`/`index` and under
   * the names the loop step gives them).
   */
  async scopeOf(state: ExecutionState, stepId?: string): Promise<ExpressionScope> {
    const defaults = Object.fromEntries(state.definition.variables.filter((v) => v.default !== undefined).map((v) => [v.name, v.default]));
    const steps: Record<string, unknown> = {};
    for (const [id, run] of Object.entries(state.steps)) {
      // `steps.<id>.output.<field>`, as the catalogue's examples write it.
      if (run.status === 'succeeded') steps[id] = { output: await this.deps.outputs.resolve(run.output) };
    }
    const loopVars: Record<string, unknown> = {};
    for (const { loopId } of stepId ? enclosingLoops(state.definition, stepId) : []) {
      const loop = state.steps[loopId]?.loop;
      const config = state.definition.steps.find((s) => s.id === loopId)?.config ?? {};
      if (!loop) continue;
      loopVars[String(config.itemVariable ?? 'item')] = loop.items[loop.index] ?? null;
      loopVars[String(config.indexVariable ?? 'index')] = loop.index;
    }
    const scope = buildScope({
      input: state.input,
      vars: { ...defaults, ...state.input },
      steps,
      execution: { id: state.executionId, workflowId: state.workflowId, version: state.version, startedAt: state.startedAt },
    });
    return { ...loopVars, ...scope, ...('item' in loopVars ? { item: loopVars.item } : {}), ...('index' in loopVars ? { index: loopVars.index } : {}) } as ExpressionScope;
  }

  private contextFor(state: ExecutionState, scheduled: StepScheduledData, config: Record<string, unknown>, scope: ExpressionScope, signal: AbortSignal): StepContext {
    return {
      executionId: state.executionId,
      workflowId: state.workflowId,
      workspaceId: state.workspaceId,
      stepId: scheduled.stepId,
      attempt: scheduled.attempt,
      scheduledId: scheduled.scheduledId,
      // Inside a loop each item's side effect is its own: the key names the iteration.
      idempotencyKey: `${state.executionId}:${scheduled.stepId}${scheduled.iteration !== undefined ? `#${scheduled.iteration}` : ''}`,
      config,
      scope,
      evaluate: (expression, extra = {}) => evaluate(expression, { ...scope, ...extra }),
      signal,
      startedBy: state.trigger?.userId,
      ancestry: [...(state.parent?.ancestry ?? []), state.workflowId],
      services: this.deps.services,
    };
  }

  /** The results of the JSONata conditions on the step's outgoing edges, with its output in `steps`. */
  private async edgeConditionsAfter(state: ExecutionState, stepId: string, output: unknown, scope: ExpressionScope): Promise<Record<string, boolean> | undefined> {
    const conditional = state.definition.edges.filter((e) => e.from === stepId && e.condition && e.condition.trim() !== '');
    if (conditional.length === 0) return undefined;
    const withOutput = { ...scope, steps: { ...scope.steps, [stepId]: { output } }, output };
    const results: Record<string, boolean> = {};
    for (const edge of conditional) results[edge.id] = (await evaluate(edge.condition!, withOutput)) === true;
    return results;
  }

  /**
   * Runs the executor under the step's timeout: the signal aborts at the deadline, and an
   * executor that ignores it is abandoned there (its late result is never recorded).
   */
  private async withTimeout<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onShutdown = () => controller.abort(new StepFailure('WorkerShutdown', 'The worker is shutting down'));
    this.deps.shutdown.addEventListener('abort', onShutdown, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const failure = new StepFailure('Timeout', `Timed out after ${timeoutMs} ms`);
        controller.abort(failure);
        reject(failure);
      }, timeoutMs);
    });
    try {
      return await Promise.race([work(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
      this.deps.shutdown.removeEventListener('abort', onShutdown);
    }
  }

  /** A report refused because the attempt is no longer live (a duplicate, cancelled run) changes nothing. */
  private async report(command: Pick<ExecutionCommand, 'type' | 'data'>, context: { commandKey: string; workspaceId: string; correlationId: string }): Promise<void> {
    try {
      await this.deps.report(command, context);
    } catch (error) {
      if (error instanceof DomainError && (error.kind === 'conflict' || error.kind === 'not_found')) return;
      throw error;
    }
  }
}

/**
 * The key of the command that reports an attempt's outcome (its id derives from it): the same
 * whether a worker reports it or the engine decides it as a follow-up, so it is recorded once.
 */
export const reportKey = (scheduled: Pick<StepScheduledData, 'scheduledId'>): string => `report:${scheduled.scheduledId}`;

/** Whether the attempt is the step's live one in `state`: else it is dropped ('stale') or waits for a resume ('paused'). */
export function liveness(state: ExecutionState, scheduled: Pick<StepScheduledData, 'stepId' | 'scheduledId'>): 'live' | RunResult {
  const run = state.steps[scheduled.stepId];
  if (!run || run.scheduledId !== scheduled.scheduledId || run.status !== 'scheduled') return 'stale';
  if (state.status === 'paused') return 'paused';
  return state.status === 'running' ? 'live' : 'stale';
}

function asFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof DomainError) return new StepFailure('InvalidConfig', error.message, { retryable: false });
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return new StepFailure('Timeout', message);
  return new StepFailure('Error', message);
}
