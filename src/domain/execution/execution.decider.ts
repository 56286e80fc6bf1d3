import type { ErrorStrategy, ExecutionCommand, FailureHandling, StepError } from '@contracts';
import { STEP_TIMEOUT_ERROR_KIND } from '@contracts';
import { DomainError, assertNever, type Decider } from '../decider';
import { FINISHED, evolveExecution, initialExecutionState, type ExecutionDecidedEvent, type ExecutionState, type StepRun } from './execution.state';
import { ERROR_LABEL, addMs, advance, hasCycle, retryDelayMs, scheduleStep } from './walk';

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
 * Not here yet (see walk.ts): loops, sub_workflow, approvals and delay timers, joins on any / N of
 * M, data templating, execution-wide timeouts, retry-from-failed and fork.
 */
export function decideExecution(command: ExecutionCommand, state: ExecutionState): ExecutionDecidedEvent[] {
  const at = command.metadata.occurredAt;
  const { commandId } = command.metadata;
  const { executionId } = command.data;
  if (command.type === 'StartExecution') {
    if (state.status !== 'none') throw new DomainError('conflict', 'execution-exists', `Execution ${executionId} already exists`);
    const { workflowId, version, definition, input } = command.data;
    const ids = new Set(definition.steps.map((s) => s.id));
    if (definition.edges.some((e) => !ids.has(e.from) || !ids.has(e.to))) {
      throw new DomainError('rule_violated', 'definition-invalid', 'An edge of the definition names an unknown step');
    }
    if (hasCycle(definition)) throw new DomainError('rule_violated', 'definition-cyclic', 'The definition has a cycle; loops are not supported yet');
    const started: ExecutionDecidedEvent = {
      type: 'ExecutionStarted',
      data: { executionId, workflowId, workspaceId: command.metadata.workspaceId, version, definition, input, startedAt: at },
    };
    return [started, ...advance(evolveExecution(state, started), at, commandId)];
  }

  if (state.status === 'none') throw new DomainError('not_found', 'execution-not-found', `Execution ${executionId} does not exist`);
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
      requireLiveAttempt(state, stepId, attempt, scheduledId, ['running']);
      const succeeded: ExecutionDecidedEvent = {
        type: 'StepSucceeded',
        data: { executionId, stepId, attempt, scheduledId, output, ...(edgeConditions ? { edgeConditions } : {}), completedAt: at },
      };
      return andThen(state, [succeeded], at, commandId);
    }
    case 'FailStep': {
      const { stepId, attempt, scheduledId, error, random } = command.data;
      const run = requireLiveAttempt(state, stepId, attempt, scheduledId, ['running']);
      const handling = handlingOf(state, stepId, run, error);
      const failed: ExecutionDecidedEvent = { type: 'StepFailed', data: { executionId, stepId, attempt, scheduledId, error, handling, failedAt: at } };
      return andThen(state, [failed, ...consequences(state, stepId, run, handling, error, random, at)], at, commandId);
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
      return andThen(state, [resumed, ...dueRetries], at, commandId);
    }
    case 'CancelExecution': {
      const { reason } = command.data;
      return [{ type: 'ExecutionCancelled', data: { executionId, ...(reason ? { reason } : {}), cancelledAt: at } }];
    }
    default:
      return assertNever(command);
  }
}

export const executionDecider: Decider<ExecutionCommand, ExecutionDecidedEvent, ExecutionState> = {
  initialState: initialExecutionState,
  evolve: evolveExecution,
  decide: decideExecution,
};

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
