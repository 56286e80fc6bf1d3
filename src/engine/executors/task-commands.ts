import type { Kysely } from 'kysely';
import type { EventEnvelope, TaskCreatedData, TaskEvent, TaskField, TaskStatus } from '@contracts';
import { isUuid } from '@contracts';
import type { Database } from '../../adapters/database/tables';
import { deterministicId } from '../../commands/handle-command';
import { DomainError } from '../../domain/decider';
import { isWorkspaceMember } from '../../queries/task.queries';
import type { StepContext } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * What create_task and update_task share: ids derived from the step's idempotency key (so a
 * redelivered or retried step sends the same command, which the command path answers with what
 * it did the first time), sending through the one command path, and mapping refusals to failures
 * a retry policy understands.
 */

export const taskIdFor = (ctx: Pick<StepContext, 'idempotencyKey'>): string => deterministicId(`task:${ctx.idempotencyKey}`, 0);
export const taskCommandIdFor = (action: 'create_task' | 'update_task', ctx: Pick<StepContext, 'idempotencyKey'>): string =>
  deterministicId(`${action}:${ctx.idempotencyKey}`, 0);

/** Sends a task command for the step; the events it recorded (this time or the first time), if the path says. */
export async function sendTaskCommand(ctx: StepContext, action: 'create_task' | 'update_task', command: { type: string; data: unknown }): Promise<TaskEvent[]> {
  try {
    const result = await ctx.services.send('task', command, {
      commandId: taskCommandIdFor(action, ctx),
      workspaceId: ctx.workspaceId,
      ...(ctx.startedBy ? { actorId: ctx.startedBy } : {}),
    });
    const events = (result as { events?: unknown } | undefined)?.events;
    return Array.isArray(events) ? (events as EventEnvelope[]).filter(isTaskEvent) : [];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.kind === 'not_found') throw new StepFailure('TaskNotFound', error.message, { retryable: false, details: { code: error.code } });
    if (error.kind === 'rule_violated') throw new StepFailure('InvalidConfig', error.message, { retryable: false, details: { code: error.code } });
    throw error;
  }
}

const isTaskEvent = (event: EventEnvelope): event is TaskEvent => ['TaskCreated', 'TaskUpdated', 'TaskCommented'].includes(event.type);

/** A rendered template field as text: `{{ }}` alone may yield a number; an object is a mistake. */
export function textField(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new StepFailure('InvalidConfig', `${field} must be text, got ${Array.isArray(value) ? 'a list' : 'an object'}`, { retryable: false });
}

/**
 * The assignee after rendering: blank or null is nobody; otherwise a user id of a member of the
 * workspace (the membership read model decides; a stranger is a UserNotFound, never retried).
 */
export async function assigneeField(db: Kysely<Database>, workspaceId: string, value: unknown): Promise<string | null> {
  const text = textField(value, 'assignee')?.trim();
  if (!text) return null;
  if (!isUuid(text)) throw new StepFailure('InvalidConfig', `assignee "${String(text).slice(0, 60)}" is not a user id`, { retryable: false });
  const userId = text.toLowerCase();
  if (!(await isWorkspaceMember(db, workspaceId, userId))) {
    throw new StepFailure('UserNotFound', `User ${userId} is not a member of this workspace`, { retryable: false });
  }
  return userId;
}

/** The action's output names for the task's fields. */
export const OUTPUT_NAME: Record<TaskField, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assigneeId: 'assignee',
  dueAt: 'dueAt',
  labels: 'labels',
};

export function createdOutput(task: Pick<TaskCreatedData, 'taskId' | 'title' | 'priority' | 'status' | 'assigneeId' | 'dueAt'>) {
  return {
    taskId: task.taskId,
    title: task.title,
    priority: task.priority,
    status: task.status as TaskStatus,
    ...(task.assigneeId ? { assignee: task.assigneeId } : {}),
    ...(task.dueAt ? { dueAt: task.dueAt } : {}),
  };
}
