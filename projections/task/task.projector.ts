import type { Selectable, Transaction } from 'kysely';
import type { RecordedEvent, TaskEvent, TaskFields } from '@contracts';
import { StreamCategory, idOf } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { TaskTable } from './task.table';

/** A task row as the projector folds it (times as ISO text, revision as decimal text). */
export interface TaskRow {
  task_id: string;
  workspace_id: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  assignee_id: string | null;
  due_at: string | null;
  tags: string[];
  created_by: string;
  source_execution_id: string | null;
  source_step_id: string | null;
  created_at: string;
  updated_at: string;
  revision: string;
}

const COLUMN_OF: { [F in keyof TaskFields]: keyof TaskRow } = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assigneeId: 'assignee_id',
  dueAt: 'due_at',
  labels: 'tags',
};

/**
 * The row after one more event: pure, so a page of events is folded in memory and written once.
 * An event at or before the row's revision changes nothing (a replay), and every later event
 * moves the revision, which is the ETag clients send back in If-Match.
 */
export function evolveTaskRow(row: TaskRow | undefined, recorded: RecordedEvent): TaskRow | undefined {
  const event = recorded as RecordedEvent & TaskEvent;
  if (row && BigInt(row.revision) >= recorded.revision) return row;
  const touched = { revision: recorded.revision.toString(), updated_at: event.metadata.occurredAt };
  if (event.type === 'TaskCreated') {
    if (row) return row;
    const d = event.data;
    return {
      task_id: d.taskId,
      workspace_id: d.workspaceId,
      title: d.title,
      description: d.description,
      status: d.status,
      priority: d.priority,
      assignee_id: d.assigneeId,
      due_at: d.dueAt,
      tags: d.labels,
      created_by: d.createdBy,
      source_execution_id: d.source?.executionId ?? null,
      source_step_id: d.source?.stepId ?? null,
      created_at: event.metadata.occurredAt,
      ...touched,
    };
  }
  if (!row) return undefined;
  if (event.type === 'TaskUpdated') {
    const changed: Partial<TaskRow> = {};
    for (const [field, value] of Object.entries(event.data.changes) as [keyof TaskFields, unknown][]) {
      const column = COLUMN_OF[field];
      if (column) Object.assign(changed, { [column]: value });
    }
    return { ...row, ...changed, ...touched };
  }
  // TaskCommented, and event types added later: the task moved on.
  return { ...row, ...touched };
}

/** `task`: BlueBirdHub's tasks, for `GET /api/tasks` and `GET /api/tasks/:id`. */
export const taskProjector: Projector = {
  name: 'task',
  categories: [StreamCategory.task],
  tables: ['task'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => idOf(e.streamId)))];
    const existing = await trx.selectFrom('task').selectAll().where('task_id', 'in', ids).execute();
    const rows = new Map<string, TaskRow | undefined>(existing.map((r) => [r.task_id, fromSelected(r)]));
    const changed = new Set<string>();
    for (const event of events) {
      const id = idOf(event.streamId);
      const next = evolveTaskRow(rows.get(id), event);
      if (next !== rows.get(id)) changed.add(id);
      rows.set(id, next);
    }
    const upserts = [...changed].map((id) => rows.get(id)).filter((r): r is TaskRow => r !== undefined);
    if (upserts.length === 0) return;
    await trx
      .insertInto('task')
      .values(upserts.map((r) => ({ ...r, tags: JSON.stringify(r.tags) })))
      .onConflict((oc) =>
        oc.column('task_id').doUpdateSet((eb) => ({
          title: eb.ref('excluded.title'),
          description: eb.ref('excluded.description'),
          status: eb.ref('excluded.status'),
          priority: eb.ref('excluded.priority'),
          assignee_id: eb.ref('excluded.assignee_id'),
          due_at: eb.ref('excluded.due_at'),
          tags: eb.ref('excluded.tags'),
          updated_at: eb.ref('excluded.updated_at'),
          revision: eb.ref('excluded.revision'),
        })),
      )
      .execute();
  },
};

function fromSelected(row: Selectable<TaskTable>): TaskRow {
  return {
    ...row,
    due_at: row.due_at === null ? null : new Date(row.due_at).toISOString(),
    tags: row.tags ?? [],
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    revision: String(row.revision),
  };
}
