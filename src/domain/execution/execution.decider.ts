import type { ErrorStrategy, EventEnvelope, ExecutionCommand, FailureHandling, StartedWithOutcome, StepError, StepScheduledData, StepSucceededData } from '@contracts';
import { STEP_TIMEOUT_ERROR_KIND } from '@contracts';
import { DomainError, assertNever, type Decider } from '../decider';
import { FINISHED, evolveExecution, initialExecutionState, type ExecutionDecidedEvent, type ExecutionState, type StepRun } from './execution.state';
import { ERROR_LABEL, addMs, advance, hasCycle, retryDelayMs, scheduleStep } from './walk';
import { resolveWait, startWait } from './waits';

export { evolveExecution, initialExecutionState, type ExecutionDecidedEvent, type ExecutionState } from './execution.state';

/**
 * The execution decider (SPEC B1, B2, B5, B6, B7; DESIGN.md section 5). It decides what runs next;
 * executors only do side effects and report back with StartStep / CompleteStep / FailStep, and
 * durable timers with TimeOutStep / FireRetry. Time is the command's `occurredAt`; scheduled ids
 * derive from its `commandId`; a retry's jitter comes from the command's `random`.
 *
 * Error strategies: `fail` ends the run at the first failure (no retry); `retry_then_fail`,
 * `continue` and `error_branch` first retry under the step's policy, then fail the run, carry on
 * with output null, or take the step's `error` edges.
 *
 * Waits (delay timers, approvals, child runs) are in waits.ts, loop shapes in loops.ts. Not here
 * yet (see walk.ts): joins on any / N of M.
 */
