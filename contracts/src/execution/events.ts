import type { EventEnvelope } from '../messages';
import type { RetryPolicy, WorkflowDefinition } from '../workflow/definition';

/**
 * The execution lifecycle (DESIGN.md section 5, after Temporal's history). One stream per run,
 * `execution-<uuid>`. Every completion names the scheduled attempt it closes (`scheduledId`,
 * `attempt`), so a duplicate or late completion can be told apart and refused.
 */

/** Why a step attempt failed, as the executor reports it. `kind` is matched against `nonRetryableErrors`. */
export interface StepError {
  kind: string;
  message: string;
  /** The executor's own view; a kind listed in the policy's `nonRetryableErrors` is never retried either way. */
  retryable: boolean;
}

/** The error kind a timed-out attempt counts as. */
export const STEP_TIMEOUT_ERROR_KIND = 'Timeout';

/**
 * What the decider did about a failed (or timed-out) attempt; recorded so that folding the stream
 * needs no policy arithmetic. `retry`: a StepRetryScheduled follows; `fail_execution`: an
 * ExecutionFailed follows; `continue`: the step counts as succeeded with output null;
 * `error_branch`: only the step's edges labelled `error` are taken.
 */
export type FailureHandling = 'retry' | 'fail_execution' | 'continue' | 'error_branch';

/** Which attempt of which step an event is about. */
export interface AttemptRef {
  executionId: string;
  stepId: string;
  /** 1-based. */
  attempt: number;
  /** Unique id of this scheduling; executors derive their idempotency keys from it. */
  scheduledId: string;
}

export interface ExecutionStartedData {
  executionId: string;
  workflowId: string;
  workspaceId: string;
  /** The published version the run is pinned to. */
  version: number;
  /** That version's graph, frozen into the run. */
  definition: WorkflowDefinition;
  input: Record<string, unknown>;
  startedAt: string;
}
export interface StepScheduledData extends AttemptRef {
  /** The effective policy (the step's own, or its action's default), fixed for the run. */
  retryPolicy: RetryPolicy;
  timeoutMs: number;
  /** The step's config as the executor receives it (template expressions are resolved by the executor). */
  input: unknown;
  scheduledAt: string;
}
export interface StepStartedData extends AttemptRef {
  startedAt: string;
  workerId?: string;
}
export interface StepSucceededData extends AttemptRef {
  output: unknown;
  /** Results of the JSONata conditions on the step's outgoing edges, by edge id, evaluated by the engine. */
  edgeConditions?: Record<string, boolean>;
  completedAt: string;
}
export interface StepFailedData extends AttemptRef {
  error: StepError;
  handling: FailureHandling;
  failedAt: string;
}
export interface StepTimedOutData extends AttemptRef {
  timeoutMs: number;
  handling: FailureHandling;
  timedOutAt: string;
}
export interface StepRetryScheduledData {
  executionId: string;
  stepId: string;
  /** The attempt that will run when the timer fires. */
  attempt: number;
  /** The durable timer's due time. */
  notBefore: string;
  delayMs: number;
}
export interface StepSkippedData {
  executionId: string;
  stepId: string;
  reason: 'branch_not_taken';
}
export interface ExecutionSucceededData {
  executionId: string;
  completedAt: string;
}
export interface ExecutionFailedData {
  executionId: string;
  /** The step whose failure ended the run. */
  stepId: string;
  error: StepError;
  failedAt: string;
}
export interface ExecutionCancelledData {
  executionId: string;
  reason?: string;
  cancelledAt: string;
}
export interface ExecutionPausedData {
  executionId: string;
  pausedAt: string;
}
export interface ExecutionResumedData {
  executionId: string;
  resumedAt: string;
}

export type ExecutionStarted = EventEnvelope<'ExecutionStarted', ExecutionStartedData>;
export type StepScheduled = EventEnvelope<'StepScheduled', StepScheduledData>;
export type StepStarted = EventEnvelope<'StepStarted', StepStartedData>;
export type StepSucceeded = EventEnvelope<'StepSucceeded', StepSucceededData>;
export type StepFailed = EventEnvelope<'StepFailed', StepFailedData>;
export type StepTimedOut = EventEnvelope<'StepTimedOut', StepTimedOutData>;
export type StepRetryScheduled = EventEnvelope<'StepRetryScheduled', StepRetryScheduledData>;
export type StepSkipped = EventEnvelope<'StepSkipped', StepSkippedData>;
export type ExecutionSucceeded = EventEnvelope<'ExecutionSucceeded', ExecutionSucceededData>;
export type ExecutionFailed = EventEnvelope<'ExecutionFailed', ExecutionFailedData>;
export type ExecutionCancelled = EventEnvelope<'ExecutionCancelled', ExecutionCancelledData>;
export type ExecutionPaused = EventEnvelope<'ExecutionPaused', ExecutionPausedData>;
export type ExecutionResumed = EventEnvelope<'ExecutionResumed', ExecutionResumedData>;

export type ExecutionEvent =
  | ExecutionStarted
  | StepScheduled
  | StepStarted
  | StepSucceeded
  | StepFailed
  | StepTimedOut
  | StepRetryScheduled
  | StepSkipped
  | ExecutionSucceeded
  | ExecutionFailed
  | ExecutionCancelled
  | ExecutionPaused
  | ExecutionResumed;

export type ExecutionEventType = ExecutionEvent['type'];
