import type { Command } from '../messages';
import type { WorkflowDefinition } from '../workflow/definition';
import type { StepError } from './events';

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
  WithExecution<{ workflowId: string; version: number; definition: WorkflowDefinition; input: Record<string, unknown> }>
>;
export type StartStep = Command<'StartStep', AttemptData<{ workerId?: string }>>;
export type CompleteStep = Command<'CompleteStep', AttemptData<{ output: unknown; edgeConditions?: Record<string, boolean> }>>;
/** `random` in [0, 1) sets the jitter of the retry interval, if a retry follows. */
export type FailStep = Command<'FailStep', AttemptData<{ error: StepError; random: number }>>;
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
  | PauseExecution
  | ResumeExecution
  | CancelExecution;

export type ExecutionCommandType = ExecutionCommand['type'];
