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

/** What started a run (SPEC C1-C4): who or which trigger, kept in the run's first event. */
export interface ExecutionTrigger {
  kind: 'manual' | 'cron' | 'webhook' | 'event' | 'sub_workflow' | 'bulk' | 'fork' | 'retry';
  /** The user who started it (manual, bulk, fork), when a person did. */
  userId?: string;
  /** The trigger definition that fired (cron, webhook, event). */
  triggerId?: string;
  /** Groups the runs of one bulk request. */
  bulkId?: string;
}

/** The step of another run that started this one and waits for it (sub_workflow). */
export interface ParentRef {
  executionId: string;
  stepId: string;
  attempt: number;
  scheduledId: string;
  /** Workflow ids from the root run down to the parent: a child of one of them would be a cycle. */
  ancestry: string[];
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
  trigger?: ExecutionTrigger;
  parent?: ParentRef;
  /** The whole run fails with a Timeout error after this long (a durable timer). */
  timeoutMs?: number;
  /** Fork (SPEC G3): the run this one was forked from, and the step it starts again at. */
  forkedFrom?: { executionId: string; stepId: string };
  /**
   * Outputs taken over from an earlier run (fork, retry): these steps count as succeeded with
   * these outputs and are not run again.
   */
  reusedOutputs?: Record<string, unknown>;
}
export interface StepScheduledData extends AttemptRef {
  /** The step's action type (read models show it without the definition). */
  actionType?: string;
  /** Inside loops: the item index of each enclosing loop, outermost first ("2" or "0.3"). */
  iteration?: string;
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
/**
 * An attempt's start when the worker reported it with the outcome: the outcome event carries it and
 * no StepStarted is recorded (as Temporal records an activity's start lazily). A StepStarted of its
 * own is recorded only when the start is reported before the outcome (StartStep, waits, loops).
 */
export interface StartedWithOutcome {
  startedAt?: string;
  workerId?: string;
}
/** What a StepScheduled records besides the attempt it names. */
export type StepScheduling = Omit<StepScheduledData, keyof AttemptRef>;
export interface StepSucceededData extends AttemptRef, StartedWithOutcome {
  /**
   * The attempt's scheduling, when it was scheduled and succeeded in the same write (a pure step
   * run inline, as Temporal records a local activity as one marker): recorded here instead of as a
   * StepScheduled of its own.
   */
  scheduled?: StepScheduling;
  output: unknown;
  /** Taken over from an earlier run (fork), not run again. */
  reused?: boolean;
  /** Results of the JSONata conditions on the step's outgoing edges, by edge id, evaluated by the engine. */
  edgeConditions?: Record<string, boolean>;
  completedAt: string;
}
export interface StepFailedData extends AttemptRef, StartedWithOutcome {
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
  /** The outputs of the steps nothing follows (the run's result), by step id. */
  output?: Record<string, unknown>;
  completedAt: string;
}
export interface ExecutionFailedData {
  executionId: string;
  /** The step whose failure ended the run; absent when the run as a whole timed out. */
  stepId?: string;
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
/** Retry from the failed step (SPEC B7): the failed run runs on; earlier outputs are kept. */
export interface ExecutionRetriedData {
  executionId: string;
  /** The steps that run again. */
  stepIds: string[];
  retriedAt: string;
}

/** A step attempt set up a wait (delay, approval, child run) and ended; the step waits without a worker. */
export interface TimerStartedData extends AttemptRef {
  timerId: string;
  fireAt: string;
  startedAt: string;
}
export interface TimerFiredData extends AttemptRef {
  timerId: string;
  firedAt: string;
}

export interface Approvers {
  userIds: string[];
  role?: 'owner' | 'admin' | 'editor' | 'viewer';
}
export interface ApprovalRequestedData extends AttemptRef {
  approvalId: string;
  workflowId: string;
  title: string;
  message: string;
  approvers: Approvers;
  mode: 'any' | 'all';
  requireComment: boolean;
  /** When the wait times out (absent: waits for ever). */
  timeoutAt?: string;
  onTimeout: 'escalate' | 'reject' | 'approve';
  escalateTo?: Approvers;
  requestedAt: string;
}
export interface ApprovalDecisionData {
  executionId: string;
  stepId: string;
  approvalId: string;
  /** Absent when the timeout decided. */
  userId?: string;
  comment?: string;
  decidedAt: string;
}
export interface ApprovalEscalatedData {
  executionId: string;
  stepId: string;
  approvalId: string;
  approvers: Approvers;
  /** The new deadline; after it the request is rejected. */
  timeoutAt?: string;
  escalatedAt: string;
}
/**
 * A loop step starts going round its body once more (SPEC B2): the body's steps start afresh for
 * item `index`. The first one also carries the items (what the loop's attempt evaluated).
 */
export interface LoopIterationStartedData {
  executionId: string;
  stepId: string;
  index: number;
  count: number;
  items?: unknown[];
  /** The loop's attempt (first iteration only; it closes that attempt). */
  attempt?: number;
  scheduledId?: string;
}
export interface ChildExecutionStartedData extends AttemptRef {
  childExecutionId: string;
  workflowId: string;
  version: number;
  startedAt: string;
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
export type ExecutionRetried = EventEnvelope<'ExecutionRetried', ExecutionRetriedData>;
export type TimerStarted = EventEnvelope<'TimerStarted', TimerStartedData>;
export type TimerFired = EventEnvelope<'TimerFired', TimerFiredData>;
export type ApprovalRequested = EventEnvelope<'ApprovalRequested', ApprovalRequestedData>;
export type ApprovalGranted = EventEnvelope<'ApprovalGranted', ApprovalDecisionData>;
export type ApprovalRejected = EventEnvelope<'ApprovalRejected', ApprovalDecisionData>;
export type ApprovalEscalated = EventEnvelope<'ApprovalEscalated', ApprovalEscalatedData>;
export type ChildExecutionStarted = EventEnvelope<'ChildExecutionStarted', ChildExecutionStartedData>;
export type LoopIterationStarted = EventEnvelope<'LoopIterationStarted', LoopIterationStartedData>;

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
  | ExecutionResumed
  | ExecutionRetried
  | TimerStarted
  | TimerFired
  | ApprovalRequested
  | ApprovalGranted
  | ApprovalRejected
  | ApprovalEscalated
  | ChildExecutionStarted
  | LoopIterationStarted;

export type ExecutionEventType = ExecutionEvent['type'];
