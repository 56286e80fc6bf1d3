import type { ColumnType } from 'kysely';
import type { WorkflowDefinition } from '@contracts';

/** The draft graph of every workflow (validated when read, so a catalogue change shows at once). */
export interface WorkflowDefinitionTable {
  workflow_id: string;
  definition: ColumnType<WorkflowDefinition, string, string>;
  revision: ColumnType<string, string | number, string | number>;
  updated_at: ColumnType<Date, string, string>;
}

/** Every published version, frozen. */
export interface WorkflowVersionTable {
  workflow_id: string;
  version: number;
  note: string;
  definition: ColumnType<WorkflowDefinition, string, string>;
  /** Set when this version republished an older one (a rollback). */
  rolled_back_from: number | null;
  published_at: ColumnType<Date, string, string>;
  published_by: string;
  published_by_name: string | null;
}
