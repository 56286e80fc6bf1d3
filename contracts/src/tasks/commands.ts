import type { Command } from '../messages';
import type { TaskPriority, TaskSource, TaskStatus } from './events';

/**
 * Creates a task in the command's workspace (`metadata.workspaceId`). Unset fields take their
 * defaults: status open, priority medium, no description, assignee or due date, no labels.
 */
export type CreateTask = Command<
  'CreateTask',
  {
    taskId: string;
    title: string;
    description?: string | null;
    status?: TaskStatus;
    priority?: TaskPriority;
    assigneeId?: string | null;
    /** ISO 8601 date (midnight UTC) or date-time with a zone. */
    dueAt?: string | null;
    labels?: string[];
    source?: TaskSource;
  }
>;

/**
 * Changes some fields of a task of the command's workspace. `null` clears description, assignee
 * and due date. `labels` replaces the labels; `addLabels` / `removeLabels` edit them (after it).
 * Nothing that differs from the task, and no comment: nothing is recorded.
 */
export type UpdateTask = Command<
  'UpdateTask',
  {
    taskId: string;
    changes: {
      title?: string;
      description?: string | null;
      status?: TaskStatus;
      priority?: TaskPriority;
      assigneeId?: string | null;
      dueAt?: string | null;
      labels?: string[];
      addLabels?: string[];
      removeLabels?: string[];
    };
    comment?: string;
  }
>;

export type TaskCommand = CreateTask | UpdateTask;
