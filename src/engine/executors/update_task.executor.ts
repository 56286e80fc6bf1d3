import type { TaskPriority, TaskStatus, UpdateTask } from '@contracts';
import { TASK_FIELDS, isUuid } from '@contracts';
import { getTask } from '../../queries/task.queries';
import type { StepContext, StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { OUTPUT_NAME, assigneeField, sendTaskCommand, textField } from './task-commands';

interface UpdateTaskConfig {
  taskId?: unknown;
  changes?: {
    title?: unknown;
    description?: unknown;
    status?: TaskStatus;
    assignee?: unknown;
    priority?: TaskPriority;
    dueAt?: unknown;
    addLabels?: string[];
    removeLabels?: string[];
  };
  comment?: unknown;
}

const READ_MODEL_WAIT_MS = 2000;

/**
 * update_task: changes a task of the run's workspace through the task aggregate. Only what
 * differs is recorded; `changed` names those fields (empty when the task already was so). A task
 * of another workspace is a TaskNotFound, like one that does not exist.
 */
export const updateTaskExecutor: StepExecutor<'update_task'> = {
  type: 'update_task',
  async execute(ctx) {
    const config = ctx.config as UpdateTaskConfig;
    const taskId = textField(config.taskId, 'taskId')?.trim().toLowerCase() ?? '';
    if (!isUuid(taskId)) throw new StepFailure('InvalidConfig', `taskId "${String(taskId).slice(0, 60)}" is not a task id`, { retryable: false });
    const given = config.changes ?? {};
    const changes: UpdateTask['data']['changes'] = {};
    if (given.title !== undefined) changes.title = textField(given.title, 'title') ?? '';
    if (given.description !== undefined) changes.description = textField(given.description, 'description') ?? null;
    if (given.status !== undefined) changes.status = given.status;
    if (given.priority !== undefined) changes.priority = given.priority;
    if (given.assignee !== undefined) changes.assigneeId = await assigneeField(ctx.services.db, ctx.workspaceId, given.assignee);
    if (given.dueAt !== undefined) changes.dueAt = textField(given.dueAt, 'dueAt')?.trim() || null;
    if (given.addLabels !== undefined) changes.addLabels = given.addLabels;
    if (given.removeLabels !== undefined) changes.removeLabels = given.removeLabels;
    const comment = textField(config.comment, 'comment');
    const events = await sendTaskCommand(ctx, 'update_task', { type: 'UpdateTask', data: { taskId, changes, ...(comment ? { comment } : {}) } });
    const updated = events.find((e) => e.type === 'TaskUpdated');
    if (updated?.type === 'TaskUpdated') {
      // In the fields' own order: jsonb hands the keys back in another order than they were decided in.
      const changed = TASK_FIELDS.filter((field) => field in updated.data.changes).map((field) => OUTPUT_NAME[field]);
      return { output: { taskId, changed, status: updated.data.status } };
    }
    // Nothing changed: the status is the task's own (the one asked for, or what the read model holds).
    return { output: { taskId, changed: [], status: changes.status ?? (await currentStatus(ctx, taskId)) } };
  },
};

/** The task's status from the read model, which may trail the stream by a moment. */
async function currentStatus(ctx: StepContext, taskId: string): Promise<TaskStatus> {
  const deadline = Date.now() + READ_MODEL_WAIT_MS;
  for (;;) {
    const task = await getTask(ctx.services.db, taskId);
    if (task && task.workspaceId === ctx.workspaceId) return task.status;
    if (Date.now() >= deadline || ctx.signal.aborted) {
      throw new StepFailure('TaskNotReadable', `Task ${taskId} is not in the task read model yet`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
