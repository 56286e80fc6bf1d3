import type { TaskPriority, TaskSource, TaskStatus } from './events';

/** A task as `GET /api/tasks` and `GET /api/tasks/:id` answer it. */
export interface TaskDto {
  id: string;
  workspaceId: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  assigneeId: string | null;
  dueAt: string | null;
  labels: string[];
  createdBy: string;
  source: TaskSource | null;
  createdAt: string;
  updatedAt: string;
  /** Stream revision; also the ETag. */
  revision: number;
}
