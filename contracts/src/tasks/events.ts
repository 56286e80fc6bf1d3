import type { EventEnvelope } from '../messages';
import { TASK_PRIORITIES, TASK_STATUSES } from '../actions/create_task.action';

/** The catalogue's lists (create_task / update_task) are the task's own. */
export { TASK_PRIORITIES, TASK_STATUSES };

/** Limits shared by the decider, the API's validation and the create_task / update_task schemas. */
export const TASK_TITLE_MAX = 200;
export const TASK_DESCRIPTION_MAX = 10_000;
export const TASK_COMMENT_MAX = 5000;
export const TASK_LABEL_MAX = 50;
export const TASK_LABELS_MAX = 20;

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** What a task holds that an update can change. `null` = not set (no description, unassigned, no due date). */
export interface TaskFields {
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  /** A user id (uuid). */
  assigneeId: string | null;
  /** ISO 8601 instant. */
  dueAt: string | null;
  labels: string[];
}
export type TaskField = keyof TaskFields;
export const TASK_FIELDS: readonly TaskField[] = ['title', 'description', 'status', 'priority', 'assigneeId', 'dueAt', 'labels'];

/** The execution step that made the task, when a create_task step did. */
export interface TaskSource {
  executionId: string;
  stepId: string;
}

// task-<id>
export interface TaskCreatedData extends TaskFields {
  taskId: string;
  workspaceId: string;
  /** The actor's id (a user, or `system` for a step of a run nobody started by hand). */
  createdBy: string;
  source?: TaskSource;
}
/**
 * One change to one or more fields. `changes` holds only the fields that changed, with their new
 * values, and `previous` their old ones; `status` is the status after the change, always there so
 * a reader of this one event knows where the task stands.
 */
export interface TaskUpdatedData {
  taskId: string;
  changes: Partial<TaskFields>;
  previous: Partial<TaskFields>;
  status: TaskStatus;
  /** A comment given with the change (update_task's `comment`). */
  comment?: string;
}
/** A comment without any field change. */
export interface TaskCommentedData {
  taskId: string;
  comment: string;
}

export type TaskCreated = EventEnvelope<'TaskCreated', TaskCreatedData>;
export type TaskUpdated = EventEnvelope<'TaskUpdated', TaskUpdatedData>;
export type TaskCommented = EventEnvelope<'TaskCommented', TaskCommentedData>;
export type TaskEvent = TaskCreated | TaskUpdated | TaskCommented;
