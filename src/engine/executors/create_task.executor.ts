import type { CreateTask, TaskPriority } from '@contracts';
import { validDueAt } from '../../domain/task/task.decider';
import { DomainError } from '../../domain/decider';
import { getTask } from '../../queries/task.queries';
import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { assigneeField, createdOutput, sendTaskCommand, taskIdFor, textField } from './task-commands';

const DAY_MS = 86_400_000;

/**
 * create_task: a task in the run's workspace, made by the task aggregate (the same command path
 * as POST /api/tasks), remembering the execution and step that made it. Its id derives from the
 * step's idempotency key: a redelivered or retried step makes no second task, and answers the
 * task it made the first time.
 */
export const createTaskExecutor: StepExecutor<'create_task'> = {
  type: 'create_task',
  async execute(ctx) {
    const config = ctx.config as { title?: unknown; description?: unknown; assignee?: unknown; dueAt?: unknown; dueInDays?: number; priority?: TaskPriority; labels?: string[] };
    const dueText = textField(config.dueAt, 'dueAt')?.trim();
    const dueAt = dueText ? dueText : typeof config.dueInDays === 'number' ? new Date(ctx.services.now().getTime() + config.dueInDays * DAY_MS).toISOString() : null;
    const data: CreateTask['data'] = {
      taskId: taskIdFor(ctx),
      title: textField(config.title, 'title') ?? '',
      description: textField(config.description, 'description') ?? null,
      priority: config.priority ?? 'medium',
      assigneeId: await assigneeField(ctx.services.db, ctx.workspaceId, config.assignee),
      dueAt,
      labels: config.labels ?? [],
      source: { executionId: ctx.executionId, stepId: ctx.stepId },
    };
    let events;
    try {
      events = await sendTaskCommand(ctx, 'create_task', { type: 'CreateTask', data });
    } catch (error) {
      // The task exists, made under another command id (only by hand: ids come from this step): it is this step's task.
      if (!(error instanceof DomainError && error.code === 'task-exists')) throw error;
      const existing = await getTask(ctx.services.db, data.taskId);
      if (!existing) throw new StepFailure('TaskConflict', `Task ${data.taskId} exists but is not readable yet`);
      return { output: createdOutput({ ...existing, taskId: existing.id }) };
    }
    const created = events.find((e) => e.type === 'TaskCreated');
    if (created?.type === 'TaskCreated') return { output: createdOutput(created.data) };
    // The command path did not say what it recorded: the decider's normalisation of what was sent.
    return {
      output: createdOutput({ taskId: data.taskId, title: data.title.trim(), priority: data.priority!, status: 'open', assigneeId: data.assigneeId ?? null, dueAt: validDueAt(data.dueAt) }),
    };
  },
};
