import type { ActionType, StepWait } from '@contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';
import type { AppConfig } from '../config';
import type { ExpressionScope } from './expressions';

/**
 * What an executor is (DESIGN.md section 4, step 6): the side effect of one action type, and
 * nothing else. The decider decides what runs; the step runner (step-runner.ts) resolves the
 * step's templates, calls `execute`, and records the outcome as a command on the execution stream.
 *
 * Delivery is at least once: a worker killed after the side effect and before the record runs it
 * again. Effects that leave the engine carry `ctx.idempotencyKey`, the same for every attempt and
 * redelivery of the step, so a well-behaved target applies them once (SPEC B9).
 */
export interface StepContext {
  executionId: string;
  workflowId: string;
  workspaceId: string;
  stepId: string;
  /** 1-based. */
  attempt: number;
  scheduledId: string;
  /** `<executionId>:<stepId>`: stable across attempts and redeliveries of this step. */
  idempotencyKey: string;
  /** The step's config with its `{{ }}` template fields rendered; JSONata fields as written. */
  config: Record<string, unknown>;
  /** What expressions of this step read (input, vars, steps, execution, ...). */
  scope: ExpressionScope;
  /** Evaluates a JSONata expression against `scope` (plus `extra` roots), within the expression limits. */
  evaluate(expression: string, extra?: Record<string, unknown>): Promise<unknown>;
  /** Aborts at the step's timeout (and at worker shutdown): pass it to anything that waits. */
  signal: AbortSignal;
  /** Who started the run, when a person did. */
  startedBy?: string;
  /** Workflow ids from the root run down to this one (a sub-workflow among them would be a cycle). */
  ancestry: string[];
  services: EngineServices;
}

/**
 * Ports the executors reach; every one is a real implementation (the local model, nodemailer's
 * JSON transport, the storage directory), swapped for a remote one by configuration.
 */
export interface EngineServices {
  config: AppConfig;
  db: Kysely<Database>;
  /** Sends a command to an aggregate through the one command path (tasks, notifications, child runs). */
  send(aggregate: string, command: { type: string; data: unknown }, options: { commandId: string; workspaceId: string; actorId?: string }): Promise<unknown>;
  /** The current instant; executors never read the clock themselves (tests may move it). */
  now(): Date;
}

/** An attempt either produced the step's output, or set up a wait the step now holds (delay, approval, child run). */
export type StepOutcome = { output: unknown } | { wait: StepWait };

export interface StepExecutor<T extends ActionType = ActionType> {
  readonly type: T;
  execute(ctx: StepContext): Promise<StepOutcome>;
}

/** One executor per action type of the catalogue: a missing one does not compile. */
export type ExecutorRegistry = { readonly [T in ActionType]: StepExecutor<T> };

export { StepFailure } from './step-failure';
