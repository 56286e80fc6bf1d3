import type { Command } from '../messages';
import type { WorkflowDefinition } from '../workflow/definition';
import type { Approvers, ExecutionTrigger, ParentRef, StepError } from './events';

/**
 * Commands on an execution stream. The decider is pure: the time is the metadata's `occurredAt`,
 * scheduled ids derive from the metadata's `commandId`, and the random number that spreads a
 * retry's jitter travels in the command.
 */

type WithExecution<T> = { executionId: string } & T;
/** Names the attempt a worker report is about; one that is not the live attempt is refused. */
type AttemptData<T = unknown> = WithExecution<{ stepId: string; attempt: number; scheduledId: string } & T>;

export type StartExecution = Command<
  'StartExecution',
  WithExecution<{
    workflowId: string;
    version: number;
    definition: WorkflowDefinition;
    input: Record<string, unknown>;
    trigger?: ExecutionTrigger;
    parent?: ParentRef;
    timeoutMs?: number;
    forkedFrom?: { executionId: string; stepId: string };
    reusedOutputs?: Record<string, unknown>;
  }>
>;
export type StartStep = Command<'StartStep', AttemptData<{ workerId?: string }>>;
/**
 * A worker's report may also close an attempt it never reported started (`startedAt` given): the
 * StepStarted is then recorded with the outcome, in one append instead of two.
 */
type Report<T> = AttemptData<T & { startedAt?: string; workerId?: string }>;
export type CompleteStep = Command<'CompleteStep', Report<{ output: unknown; edgeConditions?: Record<string, boolean> }>>;
/** `random` in [0, 1) sets the jitter of the retry interval, if a retry follows. */
export type FailStep = Command<'FailStep', Report<{ error: StepError; random: number }>>;

/** What a waiting step waits for; the executor set it up (and, for a child run, started it). */
export type StepWait =
  | { kind: 'timer'; timerId: string; fireAt: string }
  | {
      kind: 'approval';
      approvalId: string;
      title: string;
      message: string;
      approvers: Approvers;
      mode: 'any' | 'all';
      requireComment: boolean;
      timeoutAt?: string;
      onTimeout: 'escalate' | 'reject' | 'approve';
      escalateTo?: Approvers;
    }
  | { kind: 'child'; childExecutionId: string; workflowId: string; version: number };
export type WaitStep = Command<'WaitStep', Report<{ wait: StepWait }>>;
/** Sent by the delay's durable timer. */
export type FireTimer = Command<'FireTimer', WithExecution<{ stepId: string; timerId: string }>>;
export type DecideApproval = Command<
  'DecideApproval',
  WithExecution<{ approvalId: string; decision: 'approve' | 'reject'; userId: string; comment?: string }>
>;
/** Sent by the approval's durable timer. */
export type TimeOutApproval = Command<'TimeOutApproval', WithExecution<{ approvalId: string }>>;
/** Sent when a child run the step waits for has finished. */
export type FinishChild = Command<
  'FinishChild',
  WithExecution<{ stepId: string; childExecutionId: string; status: 'succeeded' | 'failed' | 'cancelled'; output?: unknown; error?: StepError; random: number }>
>;
/** Retry a failed run from its failed step(s), keeping every other output. */
export type RetryExecution = Command<'RetryExecution', WithExecution<object>>;
/** Sent by the execution-wide timeout timer. */
export type TimeOutExecution = Command<'TimeOutExecution', WithExecution<object>>;
/** Sent by the attempt's durable timeout timer. */
export type TimeOutStep = Command<'TimeOutStep', AttemptData<{ random: number }>>;
/** Sent by a retry's durable timer; `attempt` is the attempt it was set for. */
export type FireRetry = Command<'FireRetry', WithExecution<{ stepId: string; attempt: number }>>;
export type PauseExecution = Command<'PauseExecution', WithExecution<object>>;
export type ResumeExecution = Command<'ResumeExecution', WithExecution<object>>;
export type CancelExecution = Command<'CancelExecution', WithExecution<{ reason?: string }>>;

export type ExecutionCommand =
  | StartExecution
  | StartStep
  | CompleteStep
  | FailStep
  | TimeOutStep
  | FireRetry
  | WaitStep
  | FireTimer
  | DecideApproval
  | TimeOutApproval
  | FinishChild
  | RetryExecution
  | TimeOutExecution
  | PauseExecution
  | ResumeExecution
  | CancelExecution;

export type ExecutionCommandType = ExecutionCommand['type'];
