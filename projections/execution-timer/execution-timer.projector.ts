import type { Insertable, Transaction } from 'kysely';
import type { ExecutionEvent, RecordedEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { ExecutionTimerTable } from './execution-timer.table';

type TimerRow = Insertable<ExecutionTimerTable>;

/** What one event does to the timers: timers set, timers cleared, or every timer of a run cleared. */
export interface TimerChange {
  set?: TimerRow[];
  clear?: string[];
  clearExecution?: string;
}

const timer = (timer_key: string, execution_id: string, kind: string, dueAt: string, type: string, data: Record<string, unknown>): TimerRow => ({
  timer_key,
  execution_id,
  kind,
  due_at: dueAt,
  command: JSON.stringify({ type, data }),
});

const addMsIso = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
/**
 * The step timeout bounds an attempt's run, and the worker running it enforces that itself (it
 * reports a Timeout failure). The durable timer is the backstop for an attempt no worker will ever
 * report (a lost delivery, a worker stuck for good), so it also allows for time spent waiting in
 * the queue: a backlog must not fail steps that have not started yet.
 */
export const QUEUE_ALLOWANCE_MS = 60_000;

const timeoutKey = (scheduledId: string) => `timeout:${scheduledId}`;
const retryKey = (executionId: string, stepId: string, attempt: number) => `retry:${executionId}:${stepId}:${attempt}`;
const approvalKey = (executionId: string, stepId: string) => `approval:${executionId}:${stepId}`;

/** The timers an execution event sets or clears; a function of the event alone (rebuild equals live). */
export function timerChangeOf(recorded: RecordedEvent): TimerChange {
  const event = recorded as RecordedEvent & ExecutionEvent;
  switch (event.type) {
    case 'ExecutionStarted': {
      const { executionId, timeoutMs, startedAt } = event.data;
      return timeoutMs ? { set: [timer(`execution:${executionId}`, executionId, 'execution_timeout', addMsIso(startedAt, timeoutMs), 'TimeOutExecution', { executionId })] } : {};
    }
    case 'StepScheduled': {
      const { executionId, stepId, attempt, scheduledId, timeoutMs, scheduledAt } = event.data;
      return {
        set: [timer(timeoutKey(scheduledId), executionId, 'step_timeout', addMsIso(scheduledAt, timeoutMs + QUEUE_ALLOWANCE_MS), 'TimeOutStep', { executionId, stepId, attempt, scheduledId })],
        clear: [retryKey(executionId, stepId, attempt)],
      };
    }
    case 'StepSucceeded': {
      const { executionId, stepId, attempt, scheduledId, scheduled } = event.data;
      // Scheduled in the same write (compactExecution): what its StepScheduled would clear, a due retry's timer.
      return { clear: [timeoutKey(scheduledId), approvalKey(executionId, stepId), ...(scheduled ? [retryKey(executionId, stepId, attempt)] : [])] };
    }
    case 'StepFailed':
    case 'StepTimedOut':
    case 'ChildExecutionStarted':
      return { clear: [timeoutKey(event.data.scheduledId)] };
    case 'StepRetryScheduled': {
      const { executionId, stepId, attempt, notBefore } = event.data;
      return { set: [timer(retryKey(executionId, stepId, attempt), executionId, 'retry', notBefore, 'FireRetry', { executionId, stepId, attempt })] };
    }
    case 'TimerStarted': {
      const { executionId, stepId, scheduledId, timerId, fireAt } = event.data;
      return {
        set: [timer(`delay:${timerId}`, executionId, 'delay', fireAt, 'FireTimer', { executionId, stepId, timerId })],
        clear: [timeoutKey(scheduledId)],
      };
    }
    case 'LoopIterationStarted':
      // The loop's own attempt ends when its first iteration starts.
      return event.data.scheduledId ? { clear: [timeoutKey(event.data.scheduledId)] } : {};
    case 'TimerFired':
      return { clear: [`delay:${event.data.timerId}`] };
    case 'ApprovalRequested': {
      const { executionId, stepId, scheduledId, approvalId, timeoutAt } = event.data;
      return {
        set: timeoutAt ? [timer(approvalKey(executionId, stepId), executionId, 'approval_timeout', timeoutAt, 'TimeOutApproval', { executionId, approvalId })] : [],
        clear: [timeoutKey(scheduledId)],
      };
    }
    case 'ApprovalEscalated': {
      const { executionId, stepId, approvalId, timeoutAt } = event.data;
      return timeoutAt
        ? { set: [timer(approvalKey(executionId, stepId), executionId, 'approval_timeout', timeoutAt, 'TimeOutApproval', { executionId, approvalId })] }
        : { clear: [approvalKey(executionId, stepId)] };
    }
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionCancelled':
      return { clearExecution: event.data.executionId };
    default:
      return {};
  }
}

/** `execution_timer`: the durable timers the timer service fires (see src/engine/timer-service.ts). */
export const executionTimerProjector: Projector = {
  name: 'execution_timer',
  queue: 'execution',
  categories: [StreamCategory.execution],
  tables: ['execution_timer'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    const rows = new Map<string, TimerRow | null>();
    const clearedExecutions = new Set<string>();
    for (const event of events) {
      const change = timerChangeOf(event);
      if (change.clearExecution) {
        clearedExecutions.add(change.clearExecution);
        for (const [key, row] of rows) if (row?.execution_id === change.clearExecution) rows.set(key, null);
      }
      for (const key of change.clear ?? []) rows.set(key, null);
      for (const row of change.set ?? []) rows.set(row.timer_key, row);
    }
    const gone = [...rows].filter(([, row]) => row === null).map(([key]) => key);
    const set = [...rows.values()].filter((row): row is TimerRow => row !== null);
    // One statement for both kinds of clearing: each statement is a round trip inside the batch's transaction.
    if (clearedExecutions.size > 0 || gone.length > 0) {
      await trx
        .deleteFrom('execution_timer')
        .where((eb) =>
          eb.or([
            ...(clearedExecutions.size > 0 ? [eb('execution_id', 'in', [...clearedExecutions])] : []),
            ...(gone.length > 0 ? [eb('timer_key', 'in', gone)] : []),
          ]),
        )
        .execute();
    }
    if (set.length > 0) {
      await trx
        .insertInto('execution_timer')
        .values(set)
        .onConflict((oc) => oc.column('timer_key').doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at'), command: eb.ref('excluded.command') })))
        .execute();
    }
  },
};