export function decideExecution(command: ExecutionCommand, state: ExecutionState): ExecutionDecidedEvent[] {
  const at = command.metadata.occurredAt;
  const { commandId } = command.metadata;
  const { executionId } = command.data;
  if (command.type === 'StartExecution') {
    if (state.status !== 'none') throw new DomainError('conflict', 'execution-exists', `Execution ${executionId} already exists`);
    const { workflowId, version, definition, input, trigger, parent, timeoutMs, forkedFrom, reusedOutputs } = command.data;
    const ids = new Set(definition.steps.map((s) => s.id));
    if (definition.edges.some((e) => !ids.has(e.from) || !ids.has(e.to))) {
      throw new DomainError('rule_violated', 'definition-invalid', 'An edge of the definition names an unknown step');
    }
    if (hasCycle(definition)) throw new DomainError('rule_violated', 'definition-cyclic', 'The definition has a cycle that does not go through a loop step');
    if (parent?.ancestry.includes(workflowId)) {
      throw new DomainError('rule_violated', 'sub-workflow-cycle', `Workflow ${workflowId} is already running higher up this chain of sub-workflows`);
    }
    const started: ExecutionDecidedEvent = {
      type: 'ExecutionStarted',
      data: {
        executionId,
        workflowId,
        workspaceId: command.metadata.workspaceId,
        version,
        definition,
        input,
        startedAt: at,
        ...(trigger ? { trigger } : {}),
        ...(parent ? { parent } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(forkedFrom ? { forkedFrom } : {}),
        ...(reusedOutputs ? { reusedOutputs } : {}),
      },
    };
    const reused: ExecutionDecidedEvent[] = Object.entries(reusedOutputs ?? {})
      .filter(([stepId]) => ids.has(stepId))
      .map(([stepId, output]) => ({
        type: 'StepSucceeded',
        data: { executionId, stepId, attempt: 0, scheduledId: `reused:${stepId}`, output, reused: true, completedAt: at },
      }));
    return andThen(state, [started, ...reused], at, commandId);
  }

  if (state.status === 'none') throw new DomainError('not_found', 'execution-not-found', `Execution ${executionId} does not exist`);
  if (command.type === 'RetryExecution') return retryFailed(state, at, commandId);
  if (FINISHED.has(state.status)) throw new DomainError('conflict', 'execution-finished', `Execution ${executionId} has already ${state.status}`);

  switch (command.type) {
    case 'StartStep': {
      const { stepId, attempt, scheduledId, workerId } = command.data;
      const run = requireStep(state, stepId);
      if (run.status !== 'scheduled' || run.attempt !== attempt || run.scheduledId !== scheduledId) {
        throw new DomainError('conflict', 'stale-start', `Step ${stepId} attempt ${attempt} (${scheduledId}) is not waiting to start`);
      }
      return [{ type: 'StepStarted', data: { executionId, stepId, attempt, scheduledId, startedAt: at, ...(workerId ? { workerId } : {}) } }];
    }
    case 'CompleteStep': {
      const { stepId, attempt, scheduledId, output, edgeConditions } = command.data;
      const run = requireLiveAttempt(state, stepId, attempt, scheduledId, reportable(command.data));
      const isLoop = state.definition.steps.find((s) => s.id === stepId)?.type === 'loop';
      const items = isLoop ? (output as { items?: unknown })?.items : undefined;
      if (Array.isArray(items) && items.length > 0) {
        // A loop's attempt evaluated its items: the body now runs once per item.
        const first: ExecutionDecidedEvent = { type: 'LoopIterationStarted', data: { executionId, stepId, index: 0, count: items.length, items, attempt, scheduledId } };
        return andThen(state, [...startedFirst(state, run, command.data), first], at, commandId);
      }
      const succeeded: ExecutionDecidedEvent = {
        type: 'StepSucceeded',
        data: {
          executionId,
          stepId,
          attempt,
          scheduledId,
          ...startReported(run, command.data),
          output: isLoop ? { iterations: 0 } : output,
          ...(edgeConditions ? { edgeConditions } : {}),
          completedAt: at,
        },
      };
      return andThen(state, [succeeded], at, commandId);
    }
    case 'FailStep': {
      const { stepId, attempt, scheduledId, error, random } = command.data;
      const run = requireLiveAttempt(state, stepId, attempt, scheduledId, reportable(command.data));
      return failStep(state, stepId, run, error, random, at, commandId, startReported(run, command.data));
    }
    case 'WaitStep': {
      const { stepId, attempt, scheduledId } = command.data;
      const run = requireLiveAttempt(state, stepId, attempt, scheduledId, reportable(command.data));
      return [...startedFirst(state, run, command.data), ...startWait(state, command, at)];
    }
    case 'FireTimer':
    case 'DecideApproval':
    case 'TimeOutApproval':
    case 'FinishChild':
      return andThenAll(state, resolveWait(state, command, at), at, commandId, (stepId, run, error, random) =>
        failStep(state, stepId, run, error, random, at, commandId),
      );
    case 'TimeOutExecution': {
      const error: StepError = { kind: STEP_TIMEOUT_ERROR_KIND, message: `The execution timed out after ${state.timeoutMs ?? 0} ms`, retryable: false };
      return [{ type: 'ExecutionFailed', data: { executionId, error, failedAt: at } }];
    }
    case 'TimeOutStep': {
      const { stepId, attempt, scheduledId, random } = command.data;
      // An attempt no worker picked up times out too.
      const run = requireLiveAttempt(state, stepId, attempt, scheduledId, ['scheduled', 'running']);
      const timeoutMs = run.timeoutMs ?? 0;
      const error: StepError = { kind: STEP_TIMEOUT_ERROR_KIND, message: `Timed out after ${timeoutMs} ms`, retryable: true };
      const handling = handlingOf(state, stepId, run, error);
      const timedOut: ExecutionDecidedEvent = {
        type: 'StepTimedOut',
        data: { executionId, stepId, attempt, scheduledId, timeoutMs, handling, timedOutAt: at },
      };
      return andThen(state, [timedOut, ...consequences(state, stepId, run, handling, error, random, at)], at, commandId);
    }
    case 'FireRetry': {
      const { stepId, attempt } = command.data;
      const run = requireStep(state, stepId);
      if (run.status !== 'waiting_retry' || run.attempt !== attempt) {
        throw new DomainError('conflict', 'stale-timer', `Step ${stepId} is not waiting to retry attempt ${attempt}`);
      }
      // Resuming schedules the retries that fell due during the pause, so this timer is not lost.
      if (state.status === 'paused') throw new DomainError('conflict', 'execution-paused', `Execution ${executionId} is paused`);
      return [scheduleStep(state, stepId, attempt, at, commandId)];
    }
    case 'PauseExecution':
      return state.status === 'paused' ? [] : [{ type: 'ExecutionPaused', data: { executionId, pausedAt: at } }];
    case 'ResumeExecution': {
      if (state.status !== 'paused') return [];
      const resumed: ExecutionDecidedEvent = { type: 'ExecutionResumed', data: { executionId, resumedAt: at } };
      const running = evolveExecution(state, resumed);
      const dueRetries = Object.entries(running.steps)
        .filter(([, run]) => run.status === 'waiting_retry' && run.notBefore !== undefined && run.notBefore <= at)
        .map(([stepId, run]) => scheduleStep(running, stepId, run.attempt, at, commandId));
      // Workers drop the attempts they receive while the run is paused: schedule those again.
      const dropped = Object.entries(running.steps)
        .filter(([, run]) => run.status === 'scheduled')
        .map(([stepId, run]) => scheduleStep(running, stepId, run.attempt, at, commandId));
      return andThen(state, [resumed, ...dueRetries, ...dropped], at, commandId);
    }
    case 'CancelExecution': {
      const { reason } = command.data;
      return [{ type: 'ExecutionCancelled', data: { executionId, ...(reason ? { reason } : {}), cancelledAt: at } }];
    }
    default:
      return assertNever(command);
  }
}

/** Reports may close an attempt never reported started when they say when it started. */
const reportable = (data: { startedAt?: string }): StepRun['status'][] => (data.startedAt ? ['scheduled', 'running'] : ['running']);

/**
 * The start a report carries for an attempt never reported started, to record on its outcome
 * (StepSucceeded, StepFailed) instead of as a StepStarted of its own: one event fewer per attempt,
 * and events are what an execution's cost is counted in (each is appended, forwarded and projected).
 */
function startReported(run: StepRun, data: { startedAt?: string; workerId?: string }): StartedWithOutcome {
  if (run.status !== 'scheduled' || !data.startedAt) return {};
  return { startedAt: data.startedAt, ...(data.workerId ? { workerId: data.workerId } : {}) };
}

/** The StepStarted a report implies when the attempt was never reported started and its report opens a wait or a loop. */
function startedFirst(state: ExecutionState, run: StepRun, data: { stepId: string; attempt: number; scheduledId: string; startedAt?: string; workerId?: string }): ExecutionDecidedEvent[] {
  const { startedAt, ...start } = startReported(run, data);
  if (!startedAt) return [];
  const { stepId, attempt, scheduledId } = data;
  return [{ type: 'StepStarted', data: { executionId: state.executionId, stepId, attempt, scheduledId, startedAt, ...start } }];
}

function failStep(
  state: ExecutionState,
  stepId: string,
  run: StepRun,
  error: StepError,
  random: number,
  at: string,
  commandId: string,
  start: StartedWithOutcome = {},
): ExecutionDecidedEvent[] {
  const { executionId } = state;
  const { attempt, scheduledId = '' } = run;
  const handling = handlingOf(state, stepId, run, error);
  const failed: ExecutionDecidedEvent = { type: 'StepFailed', data: { executionId, stepId, attempt, scheduledId, ...start, error, handling, failedAt: at } };
  return andThen(state, [failed, ...consequences(state, stepId, run, handling, error, random, at)], at, commandId);
}

/**
 * A wait's outcome: either events to record (then the walk goes on), or a failure of the waiting
 * step (a rejected child run) handled like any failed attempt.
 */
function andThenAll(
  state: ExecutionState,
  outcome: ReturnType<typeof resolveWait>,
  at: string,
  commandId: string,
  fail: (stepId: string, run: StepRun, error: StepError, random: number) => ExecutionDecidedEvent[],
): ExecutionDecidedEvent[] {
  if (!('failure' in outcome)) return andThen(state, outcome, at, commandId);
  const { stepId, error, random } = outcome.failure;
  return fail(stepId, state.steps[stepId], error, random);
}

/** Retry from the failed step(s): everything that did not finish runs again as a new attempt. */
function retryFailed(state: ExecutionState, at: string, commandId: string): ExecutionDecidedEvent[] {
  if (state.status !== 'failed') {
    throw new DomainError('conflict', 'execution-not-failed', `Execution ${state.executionId} is ${state.status}; only a failed execution can be retried`);
  }
  const unfinished = Object.entries(state.steps).filter(([, run]) =>
    ['scheduled', 'running', 'waiting', 'waiting_retry'].includes(run.status) || (run.status === 'failed' && run.handling === 'fail_execution'),
  );
  const retried: ExecutionDecidedEvent = {
    type: 'ExecutionRetried',
    data: { executionId: state.executionId, stepIds: unfinished.map(([stepId]) => stepId), retriedAt: at },
  };
  const running = evolveExecution(state, retried);
  const scheduled = unfinished.map(([stepId, run]) => scheduleStep(running, stepId, run.attempt + 1, at, commandId));
  return andThen(state, [retried, ...scheduled], at, commandId);
}

export const executionDecider: Decider<ExecutionCommand, ExecutionDecidedEvent, ExecutionState> = {
  initialState: initialExecutionState,
  evolve: evolveExecution,
  decide: decideExecution,
  compact: compactExecution,
};

/**
 * A step scheduled and succeeded in the same write (the engine's pure steps, run while the command
 * that scheduled them is handled), with nothing about that attempt in between, is recorded as its
 * StepSucceeded alone, carrying the scheduling: one event fewer per such step, and no step-timeout
 * timer set and cleared for it.
 */
export function compactExecution(events: readonly EventEnvelope[]): EventEnvelope[] {
  // Schedulings still foldable: followed so far by no other event naming their attempt.
  const scheduling = new Map<string, EventEnvelope>();
  const folded = new Set<EventEnvelope>();
  const compacted = events.map((event) => {
    const attemptId = (event.data as { scheduledId?: unknown } | null)?.scheduledId;
    if (typeof attemptId !== 'string') return event;
    if (event.type === 'StepScheduled') {
      scheduling.set(attemptId, event);
      return event;
    }
    const schedule = scheduling.get(attemptId);
    scheduling.delete(attemptId);
    const data = event.data as StepSucceededData;
    if (event.type !== 'StepSucceeded' || !schedule || data.scheduled || data.reused) return event;
    const { executionId, stepId, attempt, scheduledId, ...scheduled } = schedule.data as StepScheduledData;
    if (stepId !== data.stepId || attempt !== data.attempt) return event;
    folded.add(schedule);
    return { ...event, data: { ...data, scheduled } };
  });
  return compacted.filter((event) => !folded.has(event));
}

/** The decided events, followed by what they make happen next in the walk. */
function andThen(state: ExecutionState, decided: ExecutionDecidedEvent[], at: string, commandId: string): ExecutionDecidedEvent[] {
  const after = decided.reduce(evolveExecution, state);
  return [...decided, ...advance(after, at, commandId)];
}

function handlingOf(state: ExecutionState, stepId: string, run: StepRun, error: StepError): FailureHandling {
  const step = state.definition.steps.find((s) => s.id === stepId);
  const strategy: ErrorStrategy = step?.errorStrategy ?? 'fail';
  const policy = run.retryPolicy;
  const retryable =
    strategy !== 'fail' &&
    error.retryable &&
    policy !== undefined &&
    !policy.nonRetryableErrors.includes(error.kind) &&
    run.attempt < policy.maxAttempts;
  if (retryable) return 'retry';
  if (strategy === 'continue') return 'continue';
  if (strategy === 'error_branch' && state.definition.edges.some((e) => e.from === stepId && e.label === ERROR_LABEL)) return 'error_branch';
  return 'fail_execution';
}

function consequences(
  state: ExecutionState,
  stepId: string,
  run: StepRun,
  handling: FailureHandling,
  error: StepError,
  random: number,
  at: string,
): ExecutionDecidedEvent[] {
  const { executionId } = state;
  if (handling === 'retry') {
    const delayMs = retryDelayMs(run.retryPolicy!, run.attempt, random);
    return [{ type: 'StepRetryScheduled', data: { executionId, stepId, attempt: run.attempt + 1, notBefore: addMs(at, delayMs), delayMs } }];
  }
  if (handling === 'fail_execution') return [{ type: 'ExecutionFailed', data: { executionId, stepId, error, failedAt: at } }];
  return [];
}

function requireStep(state: ExecutionState, stepId: string): StepRun {
  const run = state.steps[stepId];
  if (!run) throw new DomainError('not_found', 'step-not-found', `No step ${stepId} in execution ${state.executionId}`);
  return run;
}

/** A completion must close the live attempt: a duplicate, a late one or a guessed one is refused. */
function requireLiveAttempt(state: ExecutionState, stepId: string, attempt: number, scheduledId: string, live: StepRun['status'][]): StepRun {
  const run = requireStep(state, stepId);
  if (!live.includes(run.status) || run.attempt !== attempt || run.scheduledId !== scheduledId) {
    throw new DomainError('conflict', 'stale-completion', `Step ${stepId} attempt ${attempt} (${scheduledId}) is not in progress`);
  }
  return run;
}
