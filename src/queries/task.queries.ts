import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Page, TaskDto, TaskPriority, TaskStatus } from '@contracts';
import type { Database } from '../adapters/database/tables';
import type { TaskTable } from '../../projections/task/task.table';
import { decodeCursor, encodeCursor, type ListCursor } from './workflow.queries';

type Db = Kysely<Database> | Transaction<Database>;

/** Keyset paging on (updated_at DESC, task_id DESC): the `task_workspace` index. */
export type TaskCursor = ListCursor;
export const encodeTaskCursor = (updatedAt: string, id: string): string => encodeCursor({ createdAt: updatedAt, id });
export const decodeTaskCursor = decodeCursor;

export interface TaskFilter {
  workspaceId: string;
  statuses?: readonly TaskStatus[];
  /** A user id, or null for unassigned tasks. */
  assigneeId?: string | null;
  label?: string;
  text?: string;
  limit: number;
  cursor?: TaskCursor;
}

/** Tasks of a workspace, most recently changed first. */
export async function listTasks(db: Db, filter: TaskFilter): Promise<Page<TaskDto>> {
  let query = db.selectFrom('task').selectAll().where('workspace_id', '=', filter.workspaceId);
  if (filter.statuses?.length) query = query.where('status', 'in', [...filter.statuses]);
  if (filter.assigneeId === null) query = query.where('assignee_id', 'is', null);
  else if (filter.assigneeId !== undefined) query = query.where('assignee_id', '=', filter.assigneeId);
  if (filter.label) query = query.where(sql<boolean>`tags @> ${JSON.stringify([filter.label])}::jsonb`);
  if (filter.text) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('title', 'ilike', pattern), eb('description', 'ilike', pattern)]));
  }
  if (filter.cursor) {
    const { createdAt: updatedAt, id } = filter.cursor;
    query = query.where(sql<boolean>`(updated_at, task_id) < (${updatedAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query
    .orderBy('updated_at', 'desc')
    .orderBy('task_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const items = rows.slice(0, filter.limit).map(toTaskDto);
  const last = items[items.length - 1];
  return rows.length > filter.limit && last ? { items, nextCursor: encodeTaskCursor(last.updatedAt, last.id) } : { items };
}

/** One task, whichever workspace it is in (the caller checks that it is theirs). */
export async function getTask(db: Db, taskId: string): Promise<TaskDto | undefined> {
  const row = await db.selectFrom('task').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  return row ? toTaskDto(row) : undefined;
}

/** Whether a user is a member of the workspace: only members can be assigned its tasks. */
export async function isWorkspaceMember(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workspace_member')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export function toTaskDto(row: Selectable<TaskTable>): TaskDto {
  return {
    id: row.task_id,
    workspaceId: row.workspace_id,
    title: row.title,
    description: row.description,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    assigneeId: row.assignee_id,
    dueAt: row.due_at === null ? null : new Date(row.due_at).toISOString(),
    labels: row.tags ?? [],
    createdBy: row.created_by,
    source: row.source_execution_id && row.source_step_id ? { executionId: row.source_execution_id, stepId: row.source_step_id } : null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    revision: Number(row.revision),
  };
}
