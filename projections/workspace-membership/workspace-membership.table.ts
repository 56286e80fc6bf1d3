import type { ColumnType } from 'kysely';
import type { WorkspaceRole } from '@contracts';

export interface WorkspaceTable {
  workspace_id: string;
  name: string;
  owner_id: string;
  created_at: ColumnType<Date, string, string>;
}
export interface WorkspaceMemberTable {
  workspace_id: string;
  user_id: string;
  role: WorkspaceRole;
  added_at: ColumnType<Date, string, string>;
}
export interface TeamTable {
  team_id: string;
  workspace_id: string;
  name: string;
  created_at: ColumnType<Date, string, string>;
}
export interface TeamMemberTable {
  team_id: string;
  user_id: string;
  workspace_id: string;
}
