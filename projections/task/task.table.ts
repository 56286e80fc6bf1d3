import type { ColumnType } from 'kysely';

/** `task`: BlueBirdHub's tasks, made by people or by create_task steps. */
export interface TaskTable {
  task_id: string;
  workspace_id: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  assignee_id: string | null;
  due_at: ColumnType<Date | null, string | null, string | null>;
  tags: ColumnType<string[], string, string>;
  created_by: string;
  source_execution_id: string | null;
  source_step_id: string | null;
  created_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
  revision: ColumnType<string, string, string>;
}
