import type { ColumnType } from 'kysely';

export interface WorkflowSummaryTable {
  workflow_id: string;
  workspace_id: string;
  name: string;
  description: string;
  status: 'active' | 'archived';
  revision: ColumnType<string, string | number, string | number>;
  created_at: ColumnType<Date, string, string>;
  created_by: string;
  updated_at: ColumnType<Date, string, string>;
  updated_by: string;
  step_count: ColumnType<number, number | undefined, number>;
  /** Latest published version; 0 = none yet. */
  version: ColumnType<number, number | undefined, number>;
  tags: ColumnType<string[], string | undefined, string>;
}
